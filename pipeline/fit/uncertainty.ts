import { searchLeft } from './interpolate.js';
import type { MetricFit } from '../types.js';

/** Relative uncertainty of a predicted value at x; null where there is no evidence to estimate it. */
export type ErrorModel = (x: number) => number | null;

/**
 * A heuristic, relative (fraction of the value) uncertainty for predicted
 * rows, from two kinds of evidence around x:
 * - fit error: the leave-one-out error of the method at the interior knots,
 *   interpolated linearly in log x between them and held constant beyond the
 *   outermost ones;
 * - measurement noise: the coefficient of variation of the repetitions pooled
 *   at the two knots around x (the larger of the two), or at the end knot
 *   outside the range.
 * Inside the measured range the estimate is sqrt(fit^2 + noise^2); outside,
 * that times how many times x lies beyond the range (x / max, or min / x),
 * since the error of an extrapolation grows with its distance. With fewer
 * than three knots there is no leave-one-out evidence: null.
 */
export function errorModel(fit: MetricFit): ErrorModel {
  const { x: looX, ape } = fit.loo;
  const { x: knotX, spread } = fit.knots;
  if (looX.length === 0) return () => null;
  const logX = looX.map(Math.log);
  const lo = knotX[0] as number;
  const hi = knotX[knotX.length - 1] as number;
  const fitError = (x: number): number => {
    const lx = Math.log(x);
    const i = searchLeft(logX, lx);
    if (i === 0) return ape[0] as number;
    if (i >= logX.length) return ape[ape.length - 1] as number;
    const [x0, x1, y0, y1] = [logX[i - 1] as number, logX[i] as number, ape[i - 1] as number, ape[i] as number];
    return y0 + ((y1 - y0) * (lx - x0)) / (x1 - x0);
  };
  const noise = (x: number): number => {
    if (x <= lo) return spread[0] as number;
    if (x >= hi) return spread[spread.length - 1] as number;
    const i = searchLeft(knotX, x);
    return Math.max(spread[i - 1] as number, spread[i] as number);
  };
  return (x) => {
    const base = Math.hypot(fitError(x), noise(x));
    return x < lo ? (base * lo) / x : x > hi ? (base * x) / hi : base;
  };
}

/** An uncertainty as written to the CSV: three significant digits; empty when unknown. */
export function formatError(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : String(Number(value.toPrecision(3)));
}
