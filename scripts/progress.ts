/**
 * Rows done, rows/s and ETA on one stderr line, redrawn at most four times a
 * second, from one second into the run; only when stderr is a terminal.
 */
export function progressLine() {
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(rows: number, total: number) {
      const now = Date.now();
      if (!process.stderr.isTTY || now - started < 1000 || now - last < 250) return;
      last = now;
      shown = true;
      const rate = rows / ((now - started) / 1000);
      const eta = rate > 0 ? Math.max(0, (total - rows) / rate) : 0;
      process.stderr.write(`\r${rows.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows, ${Math.round(rate).toLocaleString('en-US')} rows/s, ETA ${eta.toFixed(0)} s   `);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
