import type { ResolvedGrid } from '../core/grid.js';
import { configKey } from '../core/keys.js';
import { searchLeft } from '../fit/interpolate.js';
import { makePredictors, predictPoint } from '../fit/predict.js';
import type { Configuration, GroupFit } from '../types.js';

type Sizes = [prompt: number, batch: number, token: number];
type Values = [promptTime: number, tokenTime: number, e2eTime: number];

/** What a measured row breaking monotonicity is replaced by, as the report states it. */
export const REPLACEMENT_RULE = 'a measured row that breaks monotonicity against its neighbours is replaced by the prediction';

/** The metrics checked along each axis (index into Values) and their names. */
const METRICS_ALONG: Record<0 | 1 | 2, [number, string][]> = { 0: [[0, 'prompt_time']], 1: [[0, 'prompt_time'], [1, 'token_time']], 2: [[2, 'e2e_time']] };
const AXIS_NAMES = ['prompt_size', 'batch_size', 'token_size'];

/**
 * The measured configurations whose row is a prediction under
 * --exclude-anomalies, keyed by configKey, with the reason:
 * - those the fit left out (fit.excluded);
 * - then, repeatedly until none is left, each whose row would break
 *   monotonicity against a row next to it in the database: prompt_time lower
 *   than the row before it or higher than the row after it along prompt_size
 *   or batch_size, token_time likewise along batch_size, e2e_time likewise
 *   along token_size. Replacing such a row by the (monotone) prediction can
 *   only remove violations, so the loop ends; with a monotone fit the
 *   database then has none.
 */
export function replacedRows(fit: GroupFit, measured: readonly Configuration[], grid: ResolvedGrid): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fit.excluded) out.set(configKey(e.prompt_size, e.batch_size, e.token_size), `left out of the fit: ${e.rule}`);
  const value = rowValues(fit, measured, out);
  const line = neighbours(measured, grid);
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of measured) {
      const key = configKey(c.prompt_size, c.batch_size, c.token_size);
      if (out.has(key)) continue;
      const reason = violation(c, value, line);
      if (reason !== null) {
        out.set(key, `${reason}; rule: ${REPLACEMENT_RULE}`);
        changed = true;
      }
    }
  }
  return out;
}

/** The first way a measured row breaks monotonicity against its neighbours, or null. */
function violation(c: Configuration, value: (s: Sizes) => Values, line: ReturnType<typeof neighbours>): string | null {
  const sizes: Sizes = [c.prompt_size, c.batch_size, c.token_size];
  const own = value(sizes);
  for (const axis of [0, 1, 2] as const) {
    const [before, after] = line(axis, sizes).map((s) => (s === null ? null : value(s)));
    for (const [m, name] of METRICS_ALONG[axis]) {
      const v = own[m] as number;
      if (before != null && v < (before[m] as number)) return `measured ${name} ${v} is below the row at the next smaller ${AXIS_NAMES[axis]} (${before[m]})`;
      if (after != null && v > (after[m] as number)) return `measured ${name} ${v} is above the row at the next larger ${AXIS_NAMES[axis]} (${after[m]})`;
    }
  }
  return null;
}

/** The values a row at these sizes has in the database: its medians while measured and not replaced, else the prediction. */
function rowValues(fit: GroupFit, measured: readonly Configuration[], replaced: ReadonlyMap<string, string>): (s: Sizes) => Values {
  const byKey = new Map(measured.map((c) => [configKey(c.prompt_size, c.batch_size, c.token_size), c]));
  const predictors = makePredictors(fit);
  const predictions = new Map<string, [number, number]>();
  return ([p, b, t]) => {
    const key = configKey(p, b, t);
    const c = byKey.get(key);
    if (c !== undefined && !replaced.has(key)) {
      const pt = c.metrics.prompt_time?.median ?? NaN;
      const tt = c.metrics.token_time?.median ?? NaN;
      return [pt, tt, c.metrics.e2e_time?.median ?? pt + (t - 1) * tt];
    }
    const key3 = configKey(p, b, t);
    let point = predictions.get(key3);
    if (point === undefined) {
      const { values } = predictPoint(predictors, p, b, t);
      predictions.set(key3, (point = [values.prompt_time as number, values.token_time as number]));
    }
    return [point[0], point[1], point[0] + (t - 1) * point[1]];
  };
}

/**
 * The rows next to a configuration along one axis, the others fixed: the
 * nearest smaller and larger size that has a row (a grid value, when the
 * fixed sizes are on the grid, or a measured configuration).
 */
function neighbours(measured: readonly Configuration[], grid: ResolvedGrid) {
  const axes = [grid.prompts, grid.batches, grid.tokens];
  const sets = axes.map((values) => new Set(values));
  return (axis: 0 | 1 | 2, sizes: Sizes): [Sizes | null, Sizes | null] => {
    const v = sizes[axis];
    let below = -Infinity;
    let above = Infinity;
    if (sets.every((set, i) => i === axis || set.has(sizes[i] as number))) [below, above] = nearest(axes[axis] as number[], v);
    for (const c of measured) {
      const s: Sizes = [c.prompt_size, c.batch_size, c.token_size];
      if (!s.every((x, i) => i === axis || x === sizes[i])) continue;
      const x = s[axis];
      if (x < v && x > below) below = x;
      if (x > v && x < above) above = x;
    }
    const at = (x: number): Sizes | null => (Number.isFinite(x) ? (sizes.map((s, i) => (i === axis ? x : s)) as Sizes) : null);
    return [at(below), at(above)];
  };
}

/** In an ascending list, the largest value below v and the smallest above it (±Infinity when none). */
function nearest(sorted: readonly number[], v: number): [number, number] {
  const lo = searchLeft(sorted, v);
  const below = lo > 0 ? (sorted[lo - 1] as number) : -Infinity;
  const j = lo < sorted.length && sorted[lo] === v ? lo + 1 : lo;
  return [below, j < sorted.length ? (sorted[j] as number) : Infinity];
}
