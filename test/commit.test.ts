/**
 * The commit of a run's outputs (pipeline/io/commit.ts) under a failure and
 * under a kill at every single step: the folder always ends with every old
 * output or every new one, and nothing of the commit is left behind.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commit, journalState, recover, REAL_OPS, type FileOps } from '../pipeline/io/commit.js';
import { OutputTransaction, repair } from '../pipeline/io/transaction.js';
import { snapshot } from './helpers.js';

const OWNED = ['perf_db.csv', 'fits.json', 'quality-report.json', 'rejected.csv', 'plots'];
// A run that is gone: no process has this PID (above the kernel's limit).
const TEMP = '.perfdb-tmp-999999999-2-3';

let dir: string;
let scratch: string;
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * An output folder with old outputs (and a file the run does not own), and a
 * run's new outputs waiting in TEMP. The folder is three levels down in its
 * scratch folder: a journal whose names climb out with `..` must not reach
 * anything outside the scratch folder even if recovery followed them.
 */
function setUp(): { old: Map<string, Buffer>; fresh: Map<string, Buffer> } {
  scratch = mkdtempSync(join(tmpdir(), 'perfdb-commit-'));
  dir = join(scratch, 'a', 'b', 'out');
  mkdirSync(dir, { recursive: true });
  const put = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  for (const [p, t] of [['perf_db.csv', 'old csv'], ['fits.json', 'old fits'], ['rejected.csv', 'old rejected'], ['plots/a.svg', 'old a'], ['plots/b.svg', 'old b'], ['notes.txt', 'mine']]) put(p as string, t as string);
  const old = snapshot(dir);
  // The new run writes no rejected.csv (so the old one goes), a new report, and other plots.
  for (const [p, t] of [['perf_db.csv', 'new csv'], ['fits.json', 'new fits'], ['quality-report.json', 'new report'], ['plots/a.svg', 'new a'], ['plots/c.svg', 'new c']]) put(`${TEMP}/${p}`, t as string);
  const fresh = new Map([...snapshot(join(dir, TEMP))].map(([k, v]) => [k, v]));
  fresh.set('notes.txt', Buffer.from('mine'));
  return { old, fresh };
}

const WRITTEN = ['fits.json', 'perf_db.csv', 'plots', 'quality-report.json'];

/** Real file operations, numbered; `onStep(k)` may throw to fail step k. */
function counted(onStep: (k: number) => void): FileOps & { steps: number } {
  const ops = { steps: 0 } as FileOps & { steps: number };
  for (const name of Object.keys(REAL_OPS) as (keyof FileOps)[]) {
    (ops as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      if (name !== 'exists' && name !== 'read') onStep(++ops.steps);
      return (REAL_OPS[name] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return ops;
}

const same = (a: Map<string, Buffer>, b: Map<string, Buffer>) => a.size === b.size && [...a].every(([k, v]) => b.get(k)?.equals(v) === true);

describe('commit()', () => {
  it('puts every new output in place, removes the owned output the run did not write, leaves other files alone', () => {
    const { fresh } = setUp();
    commit(dir, TEMP, WRITTEN, OWNED);
    expect(same(snapshot(dir), fresh)).toBe(true);
  });

  const total = (() => {
    setUp();
    const ops = counted(() => undefined);
    commit(dir, TEMP, WRITTEN, OWNED, ops);
    rmSync(scratch, { recursive: true, force: true });
    return ops.steps;
  })();

  it('takes more than ten steps (so that the cases below cover something)', () => {
    expect(total).toBeGreaterThan(10);
  });

  it.each(Array.from({ length: total }, (_, i) => i + 1))('ends with every old output when step %d fails before the journal says committed (rethrowing), else with every new one', (k) => {
    const { old, fresh } = setUp();
    const failure = Object.assign(new Error('injected'), { code: 'EPERM' });
    let committed = false;
    const ops = counted((step) => {
      if (step === k) throw failure;
    });
    try {
      commit(dir, TEMP, WRITTEN, OWNED, ops);
      committed = true;
    } catch (error) {
      expect(error).toBe(failure);
    }
    repair(dir); // the next run's first act: removes whatever cleaning up a committed run could not
    expect(same(snapshot(dir), committed ? fresh : old), `step ${k}`).toBe(true);
  });

  it.each(Array.from({ length: total }, (_, i) => i + 1))('leaves, after a kill at step %d, what the next run repairs into every old or every new output', (k) => {
    const { old, fresh } = setUp();
    let dead = false;
    const killed = Object.assign(new Error('killed'), { code: 'KILLED' });
    const ops = counted((step) => {
      if (step >= k) dead = true;
      if (dead) throw killed;
    });
    try {
      commit(dir, TEMP, WRITTEN, OWNED, ops);
    } catch (error) {
      expect(error).toBe(killed);
    }
    expect(dead).toBe(true); // from step k on, nothing reached the disk
    const result = recover(dir);
    repair(dir); // what the next run does first, holding the lock: also removes the dead run's temporary folder
    const after = snapshot(dir);
    expect(same(after, old) || same(after, fresh), `step ${k}: ${[...after.keys()].join(', ')}`).toBe(true);
    expect(result === 'completed' ? same(after, fresh) : true).toBe(true);
  });
});

describe('a commit whose clean-up cannot finish', () => {
  it('stands, with its journal gone, when the folder of the old outputs cannot be removed', () => {
    const { fresh } = setUp();
    const refused = Object.assign(new Error('refused'), { code: 'EPERM' });
    const ops: FileOps = { ...REAL_OPS, remove: (path) => (path.endsWith('.previous') ? (() => { throw refused; })() : REAL_OPS.remove(path)) };
    commit(dir, TEMP, WRITTEN, OWNED, ops);
    expect(journalState(dir)).toBe('none');
    const after = snapshot(dir);
    // Every new output in place; the old ones only inside the folder left for a later run.
    for (const [name, bytes] of fresh) expect(after.get(name)?.equals(bytes), name).toBe(true);
    expect([...after.keys()].filter((name) => !fresh.has(name)).every((name) => name.startsWith(`${TEMP}.previous/`))).toBe(true);
  });

  it.runIf(process.getuid?.() === 0 && spawnSync('chattr', ['--help']).error === undefined)('lets the next run go on, with a warning, past a leftover folder holding an immutable file', () => {
    const { fresh } = setUp();
    mkdirSync(join(dir, `${TEMP}.previous`));
    const stuck = join(dir, `${TEMP}.previous`, 'old.svg');
    writeFileSync(stuck, 'old');
    if (spawnSync('chattr', ['+i', stuck]).status !== 0) return;
    try {
      commit(dir, TEMP, WRITTEN, OWNED);
      const errors: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((text: string) => errors.push(text) > 0) as typeof process.stderr.write;
      try {
        repair(dir);
      } finally {
        process.stderr.write = write;
      }
      expect(errors.join('')).toMatch(/^warning: .*\.previous, left by an earlier run, cannot be removed \(E[A-Z]+\); it holds no output/);
      for (const [name, bytes] of fresh) expect(snapshot(dir).get(name)?.equals(bytes), name).toBe(true);
    } finally {
      spawnSync('chattr', ['-i', stuck]);
    }
  });
});

describe('a run whose old outputs hold an immutable file', () => {
  it.runIf(process.getuid?.() === 0 && spawnSync('chattr', ['--help']).error === undefined)('commits, and says in a warning which folder it could not remove', async () => {
    setUp();
    const stuck = join(dir, 'plots', 'a.svg');
    if (spawnSync('chattr', ['+i', stuck]).status !== 0) return;
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    try {
      const run = await OutputTransaction.begin(dir);
      await run.write('perf_db.csv', 'newest csv');
      process.stderr.write = ((text: string) => errors.push(text) > 0) as typeof process.stderr.write;
      run.commit(OWNED);
    } finally {
      process.stderr.write = write;
      spawnSync('chattr', ['-i', ...readdirSync(dir).filter((n) => n.endsWith('.previous')).map((n) => join(dir, n, 'plots', 'a.svg'))]);
    }
    expect(readFileSync(join(dir, 'perf_db.csv'), 'utf8')).toBe('newest csv');
    expect(errors.join('')).toMatch(/^warning: .*\.previous, left by this run, cannot be removed; it holds no output: remove it by hand/);
  });
});

describe('recover() on a journal damaged or edited by hand', () => {
  const journal = (fields: Record<string, unknown>) => JSON.stringify({ state: 'committed', temp: TEMP, aside: `${TEMP}.previous`, written: ['perf_db.csv'], removed: [], existing: ['perf_db.csv'], ...fields });
  it.each([
    ['null', 'null', /it is not an object/],
    ['an array', '[]', /it is not an object/],
    ['no state', journal({ state: undefined }), /its state is neither/],
    ['an empty temporary folder', journal({ temp: '', aside: '.previous' }), /its temporary folder is not a name a run gives \(\.perfdb-tmp-PID-START-TIME\)/],
    ['a folder that only starts like a temporary one', journal({ temp: '.perfdb-tmp-mydata', aside: '.perfdb-tmp-mydata.previous' }), /its temporary folder is not a name a run gives/],
    ['the folder of old outputs as the temporary folder', journal({ temp: `${TEMP}.previous`, aside: `${TEMP}.previous.previous` }), /its temporary folder is not a name a run gives/],
    ['a temporary folder outside the output folder', journal({ temp: '../victim', aside: '../victim.previous' }), /its temporary folder is not/],
    ['a temporary folder with a slash', journal({ temp: '.perfdb-tmp-1/../..', aside: '.perfdb-tmp-1/../...previous' }), /its temporary folder is not/],
    ['another folder for the old outputs', journal({ aside: '..' }), /its folder for the old outputs/],
    ['an output list that is not a list', journal({ written: 'perf_db.csv' }), /its lists of outputs name something other than/],
    ['an output outside the owned names', journal({ written: ['../../etc'] }), /its lists of outputs name something other than/],
    ['an empty output name', journal({ removed: [''] }), /its lists of outputs name something other than/],
  ])('refuses %s with E_BAD_JOURNAL, changing nothing', (_name, text, fault) => {
    setUp();
    writeFileSync(join(dir, '.perfdb-journal'), text);
    const before = snapshot(dir);
    const error = (() => {
      try {
        recover(dir);
      } catch (e) {
        return e;
      }
      return null;
    })() as { code?: string; message?: string; format?: () => string } | null;
    expect(error?.code).toBe('E_BAD_JOURNAL');
    expect(error?.message).toMatch(fault);
    expect(error?.format?.()).toMatch(/\.perfdb-journal: E_BAD_JOURNAL .*; hint: /);
    expect(snapshot(dir)).toEqual(before);
  });
});
