import { type Interpolator, linear, searchLeft } from './interpolate.js';

/**
 * Weighted isotonic (non-decreasing) least-squares fit of ys in their given
 * order: pool adjacent violators (PAVA), each pooled block taking the weighted
 * mean sum(w*y) / sum(w) of its members (as sklearn IsotonicRegression).
 * Only strict violations are pooled, so non-decreasing input comes back
 * unchanged, bit for bit. Weights must be finite and > 0; returns a new array.
 */
export function isotonicFit(ys: readonly number[], weights: readonly number[]): number[] {
  const n = ys.length;
  if (weights.length !== n) throw new RangeError(`isotonicFit() needs as many weights as ys; got ${weights.length} weights and ${n} ys`);
  weights.forEach((w, i) => {
    if (!(w > 0 && Number.isFinite(w))) throw new RangeError(`isotonicFit() needs finite weights > 0; got weights[${i}] = ${w}`);
  });

  // A stack of blocks: block b covers ys[start[b] .. start[b+1]-1] and has value mean[b].
  const start: number[] = [];
  const sumWy: number[] = [];
  const sumW: number[] = [];
  const mean: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = ys[i] as number;
    const w = weights[i] as number;
    start.push(i);
    sumWy.push(w * y);
    sumW.push(w);
    mean.push(y); // a single point's mean is its y exactly, not (w*y)/w
    for (let top = mean.length - 1; top > 0 && (mean[top - 1] as number) > (mean[top] as number); top--) {
      const wy = (sumWy[top - 1] as number) + (sumWy.pop() as number);
      const ww = (sumW[top - 1] as number) + (sumW.pop() as number);
      sumWy[top - 1] = wy;
      sumW[top - 1] = ww;
      mean[top - 1] = wy / ww;
      mean.pop();
      start.pop();
    }
  }

  const fitted = new Array<number>(n);
  for (let b = 0; b < mean.length; b++) fitted.fill(mean[b] as number, start[b] as number, start[b + 1] ?? n);
  return fitted;
}

/**
 * Monotone (non-decreasing) interpolator: isotonicFit of ys with the weights,
 * then `linear` through (xs, fitted). Linear extrapolation through the two
 * outermost fitted knots stays non-decreasing, because the fitted values are.
 * Between the knots each value is clamped to its segment's fitted ends:
 * `linear` can land an ulp past a knot, and without the clamp the curve could
 * fall by that ulp across the knot. With it, the interpolator is
 * non-decreasing in floating point, not only in exact arithmetic.
 * xs must be finite and strictly increasing, n >= 2; the arrays are copied.
 */
export function isotonic(xs: readonly number[], ys: readonly number[], weights: readonly number[]): Interpolator {
  const n = xs.length;
  if (n < 2 || ys.length !== n) {
    throw new RangeError(`isotonic() needs at least two knots and as many ys as xs; got ${n} xs and ${ys.length} ys`);
  }
  const x = Float64Array.from(xs);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    if (!Number.isFinite(xi) || (i > 0 && !(xi > (x[i - 1] as number)))) {
      throw new RangeError(`isotonic() needs finite, strictly increasing xs; got xs[${i}] = ${xi} after xs[${i - 1}] = ${x[i - 1]}`);
    }
  }
  const fitted = isotonicFit(ys, weights); // a new array: nothing else can change it
  const line = linear(xs, fitted);
  const first = x[0] as number;
  const last = x[n - 1] as number;
  return (q) => {
    const v = line(q);
    if (!(q >= first && q <= last)) return v; // outside (or NaN): one segment's line, already monotone
    const hi = Math.min(Math.max(searchLeft(x, q), 1), n - 1); // the segment `linear` used
    return Math.min(Math.max(v, fitted[hi - 1] as number), fitted[hi] as number);
  };
}
