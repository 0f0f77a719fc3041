/**
 * The charts drawn from the real data against the perf_db.csv the same run
 * writes: every point of the line is a row of the database with the value it
 * holds, whatever the tail, hold or clamp that made it.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHARTED, chartSeries } from '../pipeline/plots/draw.js';
import { plotSpec } from '../pipeline/plots/spec.js';
import type { GroupChart } from '../pipeline/plots/types.js';
import type { Grid, PipelineResult } from '../pipeline/types.js';
import { pipelineRun, realDataPath, source } from './helpers.js';

/** The README's grid: --prompts 128..8192 --step 64, batches and tokens as measured. */
const GRID: Grid = { prompts: Array.from({ length: 127 }, (_, i) => 128 + 64 * i), batches: null, tokens: null };
const COLUMNS = ['model', 'hardware', 'prompt_size', 'batch_size', 'token_size', 'peak_power', 'average_power', 'prompt_time', 'token_time', 'e2e_time', 'tensor_parallel', 'source'];

let result: PipelineResult;
let charts: GroupChart[][];
/** perf_db.csv's rows by model,hardware,tp,prompt,batch,tokens (the real names hold no comma or quote). */
const rows = new Map<string, Record<string, string>>();

beforeAll(async () => {
  let csv = '';
  result = await pipelineRun([source(readFileSync(realDataPath(), 'utf8'))], { grid: GRID }, (chunk) => {
    csv += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  });
  for (const line of csv.split('\n')) {
    if (line === '' || line.startsWith('model,')) continue;
    const cells = line.split(',');
    const row = Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i] as string]));
    rows.set([row.model, row.hardware, row.tensor_parallel, row.prompt_size, row.batch_size, row.token_size].join(','), row);
  }
  charts = chartSeries(result.groups, GRID);
}, 120_000);

describe('chartSeries() with --max-extrapolation 2 and skip', () => {
  it('draws only rows perf_db.csv holds: none of those it skips', async () => {
    let csv = '';
    const skipped = await pipelineRun([source(readFileSync(realDataPath(), 'utf8'))], { grid: GRID, maxExtrapolation: { factor: 2, action: 'skip' } }, (chunk) => {
      csv += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    });
    const kept = new Set(
      csv.split('\n').map((line) => {
        const row = Object.fromEntries(COLUMNS.map((c, i) => [c, line.split(',')[i]]));
        return [row.model, row.hardware, row.tensor_parallel, row.prompt_size, row.batch_size, row.token_size].join(',');
      }),
    );
    let drawn = 0;
    chartSeries(skipped.groups, GRID, 2).forEach((group, i) => {
      const g = skipped.groups[i]!;
      for (const { series } of group) {
        for (const p of series.emitted) {
          const c = p.config!;
          expect(kept.has([g.fit.model, g.fit.hardware, g.fit.tensor_parallel, c.prompt_size, c.batch_size, c.token_size].join(',')), `${g.fit.id} ${JSON.stringify(c)}`).toBe(true);
          drawn++;
        }
      }
    });
    expect(drawn).toBeGreaterThan(1000);
    // Without the factor the same charts reach beyond it: the filter is what keeps them inside.
    const reach = chartSeries(skipped.groups, GRID).flat().flatMap((c) => c.series.emitted.map((p) => p.config!.prompt_size * p.config!.batch_size));
    expect(Math.max(...reach)).toBeGreaterThan(2 * 32768);
  }, 120_000);
});

describe('chartSeries() on the real data', () => {
  it('draws the line through the values perf_db.csv holds, row for row, with their source', () => {
    let checked = 0;
    result.groups.forEach((g, i) => {
      for (const { metric, series } of charts[i] ?? []) {
        for (const p of series.emitted) {
          const c = p.config!;
          const row = rows.get([g.fit.model, g.fit.hardware, g.fit.tensor_parallel, c.prompt_size, c.batch_size, c.token_size].join(','));
          expect(row, `${g.fit.id} ${metric} ${JSON.stringify(c)}`).toBeDefined();
          expect(p.y, `${g.fit.id} ${metric} ${JSON.stringify(c)}`).toBe(Number(row![metric]));
          expect(p.source).toBe(row!.source);
          checked++;
        }
      }
    });
    expect(checked).toBeGreaterThan(5000);
  });

  it('holds llama2-70b/a100-80gb/tp=2 prefill flat where the database does, and never plunges below what was measured', () => {
    const i = result.groups.findIndex((g) => g.fit.id === 'llama2-70b/a100-80gb/tp=2');
    const series = charts[i]!.find((c) => c.metric === 'prompt_time')!.series;
    const smallest = Math.min(...series.repetitions.map((r) => r.y));
    expect(Math.min(...series.emitted.map((e) => e.y))).toBeGreaterThanOrEqual(smallest);
    // The spec's line is made of the emitted points and nothing else (a segment repeats its neighbour's first point).
    const layers = (plotSpec(series) as unknown as { layer: { mark: { type: string }; data?: { values?: Record<string, number>[] } }[] }).layer;
    const line = layers.filter((l) => l.mark.type === 'line').flatMap((l) => l.data!.values!);
    const emitted = new Set(series.emitted.map((e) => `${e.x},${e.y}`));
    expect(line.length).toBeGreaterThanOrEqual(series.emitted.length);
    expect(line.every((r) => emitted.has(`${r.x},${r.y}`))).toBe(true);
  });

  it('marks held values: each held point is a row whose value repeats a measured median or the tail end', () => {
    const held = charts.flat().flatMap((c) => c.series.emitted.filter((e) => e.held !== undefined).map((e) => ({ c, e })));
    expect(held.length).toBeGreaterThan(0);
    for (const { c, e } of held.filter(({ c }) => c.metric !== 'e2e_time')) {
      // A value held at a knot's median or at the group's smallest median: one of the measured medians.
      const knots = new Set(c.series.medians.map((m) => m.y));
      const smallest = Math.min(...c.series.repetitions.map((r) => r.y));
      expect(knots.has(e.y) || e.y >= smallest).toBe(true);
    }
  });

  it('charts prompt_time, token_time, e2e_time, and both powers where recorded (not all zeros), each metric on one scale type in every group', () => {
    // The real data records power on the a100 groups only: the h100 groups' power columns hold zeros.
    result.groups.forEach((g, i) => expect(charts[i]!.map((c) => c.metric)).toEqual(g.fit.hardware === 'a100-80gb' ? [...CHARTED] : ['prompt_time', 'token_time', 'e2e_time']));
    for (const metric of CHARTED) {
      const logs = new Set(charts.flat().filter((c) => c.metric === metric).map((c) => c.series.yLog));
      expect(logs.size).toBe(1);
    }
    // prompt_time spans 75 ms to some 200 s: log; the powers hold zeros (nothing measured): linear.
    expect(charts[0]!.find((c) => c.metric === 'prompt_time')!.series.yLog).toBe(true);
    expect(charts[0]!.find((c) => c.metric === 'peak_power')!.series.yLog).toBe(false);
  });

  it('states the leave-one-out error and the method in the subtitle', () => {
    result.groups.forEach((g, i) => {
      const fit = g.fit.fits.prompt_time!;
      const mape = fit.loo.ape.reduce((s, v) => s + v, 0) / fit.loo.ape.length;
      const subtitle = charts[i]!.find((c) => c.metric === 'prompt_time')!.series.subtitle!;
      expect(subtitle[0]).toBe(`fit: ${fit.method} on ${fit.key}; beyond the measured range: ${fit.tails!.upper.kind} above, ${fit.tails!.lower.kind} below`);
      expect(subtitle[1]).toBe(`leave-one-out error ${Number((mape * 100).toPrecision(3))}% (mean over ${fit.loo.ape.length} interior knots, each left out and predicted from the rest)`);
    });
  });
});
