/**
 * Readers of an output folder (query, --check) never read a mix of two
 * runs: they wait out a commit under way, and refuse, untouched, a folder
 * whose commit a kill interrupted, until a run over it repairs it.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import { startTime } from '../pipeline/io/lock.js';
import { readSettled } from '../pipeline/io/settled.js';
import { FIXTURES, generate, runCommand, snapshot } from './helpers.js';

const golden = join(FIXTURES, 'golden', 'input.csv');
const GRID = ['--prompts', '100..300', '--step', '100', '--no-plots'];
const QUERY = ['--model', 'tiny', '--hardware', 'hw', '--tp', '1', '--prompt', '200', '--batch', '1', '--tokens', '10'];
const scratch = mkdtempSync(join(tmpdir(), 'perfdb-settled-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The folder as a kill leaves it between moving the old perf_db.csv aside and the new one in: the journal, the old file aside, the new one in the run's folder. */
function tornCommit(out: string): () => void {
  const temp = '.perfdb-tmp-4000000-1-abc';
  mkdirSync(join(out, temp));
  mkdirSync(join(out, `${temp}.previous`));
  writeFileSync(join(out, temp, 'perf_db.csv'), 'the new run\n');
  renameSync(join(out, 'perf_db.csv'), join(out, `${temp}.previous`, 'perf_db.csv'));
  const journal = { state: 'moving', temp, aside: `${temp}.previous`, written: ['perf_db.csv'], removed: [], existing: ['perf_db.csv'] };
  writeFileSync(join(out, '.perfdb-journal'), `${JSON.stringify(journal)}\n`);
  return () => {
    renameSync(join(out, `${temp}.previous`, 'perf_db.csv'), join(out, 'perf_db.csv'));
    for (const name of [temp, `${temp}.previous`, '.perfdb-journal']) rmSync(join(out, name), { recursive: true, force: true });
  };
}

describe('a folder a kill left in the middle of a commit', () => {
  let out: string;
  let written: Map<string, Buffer>;
  beforeAll(async () => {
    out = join(scratch, 'torn');
    expect((await generate(['--input', golden, '--out', out, ...GRID])).status).toBe(0);
    written = snapshot(out);
    tornCommit(out);
  });

  it('query refuses it in one line, and leaves it as it is', async () => {
    const torn = snapshot(out);
    const run = await runCommand('query', [...QUERY, '--db', out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/: E_INTERRUPTED_COMMIT a run was stopped while it put its outputs in place.*hint: run the generate command that wrote the folder again/);
    expect(snapshot(out)).toEqual(torn);
  });

  it('--check refuses it in one line, and leaves it as it is', async () => {
    const torn = snapshot(out);
    const run = await generate(['--input', golden, '--out', out, ...GRID, '--check']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('E_INTERRUPTED_COMMIT');
    expect(snapshot(out)).toEqual(torn);
  });

  it('is read again once a run over it has repaired it', async () => {
    expect((await generate(['--input', golden, '--out', out, ...GRID])).status).toBe(0);
    expect(snapshot(out)).toEqual(written);
    const run = await runCommand('query', [...QUERY, '--db', out]);
    expect(run.status, run.stderr).toBe(0);
  });
});

describe('a commit whose clean-up a kill interrupted', () => {
  it('is read: every output in place is the new run\'s', async () => {
    const out = join(scratch, 'committed');
    expect((await generate(['--input', golden, '--out', out, ...GRID])).status).toBe(0);
    const temp = '.perfdb-tmp-4000000-1-abc';
    mkdirSync(join(out, `${temp}.previous`));
    writeFileSync(join(out, '.perfdb-journal'), `${JSON.stringify({ state: 'committed', temp, aside: `${temp}.previous`, written: ['perf_db.csv'], removed: [], existing: ['perf_db.csv'] })}\n`);
    const run = await runCommand('query', [...QUERY, '--db', out]);
    expect(run.status, run.stderr).toBe(0);
    expect((await generate(['--input', golden, '--out', out, ...GRID, '--check'])).status).toBe(0);
  });
});

describe('a commit under way', () => {
  it.runIf(startTime(process.pid) !== null)('query waits for it to end, then answers from the folder as it ends', async () => {
    const out = join(scratch, 'busy');
    expect((await generate(['--input', golden, '--out', out, ...GRID])).status).toBe(0);
    const restore = tornCommit(out);
    // A live run (this process) holds the lock while the commit is under way.
    writeFileSync(join(out, '.perfdb.lock'), `${process.pid} ${startTime(process.pid)} test\n`);
    const asked = runCommand('query', [...QUERY, '--db', out]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    restore();
    rmSync(join(out, '.perfdb.lock'));
    const run = await asked;
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('prompt_time');
  });
});

describe('readSettled()', () => {
  const dir = join(scratch, 'reads');
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a'), 'old a\n');
    writeFileSync(join(dir, 'b'), 'old b\n');
  });
  const readBoth = () => `${readFileSync(join(dir, 'a'), 'utf8')}${readFileSync(join(dir, 'b'), 'utf8')}`;

  it('reads again when a commit renames a new file in while it reads', async () => {
    let calls = 0;
    const value = await readSettled(dir, ['a', 'b'], async () => {
      calls++;
      const first = readFileSync(join(dir, 'a'), 'utf8');
      if (calls === 1) {
        writeFileSync(join(dir, 'b.new'), 'new b\n');
        renameSync(join(dir, 'b.new'), join(dir, 'b'));
        writeFileSync(join(dir, 'a.new'), 'new a\n');
        renameSync(join(dir, 'a.new'), join(dir, 'a'));
      }
      return `${first}${readFileSync(join(dir, 'b'), 'utf8')}`;
    });
    expect(calls).toBe(2);
    expect(value).toBe('new a\nnew b\n');
  });

  it('reads again when the read failed because a file was moved out meanwhile', async () => {
    let calls = 0;
    const value = await readSettled(dir, ['a', 'b'], async () => {
      calls++;
      if (calls === 1) {
        renameSync(join(dir, 'a'), join(dir, 'a.aside'));
        try {
          return readBoth();
        } finally {
          renameSync(join(dir, 'a.aside'), join(dir, 'a'));
        }
      }
      return readBoth();
    });
    expect(calls).toBe(2);
    expect(value).toBe(readBoth());
  });

  it('passes on a failure of its own at once, the files unchanged', async () => {
    let calls = 0;
    const failure = new PerfDbError('E_BAD_DATABASE', 'broken', { hint: 'none' });
    await expect(readSettled(dir, ['a', 'b'], async () => {
      calls++;
      throw failure;
    })).rejects.toBe(failure);
    expect(calls).toBe(1);
  });
});
