/**
 * Out-of-sample evidence for one group and metric, measured on the group's
 * sound configurations (broken ones, see brokenConfigurations, are left out):
 *
 * - configuration leave-one-out (interior): each configuration's rows are
 *   left out in turn, the interior method is refitted on the rest, and the
 *   configuration's median is predicted, where its x lies strictly inside the
 *   remaining knots;
 * - frontier backtests (upper, k = 1, 2, 3): the configurations at the top k
 *   knots are left out, the interior method and every tail candidate are
 *   refitted on the rest, and each left-out configuration is predicted from
 *   beyond the new end knot, at extrapolation factor f = x / x_end;
 * - the same at the bottom (lower), with f = x_end / x.
 *
 * Each residual records the prediction and the measured median; the relative
 * error is |predicted - measured| / measured.
 */
import type { Configuration, FitKey, FittedMetric, Measurement, MethodName } from '../types.js';
import { knotLine, lineSlice, lineWithout, pooled, xOfSizes, type KnotLine, type Pooled } from './knots.js';
import { interpolator } from './methods.js';
import { fitModel, modelKindOf, modelValue, type ConfigModel } from './models.js';
import { isPossible, knotValue } from './predict.js';
import { makeTail, tailValue, TAIL_KINDS, type Side, type TailKind } from './tails.js';

/** How far the frontier backtests reach: the top (bottom) 1, 2 and 3 knots held out. */
export const FRONTIER_KS = [1, 2, 3] as const;

/** A prediction of a held-out configuration's median. */
export interface Residual {
  kind: 'interior' | Side;
  /** Knots held out (0 for leave-one-out). */
  k: number;
  /** The tail that predicted it: a candidate, or `own` (the method's own extrapolation, SplitwiseSim's line); null inside. */
  tail: TailKind | 'own' | null;
  prompt_size: number;
  batch_size: number;
  token_size: number;
  /** How many times beyond the remaining knots (1 inside). */
  f: number;
  predicted: number;
  measured: number;
}

export interface BacktestInput {
  metric: FittedMetric;
  method: MethodName;
  key: FitKey;
  /** The group's sound rows and configurations. */
  rows: readonly Measurement[];
  configurations: readonly Configuration[];
  /** The group's smallest measured median of the metric: the floor of lower tails. */
  floor: number;
}

/** The group's rows pooled by x once, and their knot line: every backtest's knots are this line with some rows left out. */
interface AllKnots {
  pool: Pooled;
  line: KnotLine;
}

export function backtest(input: BacktestInput): Residual[] {
  const pool = pooled(input.rows, input.metric, input.key);
  const all = { pool, line: knotLine(pool) };
  return [...leaveConfigurationsOut(input, all), ...frontier(input, all, 'upper'), ...frontier(input, all, 'lower')];
}

function leaveConfigurationsOut({ metric, method, key, configurations }: BacktestInput, { pool, line }: AllKnots): Residual[] {
  const out: Residual[] = [];
  for (const c of configurations) {
    const measured = c.metrics[metric]?.median;
    if (measured === undefined || !(measured > 0)) continue;
    const x = xOfSizes(key, c);
    // The knots of the rows of every other configuration.
    const knots = lineWithout(pool, line, x, (r) => r.prompt_size === c.prompt_size && r.batch_size === c.batch_size && r.token_size === c.token_size);
    if (knots.x.length < 2 || !(x > (knots.x[0] as number) && x < (knots.x[knots.x.length - 1] as number))) continue;
    const predicted = method === 'decode' ? decodeAt(configurations.filter((q) => q !== c), c) : interpolator(method, knots.x, knots.y, knots.count)(x);
    if (predicted === null) continue;
    out.push({ kind: 'interior', k: 0, tail: null, ...sizes(c), f: 1, predicted, measured });
  }
  return out;
}

/** Every tail candidate (and the method's own extrapolation) on the top or bottom k knots held out. */
function frontier(input: BacktestInput, { line }: AllKnots, side: Side): Residual[] {
  const { metric, method, key, configurations } = input;
  const all = line.x;
  const out: Residual[] = [];
  for (const k of FRONTIER_KS) {
    if (all.length < k + 2) continue;
    const cut = side === 'upper' ? (all[all.length - 1 - k] as number) : (all[k] as number);
    const kept = (x: number) => (side === 'upper' ? x <= cut : x >= cut);
    // The rows kept are whole knots: the line's first (last) knots.
    const knots = side === 'upper' ? lineSlice(line, 0, all.length - k) : lineSlice(line, k, all.length);
    const f = interpolator(method, knots.x, knots.y, knots.count);
    const n = knots.x.length;
    const [endAt, nextAt] = side === 'upper' ? [n - 1, n - 2] : [0, 1];
    const [endX, nextX] = [knots.x[endAt] as number, knots.x[nextAt] as number];
    // The method's own values at its knots, as the emitted rows have them.
    const fitted = knotValue(method, knots, f);
    const keptConfigs = configurations.filter((c) => kept(xOfSizes(key, c)));
    const model = modelFor(metric, keptConfigs);
    const inputs = {
      end: [endX, fitted(endAt)] as [number, number],
      next: [nextX, fitted(nextAt)] as [number, number],
      floor: side === 'lower' ? Math.min(...keptConfigs.flatMap((c) => medianOf(c, metric))) : input.floor,
      model,
      endConfigs: keptConfigs.filter((c) => xOfSizes(key, c) === endX).map((c) => ({ prompt: c.prompt_size, batch: c.batch_size, tokens: c.token_size })),
    };
    const tails = TAIL_KINDS.flatMap((kind) => {
      const tail = makeTail(kind, side, inputs);
      return tail === null ? [] : [[kind, tail] as const];
    });
    const end = fitted(endAt);
    for (const c of configurations.filter((q) => !kept(xOfSizes(key, q)))) {
      const measured = c.metrics[metric]?.median;
      if (measured === undefined || !(measured > 0)) continue;
      const x = xOfSizes(key, c);
      const factor = side === 'upper' ? x / endX : endX / x;
      // One literal per residual (a spread of shared fields costs more than the prediction).
      const residual = (tail: Residual['tail'], predicted: number): Residual => ({ kind: side, k, prompt_size: c.prompt_size, batch_size: c.batch_size, token_size: c.token_size, f: factor, measured, tail, predicted });
      // The decode method's own extrapolation is its model, refitted on the kept configurations; it has no tails.
      if (method === 'decode') {
        const predicted = decodeAt(keptConfigs, c);
        if (predicted !== null) out.push(residual('own', predicted));
        continue;
      }
      const ownValue = f(x);
      out.push(residual('own', isPossible(metric, ownValue) ? ownValue : end));
      for (const [kind, tail] of tails) out.push(residual(kind, tailValue(tail, x, c.prompt_size, c.batch_size, c.token_size)));
    }
  }
  return out;
}

/** The decode model fitted on `fitted` and evaluated at configuration c; null when it cannot be fitted. */
function decodeAt(fitted: readonly Configuration[], c: Configuration): number | null {
  const model = modelFor('token_time', fitted);
  return model === null ? null : modelValue(model, c.prompt_size, c.batch_size, c.token_size);
}

/** The metric's hardware model fitted on these configurations' medians, if the metric has one. */
export function modelFor(metric: FittedMetric, configurations: readonly Configuration[]): ConfigModel | null {
  const kind = modelKindOf(metric);
  if (kind === null) return null;
  return fitModel(
    kind,
    configurations.flatMap((c) => medianOf(c, metric).map((y) => ({ prompt: c.prompt_size, batch: c.batch_size, tokens: c.token_size, y }))),
  );
}

function medianOf(c: Configuration, metric: FittedMetric): number[] {
  const v = c.metrics[metric]?.median;
  return v === undefined ? [] : [v];
}

function sizes(c: Configuration) {
  return { prompt_size: c.prompt_size, batch_size: c.batch_size, token_size: c.token_size };
}
