import { linear, type Interpolator } from './interpolate.js';
import { FITTED_METRICS, type FittedMetric, type GroupFit } from './types.js';

/** A fitted metric ready to evaluate: the interpolator and the knot values at both ends. */
export interface Predictor {
  f: Interpolator;
  ends: [number, number];
}

export type Predictors = Record<FittedMetric, Predictor | null>;

/** Builds each fitted metric's interpolator once per group. */
export function makePredictors(group: GroupFit): Predictors {
  const out = {} as Predictors;
  for (const metric of FITTED_METRICS) {
    const fitted = group.fits[metric];
    if (fitted === null) {
      out[metric] = null;
      continue;
    }
    const { x, y } = fitted.knots;
    out[metric] = { f: linear(x, y), ends: [y[0] as number, y[y.length - 1] as number] };
  }
  return out;
}

/** Whether a predicted value can be real: times > 0, powers >= 0, and finite. */
export function isPossible(metric: FittedMetric, value: number): boolean {
  return (metric === 'prompt_time' || metric === 'token_time' ? value > 0 : value >= 0) && Number.isFinite(value);
}

/**
 * The value a row gets at batch_tokens `bt`: the fit's, unless it extrapolates
 * to an impossible value, in which case the knot value at the nearest measured
 * end (below the range: the first knot's, above: the last knot's).
 */
export function predictedValue(predictor: Predictor, metric: FittedMetric, bt: number, range: readonly [number, number]): number {
  const v = predictor.f(bt);
  if ((bt >= range[0] && bt <= range[1]) || isPossible(metric, v)) return v;
  return bt < range[0] ? predictor.ends[0] : predictor.ends[1];
}
