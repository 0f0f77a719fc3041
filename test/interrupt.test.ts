/**
 * Nothing is lost: an interrupted or killed run leaves the previous outputs
 * byte-identical, and two runs never write one folder at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, generate, LAUNCH, ROOT, snapshot } from './helpers.js';

const golden = join(FIXTURES, 'golden', 'input.csv');
const scratch = mkdtempSync(join(tmpdir(), 'perfdb-interrupt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A grid of 12,582,912 predicted rows on the real data (12 groups x 8192 prompts x 64 batches x 2 token sizes). */
const BIG = ['--prompts', '1..8192', '--batches', '1..64', '--tokens', '128,512', '--no-plots', '--concurrency', '2'];

function expectSame(before: Map<string, Buffer>, after: Map<string, Buffer>): void {
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [name, bytes] of before) expect(after.get(name)?.equals(bytes), name).toBe(true);
}

/** Starts a big run into `out`, waits until it has written at least `bytes` of perf_db.csv, then sends `signal`. */
async function interrupt(out: string, signal: NodeJS.Signals, bytes: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [LAUNCH, 'generate', ...BIG, '--out', out], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const written = () => {
    let total = 0;
    for (const entry of existsSync(out) ? readdirSync(out) : []) {
      if (!entry.startsWith('.perfdb-tmp-')) continue;
      const visit = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          const info = statSync(path, { throwIfNoEntry: false });
          if (info === undefined) continue;
          total += info.isDirectory() ? (visit(path), 0) : info.size;
        }
      };
      try {
        visit(join(out, entry));
      } catch {
        // The folder changed under us; look again next time.
      }
    }
    return total;
  };
  const deadline = Date.now() + 60_000;
  while (written() < bytes) {
    if (child.exitCode !== null) throw new Error(`the run ended before it could be interrupted: ${stderr}`);
    if (Date.now() > deadline) throw new Error('the run wrote nothing for a minute');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill(signal);
  return new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig, stderr })));
}

describe('generate, interrupted', () => {
  const out = join(scratch, 'out');
  let before: Map<string, Buffer>;

  beforeAll(async () => {
    const first = await generate(['--input', golden, '--out', out, '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10']);
    expect(first.status, first.stderr).toBe(0);
    before = snapshot(out);
  });

  it('by SIGTERM partway through a 12-million-row run leaves the previous outputs byte-identical and cleans up', async () => {
    const result = await interrupt(out, 'SIGTERM', 50 << 20);
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('is unchanged');
    expectSame(before, snapshot(out));
  });

  it('by SIGKILL partway through leaves the previous outputs byte-identical, and the next run goes through', async () => {
    const result = await interrupt(out, 'SIGKILL', 50 << 20);
    expect(result.signal).toBe('SIGKILL');
    const after = snapshot(out);
    for (const [name, bytes] of before) expect(after.get(name)?.equals(bytes), name).toBe(true);
    // The killed run's lock names a dead process: the next run takes it over.
    const next = await generate(['--input', golden, '--out', out, '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10']);
    expect(next.status, next.stderr).toBe(0);
    expectSame(before, snapshot(out));
  });
});

describe('generate, two runs on one folder', () => {
  it('refuses to write a folder another live run holds, naming the process', async () => {
    const out = join(scratch, 'locked');
    const first = await generate(['--input', golden, '--out', out, '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10']);
    expect(first.status).toBe(0);
    const before = snapshot(out);
    writeFileSync(join(out, '.perfdb.lock'), `${process.pid}\n`);
    const second = await generate(['--input', golden, '--out', out, '--prompts', '100..200', '--step', '100']);
    expect(second.status).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`E_LOCKED another run (process ${process.pid})`);
    rmSync(join(out, '.perfdb.lock'));
    expectSame(before, snapshot(out));
  });

  it.runIf(existsSync('/proc/self/stat'))('takes over a lock whose PID now belongs to another process (same PID, other start time)', async () => {
    const out = join(scratch, 'reused');
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
    mkdirSync(out, { recursive: true });
    // Our own PID with our real start time: a live holder.
    writeFileSync(join(out, '.perfdb.lock'), `${process.pid} ${started}\n`);
    const held = await generate(['--input', golden, '--out', out, '--prompts', '100..300', '--step', '100', '--no-plots']);
    expect(held.status).toBe(1);
    expect(held.stderr).toContain('E_LOCKED');
    // The same PID with another start time: that run is gone and the PID was reused.
    writeFileSync(join(out, '.perfdb.lock'), `${process.pid} ${Number(started) + 1}\n`);
    const taken = await generate(['--input', golden, '--out', out, '--prompts', '100..300', '--step', '100', '--no-plots']);
    expect(taken.status, taken.stderr).toBe(0);
    expect(existsSync(join(out, '.perfdb.lock'))).toBe(false);
  });
});
