/**
 * emittedLine picks its points by x without listing the grid (plots/candidates.ts); this holds it
 * to the points the implementation that listed every grid point picked, kept here as the slow
 * reference, on the real data's groups and grids of every kind.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveGrid } from '../pipeline/core/grid.js';
import { configKey } from '../pipeline/core/keys.js';
import { dependsOnTokens, makePredictors, xOf, type Predictors } from '../pipeline/fit/predict.js';
import { emittedLine } from '../pipeline/plots/emitted.js';
import type { ChartedGroup, ChartMetric } from '../pipeline/plots/types.js';
import type { Grid, PipelineResult } from '../pipeline/types.js';
import { pipelineRun, realDataPath, source } from './helpers.js';

type Picked = [x: number, prompt: number, batch: number, tokens: number];

/** Each distinct x of the grid, ascending, with its (prompt, batch) points in grid order: what the line was chosen from before. */
function listing(g: ChartedGroup, grid: Grid, metric: ChartMetric, predictors: Predictors): [number, [number, number][]][] {
  const key = metric === 'e2e_time' ? predictors.prompt_time : predictors[metric];
  if (key === null) return [];
  const shaped = metric === 'e2e_time' ? predictors.token_time : predictors[metric];
  const { prompts, batches } = resolveGrid(grid, g.configurations);
  const bMax = Math.max(...batches);
  const reach = Math.min(...prompts) * bMax;
  const byX = new Map<number, [number, number][]>();
  for (const p of prompts) {
    for (const b of batches) {
      const x = xOf(key, p, b);
      if (b !== bMax && x >= reach && shaped !== null && dependsOnTokens(shaped, p, b)) continue;
      const list = byX.get(x);
      if (list === undefined) byX.set(x, [[p, b]]);
      else list.push([p, b]);
    }
  }
  return [...byX].sort((a, b) => a[0] - b[0]);
}

/** The points the line was drawn at before: from the listing, per token size, thinned on a log scale. */
function reference(g: ChartedGroup, candidates: [number, [number, number][]][], metric: ChartMetric, tokens: readonly number[], most: number): Picked[] {
  const replaced = new Set(g.emitted.replaced.map((c) => configKey(c.prompt_size, c.batch_size, c.token_size)));
  const measured = new Set(g.configurations.map((c) => configKey(c.prompt_size, c.batch_size, c.token_size)).filter((k) => !replaced.has(k)));
  const knots = new Set(metric === 'e2e_time' ? [] : (g.fit.fits[metric]?.knots.x ?? []));
  return tokens.flatMap((t) => {
    const firsts = new Map<number, [number, number]>();
    for (const [x, list] of candidates) {
      const first = list.find(([p, b]) => !measured.has(configKey(p, b, t)));
      if (first !== undefined) firsts.set(x, first);
    }
    return thinned([...firsts.keys()], most, knots).map((x): Picked => [x, ...(firsts.get(x) as [number, number]), t]);
  });
}

function thinned(xs: readonly number[], most: number, keep: ReadonlySet<number>): number[] {
  if (xs.length <= most) return [...xs];
  const lo = Math.log(xs[0] as number);
  const hi = Math.log(xs[xs.length - 1] as number);
  const picked = new Set<number>(xs.filter((x) => keep.has(x)));
  let i = 0;
  for (let k = 0; k < most; k++) {
    const target = Math.exp(lo + ((hi - lo) * k) / (most - 1));
    while (i < xs.length - 1 && (xs[i] as number) < target) i++;
    picked.add(xs[i] as number);
  }
  return [...picked].sort((a, b) => a - b);
}

const range = (a: number, b: number, step = 1) => Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + step * i);
const METRICS: ChartMetric[] = ['prompt_time', 'token_time', 'e2e_time', 'peak_power', 'average_power'];
const GRIDS: { name: string; grid: Grid; groups?: number }[] = [
  { name: "the README's grid", grid: { prompts: range(128, 8192, 64), batches: null, tokens: null } },
  { name: 'the medium grid (prompts 1..8192:4, batches 1..64, tokens 128,512), two groups', grid: { prompts: range(1, 8192, 4), batches: range(1, 64), tokens: [128, 512] }, groups: 2 },
  { name: 'prompts and batches out of order, with repeats', grid: { prompts: [4096, 128, 300, 128, 7000, 1, 2048], batches: [16, 1, 3, 64, 2, 3], tokens: [512, 128] } },
  { name: 'a grid with fewer x than the line has points', grid: { prompts: [128, 256], batches: null, tokens: null } },
  { name: 'batches that divide few batch_tokens (1..64:7), prompts 1..5000:7', grid: { prompts: range(1, 5000, 7), batches: range(1, 64, 7), tokens: [128] } },
  // Past 2^24 the grid's distinct batch_tokens are sorted, not marked.
  { name: 'prompt sizes in the millions (batch_tokens past 2^24)', grid: { prompts: [1, 128, 999_983, 2_000_003, 5_000_011, 7_777_777], batches: range(1, 64, 3), tokens: [128] } },
];

const runs = new Map<string, PipelineResult>();

beforeAll(async () => {
  const text = readFileSync(realDataPath(), 'utf8');
  const grid: Grid = { prompts: [128, 2048], batches: null, tokens: null };
  runs.set('default', await pipelineRun([source(text)], { grid }, () => undefined));
  runs.set('--token-key batch_size', await pipelineRun([source(text)], { grid, tokenKey: 'batch_size' }, () => undefined));
  runs.set('--exclude-anomalies', await pipelineRun([source(text)], { grid, excludeAnomalies: true }, () => undefined));
}, 120_000);

describe('emittedLine()', () => {
  it.each(GRIDS)('picks the points the listing of every grid point picked: $name', ({ grid, groups }) => {
    let compared = 0;
    for (const [run, result] of runs) {
      for (const g of result.groups.slice(0, groups)) {
        const predictors = makePredictors(g.fit);
        const tokens = resolveGrid(grid, g.configurations).tokens;
        for (const metric of METRICS) {
          const candidates = listing(g, grid, metric, predictors);
          for (const [most, lineTokens] of [[160, tokens.slice(0, 1)], [40, tokens], [7, tokens.slice(-1)]] as const) {
            const got = emittedLine(g, grid, metric, predictors, lineTokens, most).map((e): Picked => [e.x, e.config!.prompt_size, e.config!.batch_size, e.config!.token_size]);
            expect(got, `${run} ${g.fit.id} ${metric} most=${most}`).toEqual(reference(g, candidates, metric, lineTokens, most));
            compared += got.length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 120_000);
});
