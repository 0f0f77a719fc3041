/**
 * The output folder's lock under a race: many runs starting together over a
 * stale lock (every SIGKILL leaves one): exactly one takes it, the others
 * are told another run holds it; a live run's temporary folder is never
 * removed by another run; and an aborted run (a signal) leaves no temporary
 * folder, even with writes still opening their files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A contender: takes the lock with the compiled code, holds it a while, says what happened. */
const CONTENDER = `
const { takeLock, releaseLock } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'pipeline', 'io', 'lock.js')).href)});
const lock = process.argv.at(-2);
const go = Number(process.argv.at(-1));
while (Date.now() < go) await new Promise((r) => setTimeout(r, 1)); // all contenders start at once
try {
  const held = await takeLock(lock, 'out');
  const from = Date.now();
  await new Promise((r) => setTimeout(r, 1500));
  const to = Date.now();
  releaseLock(lock, held);
  process.stdout.write('won ' + from + ' ' + to);
} catch (e) {
  process.stdout.write(e.code ?? 'crash ' + e.message);
}`;

function contend(lock: string, go = Date.now()): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, lock, String(go)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out));
  });
}

describe('takeLock()', () => {
  it.each(Array.from({ length: 4 }, (_, i) => i + 1))('lets exactly one of 8 runs starting together over a stale lock take it (round %d)', async () => {
    const lock = join(dir, `lock-${Math.random().toString(36).slice(2)}`);
    writeFileSync(lock, '999999999 123 stale\n'); // no such process
    const go = Date.now() + 1500; // after every contender's start-up, however slow
    const results = await Promise.all(Array.from({ length: 8 }, () => contend(lock, go)));
    const won = results.filter((r) => r.startsWith('won ')).map((r) => r.split(' ').slice(1).map(Number) as [number, number]);
    // Exactly one holds the lock at a time. A contender the machine starved until the winner had
    // released it may take it next; it must never be held twice at once.
    won.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < won.length; i++) expect((won[i] as [number, number])[0]).toBeGreaterThanOrEqual((won[i - 1] as [number, number])[1]);
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(won.filter(([from]) => from < (won[0] as [number, number])[1])).toHaveLength(1);
    expect(results.filter((r) => r === 'E_LOCKED')).toHaveLength(8 - won.length);
    expect(existsSync(lock)).toBe(false); // released by the winner
    expect(existsSync(`${lock}.takeover`)).toBe(false);
  }, 20_000);

  it('waits for a lock still being written (no line end yet) instead of taking it for stale', async () => {
    const { takeLock, startTime } = await import('../pipeline/io/lock.js');
    const lock = join(dir, 'being-written');
    writeFileSync(lock, ''); // created, not yet written: its run is between the two
    const taking = takeLock(lock, 'out');
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(lock, `${process.pid} ${startTime(process.pid)} live run\n`); // this very process: alive
    await expect(taking).rejects.toMatchObject({ code: 'E_LOCKED', message: `another run (process ${process.pid}) is writing this output folder` });
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid} ${startTime(process.pid)} live run\n`);
  });

  it('takes over a lock left without its line end long ago (its run died between creating and writing it)', async () => {
    const { takeLock, releaseLock } = await import('../pipeline/io/lock.js');
    const lock = join(dir, 'left-empty');
    writeFileSync(lock, '4242 1');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const held = await takeLock(lock, 'out');
    expect(readFileSync(lock, 'utf8')).toBe(held);
    releaseLock(lock, held);
  });

  it('takes over a lock whose PID is not one this code writes (a live PID with more after it, a sign, a leading zero, 0)', async () => {
    const { takeLock, releaseLock, startTime } = await import('../pipeline/io/lock.js');
    // Each first field, read as a number, is this very process (or, for 0, its process group): all alive.
    for (const pid of [`${process.pid}x`, `+${process.pid}`, `0${process.pid}`, '0']) {
      const lock = join(dir, `garbled-${pid}`);
      writeFileSync(lock, `${pid} ${startTime(process.pid)} garbled\n`);
      const held = await takeLock(lock, 'out');
      expect(readFileSync(lock, 'utf8')).toBe(held);
      releaseLock(lock, held);
    }
  });

  it('takes a lock whose process reused nothing but the PID (another start time)', async () => {
    const lock = join(dir, 'reused');
    writeFileSync(lock, `${process.pid} 1 old\n`); // this PID, but not this process's start time
    expect(await contend(lock)).toMatch(/^won \d+ \d+$/);
  });
});

describe('releaseLock()', () => {
  it('removes its own lock, and leaves a lock that another run took since', async () => {
    const { takeLock, releaseLock } = await import('../pipeline/io/lock.js');
    const lock = join(dir, 'released');
    const mine = await takeLock(lock, 'out');
    releaseLock(lock, mine);
    expect(existsSync(lock)).toBe(false);
    // This run's lock removed by hand, then taken by another run: ending this run must not free it.
    const again = await takeLock(lock, 'out');
    rmSync(lock);
    writeFileSync(lock, `${process.pid} ${'x'} other run's token\n`);
    releaseLock(lock, again);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid} x other run's token\n`);
  });
});

describe('OutputTransaction.abort()', () => {
  it.each([1, 2, 3])('leaves no temporary folder behind when writes are still opening their files (a signal mid-write, round %d)', async () => {
    const { OutputTransaction } = await import('../pipeline/io/transaction.js');
    const out = join(dir, `abort-${Math.random().toString(36).slice(2)}`);
    mkdirSync(out);
    const t = await OutputTransaction.begin(out);
    // Many writes in flight: some open (and create) their file while abort() is removing the folder.
    const writes = Array.from({ length: 300 }, (_, i) => t.write(`plots/p${i}.svg`, 'x'.repeat(64)));
    await new Promise((r) => setImmediate(r));
    t.abort();
    await Promise.allSettled(writes);
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(out, { recursive: true })).toEqual([]);
  });
});

describe('OutputTransaction.begin()', () => {
  it('removes the temporary folder of a run that is gone, never that of a live one, nor a folder no run named', async () => {
    const { OutputTransaction } = await import('../pipeline/io/transaction.js');
    const out = join(dir, 'out');
    mkdirSync(out);
    const { startTime } = await import('../pipeline/io/lock.js');
    const live = `.perfdb-tmp-${process.pid}-${startTime(process.pid)}-live`; // this very process: alive
    mkdirSync(join(out, live));
    mkdirSync(join(out, '.perfdb-tmp-999999999-1-dead'));
    mkdirSync(join(out, '.perfdb-tmp-999999999---dead.previous'));
    // Not names a run gives (a leading zero, PID 0, no PID, more after the time): no run's, so not a run's to remove.
    const others = [`.perfdb-tmp-0${process.pid}-${startTime(process.pid)}-x`, '.perfdb-tmp-0-1-x', '.perfdb-tmp-mydata', '.perfdb-tmp-999999999-1-dead-copy', '.perfdb-tmp-999999999-1-dead.previous.old'];
    for (const name of others) mkdirSync(join(out, name));
    const t = await OutputTransaction.begin(out);
    const left = readdirSync(out);
    t.abort();
    expect(left).toContain(live);
    expect(left).not.toContain('.perfdb-tmp-999999999-1-dead');
    expect(left).not.toContain('.perfdb-tmp-999999999---dead.previous');
    for (const name of others) expect(left).toContain(name);
  });
});
