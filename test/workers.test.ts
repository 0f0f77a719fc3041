/**
 * The compiled worker path, as `npm run generate` ships it (dist/pipeline/emit/worker.js):
 * with --worker-min-rows 0 even a small grid is emitted in worker threads, and
 * the bytes must be those of the single-threaded run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, FIXTURES, generate, NO_PLOTS, realDataPath, scratch } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await scratch('perfdb-workers-');
});
afterAll(() => cleanUp(dir));

const GRID = ['--prompts', '100..1000', '--step', '50', '--batches', '1..8', '--tokens', '10,20'];

describe('generate in worker threads (compiled)', () => {
  it.each([
    ['the golden fixture', join(FIXTURES, 'golden', 'input.csv')],
    ['the real data', realDataPath()],
  ])('writes the same bytes with --worker-min-rows 0 --concurrency 2 as with --concurrency 1, on %s', async (_name, input) => {
    const outs = { workers: join(dir, `${_name}-w`), single: join(dir, `${_name}-1`) };
    const workers = await generate([NO_PLOTS, '--timings', '--input', input, ...GRID, '--worker-min-rows', '0', '--concurrency', '2', '--out', outs.workers]);
    const single = await generate([NO_PLOTS, '--timings', '--input', input, ...GRID, '--concurrency', '1', '--out', outs.single]);
    expect(workers.status).toBe(0);
    expect(single.status).toBe(0);
    // --timings names the workers the emit stage used.
    expect(workers.stderr).toMatch(/emit \+ validate \+ write \(2 workers\)/);
    expect(single.stderr).not.toMatch(/workers\)/);
    for (const name of ['perf_db.csv', 'fits.json', 'quality-report.json']) {
      expect((await readFile(join(outs.workers, name))).equals(await readFile(join(outs.single, name)))).toBe(true);
    }
  });

  it('writes the same bytes when the file stream gives full chunks back to be filled again (about 786,000 rows)', async () => {
    const grid = ['--prompts', '2..4096', '--step', '2', '--batches', '1..32', '--tokens', '128'];
    const outs = { workers: join(dir, 'big-w'), single: join(dir, 'big-1') };
    const workers = await generate([NO_PLOTS, '--timings', '--input', realDataPath(), ...grid, '--concurrency', '2', '--out', outs.workers]);
    const single = await generate([NO_PLOTS, '--input', realDataPath(), ...grid, '--concurrency', '1', '--out', outs.single]);
    expect(workers.status, workers.stderr).toBe(0);
    expect(single.status, single.stderr).toBe(0);
    expect(workers.stderr).toMatch(/emit \+ validate \+ write \(2 workers\)/);
    // The grid's 786,432 rows and the measured ones off it.
    expect(workers.stdout).toMatch(/^Wrote 786,?5\d\d rows /);
    expect((await readFile(join(outs.workers, 'perf_db.csv'))).equals(await readFile(join(outs.single, 'perf_db.csv')))).toBe(true);
  });

  it('emits a single group in worker threads too (they take slices of it), with the same bytes', async () => {
    const text = await readFile(realDataPath(), 'utf8');
    const [header, ...rows] = text.trimEnd().split('\n');
    const input = join(dir, 'one-group.csv');
    await writeFile(input, `${[header, ...rows.filter((r) => r.startsWith('llama2-70b,a100-80gb,') && r.endsWith(',2'))].join('\n')}\n`);
    const outs = { workers: join(dir, 'one-w'), single: join(dir, 'one-1') };
    const workers = await generate([NO_PLOTS, '--timings', '--input', input, ...GRID, '--worker-min-rows', '0', '--concurrency', '2', '--out', outs.workers]);
    const single = await generate([NO_PLOTS, '--input', input, ...GRID, '--concurrency', '1', '--out', outs.single]);
    expect(workers.status, workers.stderr).toBe(0);
    expect(single.status, single.stderr).toBe(0);
    expect(workers.stdout).toMatch(/ for 1 groups /);
    expect(workers.stderr).toMatch(/emit \+ validate \+ write \(2 workers\)/);
    expect((await readFile(join(outs.workers, 'perf_db.csv'))).equals(await readFile(join(outs.single, 'perf_db.csv')))).toBe(true);
  });

  it('reports an error raised inside a worker as the one-line error of the single-threaded run', async () => {
    const args = [NO_PLOTS, '--input', join(FIXTURES, 'golden', 'input.csv'), ...GRID, '--strict'];
    const workers = await generate([...args, '--worker-min-rows', '0', '--concurrency', '2', '--out', join(dir, 'sw')]);
    const single = await generate([...args, '--concurrency', '1', '--out', join(dir, 's1')]);
    expect(single.status).toBe(1);
    expect(single.stderr).toMatch(/^E_MONOTONICITY 8 emitted rows break monotonicity; the first: token_time falls from 5 at \(prompt 100, batch 2, tokens 10\) to 3 at \(prompt 100, batch 3, tokens 10\) \(group tiny2\/hw\/tp=2\)/);
    expect(workers.status).toBe(single.status);
    expect(workers.stderr).toBe(single.stderr);
  });
});
