/**
 * --check regenerates into a scratch folder under TMPDIR. A check killed
 * outright (SIGKILL) cannot remove it; the next check removes the folders of
 * checks that no longer run, and nothing else.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTime } from '../pipeline/io/lock.js';
import { PerfDbError } from '../pipeline/core/errors.js';
import { outputPathError } from '../pipeline/io/file-errors.js';
import { checkScratch, removeStale } from '../pipeline/io/scratch.js';
import { cleanUp, generate, realDataPath, ROOT, scratch } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await scratch('perfdb-check-scratch-');
});
afterAll(() => cleanUp(dir));

/** A folder holding an owner file (and a file of its own). */
function folder(path: string, owner: string | null): void {
  mkdirSync(path, { recursive: true });
  if (owner !== null) writeFileSync(join(path, '.owner'), owner);
  writeFileSync(join(path, 'perf_db.csv'), 'x\n');
}

// Above Linux's largest pid_max (2^22): no process has it.
const GONE = `${2 ** 22 + 1} -\n`;

describe('removeStale()', () => {
  it('removes the scratch folders of checks that are gone, and nothing else', () => {
    const tmp = join(dir, 'tmp');
    const outside = join(dir, 'outside');
    folder(join(tmp, 'perfdb-check-gone'), GONE);
    folder(join(tmp, 'perfdb-check-reused'), `${process.pid} 1\n`); // this PID, another start time: a later process
    folder(join(tmp, 'perfdb-check-live'), `${process.pid} ${startTime(process.pid) ?? '-'}\n`);
    folder(join(tmp, 'perfdb-check-no-owner'), null);
    folder(join(tmp, 'perfdb-check-garbled'), 'not a pid\n');
    folder(join(tmp, 'someone-else'), GONE);
    writeFileSync(join(tmp, 'perfdb-check-a-file'), GONE);
    folder(outside, GONE);
    symlinkSync(outside, join(tmp, 'perfdb-check-link'));
    removeStale(tmp);
    expect(readdirSync(tmp).sort()).toEqual(['perfdb-check-a-file', 'perfdb-check-garbled', 'perfdb-check-live', 'perfdb-check-no-owner', 'someone-else']);
    // A link is removed as a link: what it points to is untouched.
    expect(existsSync(join(outside, 'perf_db.csv'))).toBe(true);
  });

  it('removes a folder left without a readable owner for a minute (its check killed before writing it, or the file damaged), not a younger one', () => {
    const tmp = join(dir, 'unowned');
    const long = new Date(Date.now() - 120_000);
    const cases = [
      ['perfdb-check-old-none', null, true],
      ['perfdb-check-old-empty', '', true],
      ['perfdb-check-old-cut', '4242 1', true],
      ['perfdb-check-old-garbled', 'not a pid\n', true],
      // 0 would ask about the whole process group, which is alive; the others are this very process read loosely.
      ['perfdb-check-old-zero', '0 -\n', true],
      ['perfdb-check-old-signed', `+${process.pid} -\n`, true],
      ['perfdb-check-old-padded', `0${process.pid} -\n`, true],
      ['perfdb-check-new-zero', '0 -\n', false],
      ['perfdb-check-new-none', null, false],
      ['perfdb-check-new-empty', '', false],
      ['perfdb-check-new-garbled', 'not a pid\n', false],
    ] as const;
    for (const [name, owner, old] of cases) {
      folder(join(tmp, name), owner);
      if (old) utimesSync(join(tmp, name), long, long);
    }
    removeStale(tmp);
    expect(readdirSync(tmp).sort()).toEqual(['perfdb-check-new-empty', 'perfdb-check-new-garbled', 'perfdb-check-new-none', 'perfdb-check-new-zero']);
  });

  it('does nothing for a temporary folder that does not exist', () => {
    expect(() => removeStale(join(dir, 'nowhere'))).not.toThrow();
  });
});

describe('checkScratch().failed()', () => {
  it('blames the temporary folder for a write into the scratch folder, named relative to the working folder or not', async () => {
    const [cwd, tmp] = [process.cwd(), process.env.TMPDIR];
    mkdirSync(join(dir, 'relative-tmp'));
    process.chdir(dir);
    process.env.TMPDIR = join(dir, 'relative-tmp');
    try {
      const scratched = await checkScratch();
      const full = (path: string) => outputPathError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path }), 'out') as PerfDbError;
      const inside = full(join(scratched.path, 'perf_db.csv'));
      // Shown relative to the working folder: relative-tmp/perfdb-check-.../perf_db.csv
      expect(inside.place.file).toMatch(/^relative-tmp\/perfdb-check-/);
      expect((scratched.failed(inside) as PerfDbError).message).toMatch(/^--check cannot write its scratch folder in the temporary folder: no space left/);
      expect((scratched.failed(inside) as PerfDbError).hint).toContain('TMPDIR');
      const elsewhere = full(join(dir, 'out', 'perf_db.csv'));
      expect(scratched.failed(elsewhere)).toBe(elsewhere);
      scratched.release();
    } finally {
      process.chdir(cwd);
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
  });
});

describe('generate --check', () => {
  it('removes the scratch folder a killed check left behind', async () => {
    const tmp = join(dir, 'killed-tmp');
    mkdirSync(tmp);
    const args = ['--input', realDataPath(), '--prompts', '1..8192', '--batches', '1..64', '--tokens', '128', '--no-plots', '--check', '--out', join(dir, 'never')];
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'launch.mjs'), 'generate', ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Killed once its scratch folder holds rows being written.
    const started = Date.now();
    while (!readdirSync(tmp).some((name) => name.startsWith('perfdb-check-') && existsSync(join(tmp, name, '.owner'))) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const left = readdirSync(tmp).filter((name) => name.startsWith('perfdb-check-'));
    expect(left).toHaveLength(1);
    const next = await generate(['--input', realDataPath(), '--prompts', '128', '--batches', '1', '--tokens', '128', '--no-plots', '--check', '--out', join(dir, 'never')], { TMPDIR: tmp });
    expect(next.status).toBe(1); // --out does not exist: every file is missing
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});
