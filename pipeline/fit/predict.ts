import { FITTED_METRICS } from '../core/columns.js';
import type { FitKey, FittedMetric, GroupFit, Knots, MethodName, MetricFit } from '../types.js';
import type { Interpolator } from './interpolate.js';
import { interpolator } from './methods.js';
import { modelValue, type ConfigModel } from './models.js';
import { tailValue, tokenDependent, type TailSpec } from './tails.js';

/** A fitted metric ready to evaluate: its interpolator, x range, values at both ends, and its tails. */
export interface Predictor {
  f: Interpolator;
  key: FitKey;
  range: [number, number];
  ends: [number, number];
  /** Beyond the range; null: the method's own extrapolation (SplitwiseSim's line for linear). */
  tails: { upper: TailSpec; lower: TailSpec } | null;
  /** Whether a value beyond the range depends on the token size (a decode-model tail). */
  tokenDependent: { upper: boolean; lower: boolean };
  /** The decode method: the model gives every value, inside the range and beyond; null for the interpolators. */
  model: ConfigModel | null;
}

export type Predictors = Record<FittedMetric, Predictor | null>;

/**
 * The interpolator of one method through the knots. The end values are the
 * knots' own for the methods that pass through them (linear, pchip, loglog:
 * clamping repeats the measured medians exactly, where a cubic evaluated at
 * its end knot may lose digits to cancellation) and isotonic's pooled means
 * for isotonic.
 */
export function makePredictor(method: MethodName, knots: Knots, key: FitKey = 'batch_tokens', tails: MetricFit['tails'] = null, model: ConfigModel | null = null): Predictor {
  const { x, y, count } = knots;
  const f = interpolator(method, x, y, count);
  const lo = x[0] as number;
  const hi = x[x.length - 1] as number;
  const at = knotValue(method, knots, f);
  const ends: [number, number] = [at(0), at(x.length - 1)];
  const decode = method === 'decode' ? model : null;
  const upper = decode !== null || tokenDependent(tails?.upper ?? null);
  const lower = decode !== null || tokenDependent(tails?.lower ?? null);
  return { f, key, range: [lo, hi], ends, tails, tokenDependent: { upper, lower }, model: decode };
}

/**
 * A method's value at knot i: the knot's own median for the methods that pass
 * through their knots (all but isotonic; a cubic evaluated at its knot may
 * lose digits to cancellation), isotonic's pooled value for isotonic. What a
 * clamp and a tail start from, in the rows and in the backtests alike.
 */
export function knotValue(method: MethodName, knots: Pick<Knots, 'x' | 'y'>, f: Interpolator): (i: number) => number {
  return method === 'isotonic' ? (i) => f(knots.x[i] as number) : (i) => knots.y[i] as number;
}

/** Builds each fitted metric's predictor once per group. */
export function makePredictors(group: GroupFit): Predictors {
  const out = {} as Predictors;
  for (const metric of FITTED_METRICS) {
    const fitted = group.fits[metric];
    out[metric] = fitted === null ? null : makePredictor(fitted.method, fitted.knots, fitted.key, fitted.tails ?? null, fitted.model ?? null);
  }
  return out;
}

/** The predictor's x for a (prompt_size, batch_size) point. */
export function xOf(predictor: Predictor, prompt: number, batch: number): number {
  return predictor.key === 'batch_tokens' ? prompt * batch : batch;
}

/** Whether a predicted value can be real: times > 0, powers >= 0, and finite. */
export function isPossible(metric: FittedMetric, value: number): boolean {
  return (metric === 'prompt_time' || metric === 'token_time' ? value > 0 : value >= 0) && Number.isFinite(value);
}

/** A metric whose own extrapolation gave an impossible value, with that value (the row took the nearest end's instead). */
export interface Clamp {
  metric: FittedMetric;
  raw: number;
}

/**
 * The value a row gets at (prompt, batch, tokens): inside the measured range,
 * the fit's; beyond it, the tail on that side, or without tails the method's
 * own extrapolation, unless that is impossible (see isPossible): then the
 * value at the nearest end, and `onClamp` hears of it.
 */
export function predictedValue(predictor: Predictor, metric: FittedMetric, prompt: number, batch: number, tokens: number, onClamp?: (raw: number) => void): number {
  if (predictor.model !== null) return modelValue(predictor.model, prompt, batch, tokens);
  const x = xOf(predictor, prompt, batch);
  const [lo, hi] = predictor.range;
  if (x >= lo && x <= hi) return predictor.f(x);
  if (predictor.tails !== null) return tailValue(x > hi ? predictor.tails.upper : predictor.tails.lower, x, prompt, batch, tokens);
  const raw = predictor.f(x);
  if (isPossible(metric, raw)) return raw;
  onClamp?.(raw);
  return x < lo ? predictor.ends[0] : predictor.ends[1];
}

/** Whether the value at (prompt, batch) depends on the token size: it lies where a decode-model tail applies. */
export function dependsOnTokens(predictor: Predictor, prompt: number, batch: number): boolean {
  if (predictor.model !== null) return true;
  const x = xOf(predictor, prompt, batch);
  return (x > predictor.range[1] && predictor.tokenDependent.upper) || (x < predictor.range[0] && predictor.tokenDependent.lower);
}

/** What one (prompt_size, batch_size) point is predicted to be, per fitted metric (null: not in the input). */
export interface PointPrediction {
  /** At the point's first token size; see perToken for the metrics that change with it. */
  values: Record<FittedMetric, number | null>;
  /** Metrics whose own extrapolation was impossible here; empty almost always. */
  clamped: readonly Clamp[];
  /** Metrics whose value here depends on the token size: predictedValue gives each row's. */
  perToken: readonly FittedMetric[];
}

const NONE: readonly never[] = Object.freeze([]);

/** Every fitted metric's value at (prompt, batch, tokens), as emit writes it. Pure: the caller counts what it needs. */
export function predictPoint(predictors: Predictors, prompt: number, batch: number, tokens: number): PointPrediction {
  const values = {} as Record<FittedMetric, number | null>;
  let clamped: readonly Clamp[] = NONE;
  let perToken: readonly FittedMetric[] = NONE;
  for (const metric of FITTED_METRICS) {
    const predictor = predictors[metric];
    if (predictor === null) {
      values[metric] = null;
      continue;
    }
    values[metric] = predictedValue(predictor, metric, prompt, batch, tokens, (raw) => (clamped = [...clamped, { metric, raw }]));
    if (dependsOnTokens(predictor, prompt, batch)) perToken = [...perToken, metric];
  }
  return { values, clamped, perToken };
}
