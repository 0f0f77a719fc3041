/**
 * drawPlotsAside: the plots charted and drawn in a worker thread while the
 * rows are emitted give the files and the map that chartSeries + drawPlots
 * give in this thread, and a failure in the worker reaches the caller.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInput } from '../pipeline/io/inputs.js';
import { drawPlotsAside } from '../pipeline/plot-thread.js';
import { chartSeries, drawPlots } from '../pipeline/plots/draw.js';
import type { Grid, PipelineResult } from '../pipeline/types.js';
import { cleanUp, generate, pipelineRun, realDataPath, scratch } from './helpers.js';

const GRID: Grid = { prompts: [128, 512, 2048], batches: null, tokens: null };
let dir: string;
let result: PipelineResult;

beforeAll(async () => {
  dir = await scratch('perfdb-plot-thread-');
  result = await pipelineRun([await openInput(realDataPath())], { grid: GRID, concurrency: 1 }, () => undefined);
});
afterAll(() => cleanUp(dir));

/** Every file a writer was given, by name. */
function collector(root: string) {
  return async (name: string, content: string) => {
    await mkdir(join(root, 'plots'), { recursive: true });
    await writeFile(join(root, name), content);
  };
}

describe('drawPlotsAside()', () => {
  it('writes the SVG files drawPlots writes, byte for byte, and returns the same charts and map', async () => {
    const groups = result.groups.slice(0, 2);
    const here = join(dir, 'here');
    const charts = chartSeries(groups, GRID);
    const plots = await drawPlots(groups, charts, join(dir, 'no-cache'), collector(here));
    const aside = join(dir, 'aside');
    // Only what the fit stage planned crosses to the worker: no emitted summaries.
    const plans = groups.map(({ emitted: _e, measuredMonotonicity: _m, ...plan }) => plan);
    const job = await drawPlotsAside({ plans, grid: GRID, excludeAnomalies: false, cacheDir: join(dir, 'no-cache'), skipBeyond: null }, collector(aside)).done;
    expect(job.charts).toEqual(charts);
    expect(job.plots).toEqual(plots);
    const names = (await readdir(join(here, 'plots'))).sort();
    expect(names.length).toBeGreaterThan(2);
    expect((await readdir(join(aside, 'plots'))).sort()).toEqual(names);
    for (const name of names) expect(await readFile(join(aside, 'plots', name), 'utf8')).toBe(await readFile(join(here, 'plots', name), 'utf8'));
  }, 120_000);

  it('charts the measured rows --exclude-anomalies emits as predictions as the main thread does, from the plans alone', async () => {
    const excluded = await pipelineRun([await openInput(realDataPath())], { grid: GRID, concurrency: 1, excludeAnomalies: true }, () => undefined);
    // llama2-70b/a100-80gb/tp=2: its collapsed batch-64 row is replaced.
    const groups = excluded.groups.filter((g) => g.emitted.replaced.length > 0).slice(0, 1);
    expect(groups).toHaveLength(1);
    const plans = groups.map(({ emitted: _e, measuredMonotonicity: _m, ...plan }) => plan);
    const job = await drawPlotsAside({ plans, grid: GRID, excludeAnomalies: true, cacheDir: join(dir, 'no-cache'), skipBeyond: null }, collector(join(dir, 'excluded'))).done;
    expect(job.charts).toEqual(chartSeries(groups, GRID));
  }, 120_000);

  it('draws every plot of a generate run without loading vega or vega-lite, in the worker or anywhere else', async () => {
    // A module hook, preloaded in the run and in each of its worker threads (NODE_OPTIONS), lists every module loaded.
    const log = join(dir, 'modules.log');
    await writeFile(join(dir, 'hooks.mjs'), "import { appendFileSync } from 'node:fs';\nlet log;\nexport function initialize(data) { log = data.log; }\nexport async function load(url, context, next) { appendFileSync(log, url + '\\n'); return next(url, context); }\n");
    await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url), { data: { log: ${JSON.stringify(log)} } });\n`);
    const out = join(dir, 'generated');
    const run = await generate(['--input', realDataPath(), '--prompts', '128,2048', '--out', out], { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'register.mjs')).href}` });
    expect(run.status, run.stderr).toBe(0);
    expect((await readdir(join(out, 'plots'))).length).toBeGreaterThan(10);
    const modules = (await readFile(log, 'utf8')).split('\n');
    // The hook saw the plot worker start: had it missed the worker, this would fail. The worker is the
    // bundled one (dist/bin/, where the chart libraries are left outside the bundle, so an import of
    // them would load them from node_modules), or the compiled tree's without esbuild.
    expect(modules.some((url) => /\/dist\/(bin|pipeline)\/plot-worker\.js$/.test(url))).toBe(true);
    expect(modules.filter((url) => /\/node_modules\/vega/.test(url))).toEqual([]);
  }, 120_000);

  it('gives the charts before the plots are drawn, and a failure before them fails them too', async () => {
    const groups = result.groups.slice(0, 1);
    const plans = groups.map(({ emitted: _e, measuredMonotonicity: _m, ...plan }) => plan);
    const order: string[] = [];
    const job = drawPlotsAside({ plans, grid: GRID, excludeAnomalies: false, cacheDir: join(dir, 'no-cache'), skipBeyond: null }, async () => void order.push('write'));
    const charts = await job.charts.finally(() => order.push('charts'));
    await job.done;
    expect(charts).toEqual(chartSeries(groups, GRID));
    expect(order[0]).toBe('charts');
    expect(order.filter((o) => o === 'write').length).toBeGreaterThan(2);
    // A plan the worker cannot chart: its error reaches both.
    const broken = drawPlotsAside({ plans: [{ ...(plans[0] as (typeof plans)[number]), configurations: null as never }], grid: GRID, excludeAnomalies: false, cacheDir: join(dir, 'no-cache'), skipBeyond: null }, async () => undefined);
    await expect(broken.charts).rejects.toThrow();
    await expect(broken.done).rejects.toThrow();
  }, 120_000);

  it('rejects with the error of a write that failed', async () => {
    const plans = result.groups.slice(0, 1).map(({ emitted: _e, measuredMonotonicity: _m, ...plan }) => plan);
    const failing = async () => {
      throw new Error('disk full');
    };
    await expect(drawPlotsAside({ plans, grid: GRID, excludeAnomalies: false, cacheDir: join(dir, 'no-cache'), skipBeyond: null }, failing).done).rejects.toThrow('disk full');
  }, 120_000);
});
