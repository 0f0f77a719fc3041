import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupIdOf } from '../pipeline/core/keys.js';
import { lookup, loadDatabase } from '../pipeline/db/lookup.js';
import type { Answer, Database, FitsFile, Query } from '../pipeline/db/types.js';
import { PerfDbError } from '../pipeline/core/errors.js';
import { cleanUp, FIXTURES, generate, runCommand, scratch, type CliRun } from './helpers.js';

/**
 * test/fixtures/golden/input.csv holds two groups, every row at token_size 10:
 *   tiny/hw/tp=1   (100, 1) x4 (one an exact duplicate), (200, 1) x2, (100, 2), (400, 1): batch_tokens 100..400
 *   tiny2/hw/tp=2  (200, 1), (300, 1): batch_tokens 200..300
 * with every column (powers and e2e_time included).
 */
const INPUT = join(FIXTURES, 'golden', 'input.csv');


function query(args: readonly string[]): Promise<CliRun> {
  return runCommand('query', args);
}

/** perf_db.csv as records keyed by column name. */
async function readDb(dir: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dir, 'perf_db.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
}

function rowOf(rows: readonly Record<string, string>[], q: Query): Record<string, string> {
  const found = rows.find(
    (r) =>
      r.model === q.model &&
      r.hardware === q.hardware &&
      Number(r.tensor_parallel) === q.tensor_parallel &&
      Number(r.prompt_size) === q.prompt_size &&
      Number(r.batch_size) === q.batch_size &&
      Number(r.token_size) === q.token_size,
  );
  if (found === undefined) throw new Error(`no row for ${JSON.stringify(q)}`);
  return found;
}

const tiny = (prompt_size: number, batch_size: number, token_size: number): Query => ({ model: 'tiny', hardware: 'hw', tensor_parallel: 1, prompt_size, batch_size, token_size });
const tiny2 = (prompt_size: number, batch_size: number, token_size: number): Query => ({ model: 'tiny2', hardware: 'hw', tensor_parallel: 2, prompt_size, batch_size, token_size });

let dir: string;
/** The database under test: prompts 100, 200, 300 x batches 1, 2 x tokens 10. */
let main: string;
/** The same input on a grid holding the configurations the first one lacks. */
let other: string;
let db: Database;
let mainRows: Record<string, string>[];
let otherRows: Record<string, string>[];
/** The main database's grid written with --uncertainty: the err columns emit computes. */
let uncertainRows: Record<string, string>[];

beforeAll(async () => {
  dir = await scratch('perfdb-database-test-');
  main = join(dir, 'main');
  other = join(dir, 'other');
  const runs = await Promise.all([
    generate(['--input', INPUT, '--out', main, '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots']),
    generate(['--input', INPUT, '--out', other, '--prompts', '150,500', '--batches', '1,2', '--tokens', '7,10', '--no-plots']),
    generate(['--input', INPUT, '--out', join(dir, 'uncertain'), '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots', '--uncertainty']),
  ]);
  for (const r of runs) expect(r.status, r.stderr).toBe(0);
  db = await loadDatabase(join(main, 'fits.json'), join(main, 'perf_db.csv'));
  [mainRows, otherRows, uncertainRows] = await Promise.all([readDb(main), readDb(other), readDb(join(dir, 'uncertain'))]);
});

afterAll(async () => {
  await cleanUp(dir);
});

describe('lookup() on a generated database', () => {
  it.each([
    // factor by hand: tiny is measured at batch_tokens 100..400, tiny2 at 200..300
    ['a measured configuration on the grid', tiny(200, 1, 10), 'measured', 1, [100, 400], null],
    ['a measured configuration off the grid', tiny(400, 1, 10), 'measured', 1, [100, 400], null],
    ['a predicted row inside the range', tiny(300, 1, 10), 'interpolated', 1, [100, 400], null],
    ['a predicted row beyond the range', tiny(300, 2, 10), 'extrapolated', 1.5, [100, 400], 'above'],
    ['a row of the second group', tiny2(100, 1, 10), 'extrapolated', 2, [200, 300], 'below'],
  ])('answers %s from its row with exactly the CSV\'s numbers', async (_name, q, source, factor, range, beyond) => {
    const row = rowOf(mainRows, q);
    const answer = await lookup(db, q);
    expect(answer).toMatchObject({
      prompt_time: Number(row.prompt_time),
      token_time: Number(row.token_time),
      e2e_time: Number(row.e2e_time),
      source,
      coverage: 0.8,
      factor,
      clamped: [],
      from: 'row',
      range,
      beyond,
    });
    if (source === 'measured') expect(answer).toMatchObject({ prompt_time_err: null, token_time_err: null, err_basis: null, held: [], validatedFactor: null });
  });

  it.each([
    ['inside the range', tiny(300, 1, 10)],
    ['beyond the range', tiny(300, 2, 10)],
    ['below the range', tiny2(100, 1, 10)],
  ])('gives a predicted row %s of a database without err columns the interval generate --uncertainty writes there', async (_name, q) => {
    const answer = await lookup(db, q);
    const written = rowOf(uncertainRows, q);
    const three = (v: number | null) => (v === null ? '' : String(Number(v.toPrecision(3))));
    expect([three(answer.prompt_time_err), three(answer.token_time_err), answer.err_basis]).toEqual([written.prompt_time_err, written.token_time_err, written.err_basis]);
  });

  it('answers the measured medians for a measured row (by hand: (200, 1) has prompt_time 20 and 23)', async () => {
    expect(await lookup(db, tiny(200, 1, 10))).toMatchObject({ prompt_time: 21.5, token_time: 2.25, e2e_time: 40 });
  });

  it.each([
    ['inside the range', tiny(150, 1, 10), 'interpolated'],
    ['beyond the range', tiny(500, 2, 7), 'extrapolated'],
    ['below the range', tiny(150, 1, 7), 'interpolated'],
    ['in the second group', tiny2(150, 2, 10), 'interpolated'],
    ['beyond the second group\'s range', tiny2(500, 1, 10), 'extrapolated'],
  ])('answers a configuration off the grid (%s) from the fit, bit for bit what generate writes there', async (_name, q, source) => {
    expect(() => rowOf(mainRows, q)).toThrow(); // not a row of the database asked
    const answer = await lookup(db, q);
    const written = rowOf(otherRows, q); // the same configuration, emitted by a run whose grid holds it
    expect(answer.from).toBe('fit');
    expect(answer.source).toBe(source);
    expect(written.source).toBe(source);
    expect(Object.is(answer.prompt_time, Number(written.prompt_time))).toBe(true);
    expect(Object.is(answer.token_time, Number(written.token_time))).toBe(true);
    expect(Object.is(answer.e2e_time, Number(written.e2e_time))).toBe(true);
    expect(String(answer.prompt_time)).toBe(written.prompt_time);
  });

  it('answers the linear fit between knots (by hand: tiny at batch_tokens 150 lies halfway between medians 11 and 23)', async () => {
    // knots 100 -> median(10, 12, 11) = 11 (the duplicate dropped), 200 -> median(20, 23, 30) = 23
    const a = await lookup(db, tiny(150, 1, 10));
    expect(a.prompt_time).toBe(17);
    expect(a.token_time).toBe(2); // 1.5 and 2.5
    expect(a.e2e_time).toBe(17 + 9 * 2);
  });

  it('throws E_UNKNOWN_GROUP listing the groups for an unknown group, and the options of the closest (one edit away: tp 3 for 1)', async () => {
    const error = await lookup(db, { ...tiny(100, 1, 10), tensor_parallel: 3 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PerfDbError);
    expect((error as PerfDbError).code).toBe('E_UNKNOWN_GROUP');
    expect((error as PerfDbError).message).toBe('no group tiny/hw/tp=3 in the database; it has tiny/hw/tp=1, tiny2/hw/tp=2');
    expect((error as PerfDbError).hint).toBe('did you mean --model tiny --hardware hw --tp 1? check --model, --hardware and --tp against the list');
  });

  it('suggests the closest group by its names as they are, quoted for the shell, not by its id (which escapes / and %)', async () => {
    const model = "tiny's m/2";
    const renamed: Database = { ...db, fits: { ...db.fits, groups: db.fits.groups.map((g) => (g.model === 'tiny' ? { ...g, model, id: groupIdOf(model, g.hardware, String(g.tensor_parallel)) } : g)) } };
    const error = await lookup(renamed, { ...tiny(100, 1, 10), model: "tiny's m/3" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as PerfDbError).code).toBe('E_UNKNOWN_GROUP');
    expect((error as PerfDbError).hint).toBe(`did you mean --model 'tiny'\\''s m/2' --hardware hw --tp 1? check --model, --hardware and --tp against the list`);
  });

  it('throws E_NO_DATABASE for a missing fits.json', async () => {
    await expect(loadDatabase(join(dir, 'nowhere', 'fits.json'), join(main, 'perf_db.csv'))).rejects.toMatchObject({ code: 'E_NO_DATABASE' });
  });

  it('answers lookups in a database where a model name holds a newline', async () => {
    const input = join(dir, 'newline.csv');
    await writeFile(
      input,
      'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time\n' +
        '"a\nb",hw,1,100,1,10,10,1\n"a\nb",hw,1,200,1,10,20,2\n' +
        'c,hw,1,100,1,10,10,1\nc,hw,1,200,1,10,20,2\n',
    );
    const out = join(dir, 'newline');
    const run = await generate(['--input', input, '--out', out, '--no-plots']);
    expect(run.status, run.stderr).toBe(0);
    const nl = await loadDatabase(join(out, 'fits.json'), join(out, 'perf_db.csv'));
    const q = { model: 'c', hardware: 'hw', tensor_parallel: 1, prompt_size: 100, batch_size: 1, token_size: 10 };
    expect(await lookup(nl, q)).toMatchObject({ prompt_time: 10, from: 'row' });
    expect(await lookup(nl, { ...q, model: 'a\nb' })).toMatchObject({ prompt_time: 10, from: 'row' });
  });
});

describe('scripts/query.ts', () => {
  const args = (q: Query) => ['--model', q.model, '--hardware', q.hardware, '--tp', String(q.tensor_parallel), '--prompt', String(q.prompt_size), '--batch', String(q.batch_size), '--tokens', String(q.token_size)];

  it('prints the same JSON as lookup() with --json, for a row and for a prediction', async () => {
    const queries = [tiny(200, 1, 10), tiny(500, 2, 7)];
    const runs = await Promise.all(queries.map((q) => query([...args(q), '--db', main, '--json'])));
    for (const [i, q] of queries.entries()) {
      const r = runs[i] as CliRun;
      expect(r.status, r.stderr).toBe(0);
      const answer: Answer = await lookup(db, q);
      expect(r.stdout).toBe(`${JSON.stringify(answer)}\n`);
    }
  });

  it('exits 1 with one line for an unknown group, and 2 with one line for a missing option', async () => {
    const [unknown, missing] = await Promise.all([
      query([...args({ ...tiny(100, 1, 10), model: 'nope' }), '--db', main, '--json']),
      query(['--model', 'tiny', '--hardware', 'hw', '--tp', '1', '--prompt', '100', '--tokens', '10', '--db', main]),
    ]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^E_UNKNOWN_GROUP no group nope\/hw\/tp=1 in the database; it has tiny\/hw\/tp=1, tiny2\/hw\/tp=2; hint: [^\n]*\n$/);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^E_USAGE [^\n]*batch[^\n]*\n$/);
  });
});

describe('lookup() refuses what the database refused, and bad queries', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratch();
    // tiny/hw/tp=1 is measured at batch_tokens 100..400; --max-extrapolation 2 skips grid points beyond 800.
    const run = await generate(['--input', INPUT, '--out', dir, '--prompts', '100..1000', '--step', '100', '--batches', '1', '--tokens', '10', '--no-plots', '--max-extrapolation', '2', '--max-extrapolation-action', 'skip']);
    expect(run.status, run.stderr).toBe(0);
  });
  afterAll(() => cleanUp(dir));
  const q = (prompt_size: number): Query => ({ model: 'tiny', hardware: 'hw', tensor_parallel: 1, prompt_size, batch_size: 1, token_size: 10 });

  it('answers within the limit and throws E_TOO_FAR beyond it, as emit skipped it', async () => {
    const db = await loadDatabase(join(dir, 'fits.json'), join(dir, 'perf_db.csv'));
    expect((await lookup(db, q(750))).from).toBe('fit');
    expect((await readDb(dir)).some((r) => r.model === 'tiny' && Number(r.prompt_size) === 900)).toBe(false);
    await expect(lookup(db, q(900))).rejects.toMatchObject({ code: 'E_TOO_FAR' });
  });

  it.each([-5, 0, 1.5, Number.NaN, 2 ** 27])('throws E_BAD_QUERY for prompt_size %d', async (prompt) => {
    const db = await loadDatabase(join(dir, 'fits.json'), join(dir, 'perf_db.csv'));
    const error = await lookup(db, q(prompt)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerfDbError);
    expect((error as PerfDbError).code).toBe('E_BAD_QUERY');
  });
});

describe('lookup() answers only in finite numbers, from a fits.json whose range is its knots\' span', () => {
  const args = (q: Query) => ['--model', q.model, '--hardware', q.hardware, '--tp', String(q.tensor_parallel), '--prompt', String(q.prompt_size), '--batch', String(q.batch_size), '--tokens', String(q.token_size)];
  const firstGroup = (fits: FitsFile) => fits.groups[0] as FitsFile['groups'][number];
  const upperTail = (fits: FitsFile) => (firstGroup(fits).fits.token_time.tails as { upper: { anchor: number | null; model: { coef: number[] } | null } }).upper;

  /** A copy of the main database whose fits.json `damage` edited; its folder. */
  async function damaged(name: string, damage: (fits: FitsFile) => void): Promise<string> {
    const out = join(dir, name);
    await mkdir(out);
    const fits = JSON.parse(await readFile(join(main, 'fits.json'), 'utf8')) as FitsFile;
    damage(fits);
    await writeFile(join(out, 'fits.json'), JSON.stringify(fits));
    await copyFile(join(main, 'perf_db.csv'), join(out, 'perf_db.csv'));
    return out;
  }

  const HINT = 'hint: the database holds values no run writes; regenerate it with `npm run generate`';
  it.each<[string, (fits: FitsFile) => void, Query, string]>([
    // tiny's token_time upper tail is y_n · M / anchor: an anchor of 5e-324 sends it past the largest double at (500, 2, 7).
    ['a model tail whose anchor overflows token_time', (f) => (upperTail(f).anchor = 5e-324), tiny(500, 2, 7), 'token_time is Infinity'],
    // (300, 1) is a row without err cells: the interior band gives its interval, 36.5 × (1 + 1e307) overflows.
    ['a band whose interval end overflows for a row', (f) => (((f.bands.prompt_time as NonNullable<FitsFile['bands']['prompt_time']>).interior as { q: number }).q = 1e307), tiny(300, 1, 10), "the upper end of prompt_time's interval is Infinity"],
  ])('throws E_NON_FINITE for %s, and the CLI prints one line, no answer and no null', async (name, damage, q, what) => {
    const out = await damaged(name.replace(/\W+/g, '-'), damage);
    const message = `the answer at (prompt ${q.prompt_size}, batch ${q.batch_size}, tokens ${q.token_size}) is not a finite number: ${what}; a lookup never answers NaN or Infinity`;
    const error = await lookup(await loadDatabase(join(out, 'fits.json'), join(out, 'perf_db.csv')), q).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerfDbError);
    expect(error).toMatchObject({ code: 'E_NON_FINITE', message, place: { group: 'tiny/hw/tp=1' } });
    for (const json of [[], ['--json']]) {
      const run = await query([...args(q), '--db', out, ...json]);
      expect([run.status, run.stdout, run.stderr]).toEqual([1, '', `E_NON_FINITE ${message} (group tiny/hw/tp=1); ${HINT}\n`]);
    }
  });

  it.each<[string, (fits: FitsFile) => void, string]>([
    ['knot times that overflow', (f) => firstGroup(f).fits.prompt_time.knots.y.fill(1.7e308), '/groups/0/fits/prompt_time/knots/y/0: 1.7e+308 ms is outside the times a run accepts, 1e-9 to 1000000000000 ms'],
    ["a token_time model tail's coefficients that overflow", (f) => ((upperTail(f).model as { coef: number[] }).coef = [1.7e308, 1.7e308, 1.7e308]), "/groups/0/fits/token_time/tails/upper/model/coef/0: 1.7e+308 is outside 0 to 1000000000000; a model's coefficients are non-negative and at most the largest time a run accepts, in ms per unit of their term"],
    ['a range that does not hold the knots', (f) => (firstGroup(f).range = [1, 2]), '/groups/0/range: [1, 2] is not the span of the prompt_time knots, 100..400; the range is the measured batch_tokens range, first knot to last'],
  ])('refuses a fits.json with %s before answering: the CLI prints one line naming the file and the JSON path', async (name, damage, what) => {
    const out = await damaged(name.replace(/\W+/g, '-'), damage);
    await expect(loadDatabase(join(out, 'fits.json'), join(out, 'perf_db.csv'))).rejects.toMatchObject({ code: 'E_BAD_DATABASE', place: { file: join(out, 'fits.json') } });
    // (300, 1) lies inside the knots 100..400; a range of [1, 2] would call it extrapolated, 150 times beyond.
    const run = await query([...args(tiny(300, 1, 10)), '--db', out, '--json']);
    expect([run.status, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toBe(`${join(out, 'fits.json')}: E_BAD_DATABASE fits.json is not a valid fits file: ${what}; hint: the file is damaged or was edited; regenerate it with \`npm run generate\`\n`);
  });

  it('reads a database written with --token-key batch_size, whose token_time knots are batch sizes, not batch_tokens', async () => {
    const input = join(dir, 'batch-size-key.csv');
    // c/hw/tp=1 at batch sizes 1 and 2: batch_tokens 100..400.
    await writeFile(input, 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time\nc,hw,1,100,1,10,10,1\nc,hw,1,200,1,10,20,2\nc,hw,1,100,2,10,25,3\nc,hw,1,200,2,10,50,4\n');
    const out = join(dir, 'batch-size-key');
    const run = await generate(['--input', input, '--out', out, '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots', '--token-key', 'batch_size']);
    expect(run.status, run.stderr).toBe(0);
    const keyed = await loadDatabase(join(out, 'fits.json'), join(out, 'perf_db.csv'));
    expect(firstGroup(keyed.fits)).toMatchObject({ range: [100, 400], fits: { prompt_time: { knots: { x: [100, 200, 400] } }, token_time: { key: 'batch_size', knots: { x: [1, 2] } } } });
    const c = { model: 'c', hardware: 'hw', tensor_parallel: 1, prompt_size: 300, batch_size: 2, token_size: 10 };
    expect(await lookup(keyed, c)).toMatchObject({ from: 'row', source: 'extrapolated', factor: 1.5 });
  });
});
