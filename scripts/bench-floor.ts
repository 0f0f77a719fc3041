/**
 * The floor of the benchmark: formatting rows of perf_db.csv's shape (names,
 * three sizes, five doubles with Number.prototype.toString, source) into
 * 1 MiB buffers and writing them, with no pipeline around it. Run on one core,
 * or on every core at once (worker threads, each its share of the rows into
 * its own file): the pipeline cannot beat the latter. The `bytes` variant
 * writes the same rows as the emitter does (writeNumber: the shortest digits
 * as bytes, no strings), the floor that formatter leaves.
 */
import { createWriteStream } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { writeAscii, writeNumber } from '../pipeline/emit/csv-out.js';

/** How a floor loop formats its rows: one string per row (toString), or bytes straight into the buffer. */
export type FloorFormat = 'strings' | 'bytes';

/** Rows per second of the loop on one thread: `rows` rows starting at `first`, into `path`. */
export async function floorLoop(path: string, rows: number, first = 0, format: FloorFormat = 'strings'): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const started = performance.now();
  const buffer = Buffer.allocUnsafe(1 << 20);
  let offset = 0;
  for (let i = first; i < first + rows; i++) {
    const p = 1 + (i >> 8);
    const b = 1 + ((i >> 2) & 63);
    const t = 128 << (i & 3);
    const x = p * b;
    // 512 bytes is more than any row of either kind.
    if (offset + 512 > buffer.length) {
      if (!out.write(Buffer.from(buffer.subarray(0, offset)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      offset = 0;
    }
    if (format === 'bytes') offset = bytesRow(buffer, offset, p, b, t, x);
    else offset += buffer.write(`llama2-70b,a100-80gb,${p},${b},${t},${0.5 + x * 1e-7},${0.4 + x * 1e-7},${60 + x * 0.0131},${40 + x * 0.000173},${60 + x * 0.0131 + (t - 1) * (40 + x * 0.000173)},2,interpolated\n`, offset, 'latin1');
  }
  out.write(Buffer.from(buffer.subarray(0, offset)));
  await new Promise<void>((resolve) => out.end(resolve));
  return rows / ((performance.now() - started) / 1000);
}

/** The same row as the strings loop's, written as the emitter writes its rows. */
function bytesRow(buffer: Uint8Array, offset: number, p: number, b: number, t: number, x: number): number {
  let at = writeAscii(buffer, offset, 'llama2-70b,a100-80gb,');
  at = writeAscii(buffer, at, `${p},${b},${t},`);
  at = writeNumber(buffer, at, 0.5 + x * 1e-7);
  buffer[at++] = 44;
  at = writeNumber(buffer, at, 0.4 + x * 1e-7);
  buffer[at++] = 44;
  at = writeNumber(buffer, at, 60 + x * 0.0131);
  buffer[at++] = 44;
  at = writeNumber(buffer, at, 40 + x * 0.000173);
  buffer[at++] = 44;
  at = writeNumber(buffer, at, 60 + x * 0.0131 + (t - 1) * (40 + x * 0.000173));
  return writeAscii(buffer, at, ',2,interpolated\n');
}

/** Rows per second of the loop on `threads` worker threads at once, `rows` in all (wall time from the first start to the last end). */
export async function parallelFloor(pathPrefix: string, rows: number, threads: number, format: FloorFormat = 'strings'): Promise<number> {
  const share = Math.ceil(rows / threads);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, (_, k) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { path: `${pathPrefix}-${k}`, rows: share, first: k * share, format } });
      return new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }).finally(() => void worker.terminate());
    }),
  );
  return (share * threads) / ((performance.now() - started) / 1000);
}

if (!isMainThread && parentPort !== null) {
  const { path, rows, first, format } = workerData as { path: string; rows: number; first: number; format: FloorFormat };
  parentPort.postMessage(await floorLoop(path, rows, first, format));
}
