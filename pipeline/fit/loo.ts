import type { Interpolator } from './interpolate.js';

/** A fit method: knots (and per-knot weights, which a method may ignore) to an interpolator. */
export type Method = (xs: readonly number[], ys: readonly number[], weights: readonly number[]) => Interpolator;

export interface LeaveOneOut {
  /** The interior knots scored, ascending; ape[i] belongs to x[i]. */
  x: number[];
  /** Absolute percentage error |pred - y| / |y| (as a fraction) at each x. */
  ape: number[];
  /** Mean of ape; 0 when nothing was scored. */
  mape: number;
  /** Largest ape; 0 when nothing was scored. */
  maxApe: number;
  /** The x of the largest ape (the first on ties); null when nothing was scored. */
  worstX: number | null;
  /** Interior knots not scored because their y is 0, where a relative error is undefined. */
  skippedX: number[];
}

/**
 * Leave-one-out error of a fit method over the interior knots: for each knot
 * i other than the first and the last, fit `method` on all the other knots
 * and score the prediction at xs[i] by APE = |pred - ys[i]| / |ys[i]|. The end
 * knots are never left out, since predicting them would be extrapolation.
 * A knot whose y is 0 is skipped and listed in skippedX. With fewer than 3
 * knots, or nothing scored, ape is empty, mape and maxApe are 0 and worstX is
 * null: check worstX (or ape.length) before reading mape as "no error".
 */
export function leaveOneOut(
  xs: readonly number[],
  ys: readonly number[],
  weights: readonly number[],
  method: Method,
): LeaveOneOut {
  const n = xs.length;
  if (ys.length !== n || weights.length !== n) {
    throw new RangeError(`leaveOneOut() needs as many ys and weights as xs; got ${n} xs, ${ys.length} ys, ${weights.length} weights`);
  }
  const result: LeaveOneOut = { x: [], ape: [], mape: 0, maxApe: 0, worstX: null, skippedX: [] };
  let sum = 0;
  for (let i = 1; i < n - 1; i++) {
    const xi = xs[i] as number;
    const yi = ys[i] as number;
    if (yi === 0) {
      result.skippedX.push(xi);
      continue;
    }
    const pred = method(without(xs, i), without(ys, i), without(weights, i))(xi);
    const ape = Math.abs(pred - yi) / Math.abs(yi);
    result.x.push(xi);
    result.ape.push(ape);
    sum += ape;
    if (result.worstX === null || ape > result.maxApe) {
      result.maxApe = ape;
      result.worstX = xi;
    }
  }
  if (result.ape.length > 0) result.mape = sum / result.ape.length;
  return result;
}

/** A copy of a without its element i. */
function without(a: readonly number[], i: number): number[] {
  return a.filter((_, j) => j !== i);
}
