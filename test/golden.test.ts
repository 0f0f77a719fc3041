import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, FIXTURES, generate, NO_PLOTS, scratch, type CliRun } from './helpers.js';

/**
 * The whole CLI on a small hand-written input, compared byte for byte with
 * test/fixtures/golden/expected_perf_db.csv, which was computed independently
 * with pandas + scipy (test/fixtures/golden/make_expected.py) and checked by hand:
 * two groups; tiny has 3 repetitions at (100, 1, 10) plus one exact duplicate,
 * 2 at (200, 1, 10) (an even count), a second configuration at batch_tokens 200,
 * and a measured prompt (400) off the grid; tiny2 extrapolates to values that are
 * clamped (prompt_time below, token_time and average_power above) and to an
 * average_power of exactly 0, which is kept.
 */
const INPUT = join(FIXTURES, 'golden', 'input.csv');
const EXPECTED = join(FIXTURES, 'golden', 'expected_perf_db.csv');
// SplitwiseSim's own line beyond the range (what make_expected.py computes); the default tails are tested in test/tails-real.test.ts.
const GRID = ['--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--extrapolate', 'linear'];

let dir: string;
let out: string;
let run: CliRun;
beforeAll(async () => {
  dir = await scratch();
  out = join(dir, 'out');
  run = await generate(['--input', INPUT, '--out', out, ...GRID]);
});
afterAll(async () => {
  await cleanUp(dir);
});

/** Later runs skip the charts: the first run, with them, is the reference. */
async function generateFrom(inputs: string[], folder: string): Promise<Buffer> {
  const result = await generate([...inputs.flatMap((i) => ['--input', i]), '--out', folder, ...GRID, NO_PLOTS]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return readFile(join(folder, 'perf_db.csv'));
}

describe('generate (golden)', () => {
  it('writes perf_db.csv byte for byte as expected', async () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // 6 measured, 3 interpolated, 4 extrapolated
    expect(run.stdout).toMatch(/^Wrote 13 rows to .* \(6 measured, 3 interpolated, 4 extrapolated\)/);
    const actual = await readFile(join(out, 'perf_db.csv'));
    const expected = await readFile(EXPECTED);
    expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
    expect(actual.equals(expected)).toBe(true);
  });

  it('writes the same bytes on a second run into the same folder', async () => {
    const first = await readFile(join(out, 'perf_db.csv'));
    const second = await generateFrom([INPUT], out);
    expect(second.equals(first)).toBe(true);
  });

  it('writes the same bytes when the input is split into two files or its rows are shuffled', async () => {
    const [header, ...rows] = (await readFile(INPUT, 'utf8')).trimEnd().split('\n');
    // rows 0 and 3 are the exact duplicate: they end up in different files, given second file first
    const partA = join(dir, 'part-a.csv');
    const partB = join(dir, 'part-b.csv');
    await writeFile(partA, `${[header, ...rows.slice(0, 2), ...rows.slice(6)].join('\n')}\n`);
    await writeFile(partB, `${[header, ...rows.slice(2, 6)].join('\r\n')}\r\n`);
    const shuffled = join(dir, 'shuffled.csv');
    const order = [7, 3, 9, 0, 5, 2, 8, 1, 6, 4];
    expect([...order].sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
    await writeFile(shuffled, `${[header, ...order.map((i) => rows[i])].join('\n')}\n`);

    const expected = await readFile(EXPECTED);
    const [split, shuffledOut] = await Promise.all([generateFrom([partB, partA], join(dir, 'split')), generateFrom([shuffled], join(dir, 'shuffled'))]);
    expect(split.equals(expected)).toBe(true);
    expect(shuffledOut.equals(expected)).toBe(true);
  });
});
