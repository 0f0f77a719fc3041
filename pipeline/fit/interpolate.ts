/** An interpolator: built once from knots, then evaluated at any x. */
export type Interpolator = (x: number) => number;

/**
 * Piecewise-linear interpolation through (xs[i], ys[i]); outside the knots,
 * linear extrapolation through the two outermost knots on that side. Mirrors
 * scipy.interpolate.interp1d(xs, ys, fill_value="extrapolate") operation for
 * operation: the segment is found with searchsorted(side="left") clipped to
 * [1, n-1], and y = slope * (x - x_lo) + y_lo with slope = dy / dx, so the
 * results equal scipy's bit for bit. xs must be strictly increasing, n >= 2.
 */
export function linear(xs: readonly number[], ys: readonly number[]): Interpolator {
  const n = xs.length;
  if (n < 2 || ys.length !== n) throw new RangeError('linear() needs at least two knots and as many ys as xs');
  const x = Float64Array.from(xs);
  const y = Float64Array.from(ys);
  const [first, last] = [x[0] as number, x[n - 1] as number];
  return (q) => {
    // Beyond the knots the clipped search always gives the outermost segment: it is taken without searching.
    const hi = q > last ? n - 1 : q <= first ? 1 : Math.min(Math.max(searchLeft(x, q), 1), n - 1);
    const lo = hi - 1;
    const xLo = x[lo] as number;
    const yLo = y[lo] as number;
    const slope = ((y[hi] as number) - yLo) / ((x[hi] as number) - xLo);
    return slope * (q - xLo) + yLo;
  };
}

/** numpy.searchsorted(side="left"): the first index i with xs[i] >= q (n if none). */
export function searchLeft(xs: ArrayLike<number>, q: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < q) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Linear interpolation in log-log space: y = exp(linear(log xs, log ys)(log x)),
 * a power law between neighbouring knots and, outside them, the power law
 * through the two outermost knots. Needs xs > 0 and ys > 0.
 */
export function loglog(xs: readonly number[], ys: readonly number[]): Interpolator {
  if (xs.some((v) => !(v > 0)) || ys.some((v) => !(v > 0))) throw new RangeError('loglog() needs positive xs and ys');
  const line = linear(xs.map(Math.log), ys.map(Math.log));
  return (q) => Math.exp(line(Math.log(q)));
}
