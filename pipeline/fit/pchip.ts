import { type Interpolator, searchLeft } from './interpolate.js';

/**
 * Monotone piecewise cubic Hermite interpolation (PCHIP), Fritsch–Carlson as
 * scipy.interpolate.PchipInterpolator(xs, ys, extrapolate=True) computes it,
 * operation for operation:
 * - interior slopes: 0 where the neighbouring secants m[k-1], m[k] differ in
 *   sign or either is 0, else the weighted harmonic mean with
 *   w1 = 2h[k] + h[k-1] on m[k-1] and w2 = h[k] + 2h[k-1] on m[k];
 * - end slopes: the one-sided three-point estimate (scipy `_edge_case`), set
 *   to 0 if its sign differs from the end secant, and to 3 times the end
 *   secant if the secants change sign and it is larger than that;
 * - two knots: the straight line through them.
 * Inside the knots the curve is monotone wherever the data are. Outside, it
 * extrapolates with the first / last cubic piece, as scipy does: that is NOT
 * monotone in general (the cubic can turn around), unlike `linear`.
 * xs must be finite and strictly increasing, n >= 2; the arrays are copied.
 */
export function pchip(xs: readonly number[], ys: readonly number[]): Interpolator {
  const n = xs.length;
  if (n < 2 || ys.length !== n) {
    throw new RangeError(`pchip() needs at least two knots and as many ys as xs; got ${n} xs and ${ys.length} ys`);
  }
  const x = Float64Array.from(xs);
  const y = Float64Array.from(ys);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    if (!Number.isFinite(xi) || (i > 0 && !(xi > (x[i - 1] as number)))) {
      throw new RangeError(`pchip() needs finite, strictly increasing xs; got xs[${i}] = ${xi} after xs[${i - 1}] = ${x[i - 1]}`);
    }
  }

  const h = new Float64Array(n - 1);
  const m = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    h[k] = (x[k + 1] as number) - (x[k] as number);
    m[k] = ((y[k + 1] as number) - (y[k] as number)) / (h[k] as number);
  }
  const d = slopes(h, m);

  // Power-basis coefficients per interval, as scipy CubicHermiteSpline builds them.
  const c0 = new Float64Array(n - 1);
  const c1 = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    const hk = h[k] as number;
    const dk = d[k] as number;
    const t = (dk + (d[k + 1] as number) - 2 * (m[k] as number)) / hk;
    c0[k] = t / hk;
    c1[k] = ((m[k] as number) - dk) / hk - t;
  }

  return (q) => {
    // The interval k with x[k] <= q < x[k+1] (the last one closed), clipped to the end pieces.
    const i = searchLeft(x, q);
    const k = Math.min(Math.max(i < n && x[i] === q ? i : i - 1, 0), n - 2);
    const s = q - (x[k] as number);
    // Summed from the constant term up, with s^2 = s*s and s^3 = s^2*s, as scipy's PPoly.
    const s2 = s * s;
    return (y[k] as number) + (d[k] as number) * s + (c1[k] as number) * s2 + (c0[k] as number) * (s2 * s);
  };
}

/** Knot derivatives (scipy PchipInterpolator._find_derivatives) from the widths h and secants m. */
function slopes(h: Float64Array, m: Float64Array): Float64Array {
  const n = h.length + 1;
  const d = new Float64Array(n);
  if (n === 2) {
    d[0] = d[1] = m[0] as number;
    return d;
  }
  for (let k = 1; k < n - 1; k++) {
    const mPrev = m[k - 1] as number;
    const mNext = m[k] as number;
    if (Math.sign(mPrev) !== Math.sign(mNext) || mPrev === 0 || mNext === 0) continue; // d[k] = 0
    const hPrev = h[k - 1] as number;
    const hNext = h[k] as number;
    const w1 = 2 * hNext + hPrev;
    const w2 = hNext + 2 * hPrev;
    d[k] = 1 / ((w1 / mPrev + w2 / mNext) / (w1 + w2));
  }
  d[0] = edge(h[0] as number, h[1] as number, m[0] as number, m[1] as number);
  d[n - 1] = edge(h[n - 2] as number, h[n - 3] as number, m[n - 2] as number, m[n - 3] as number);
  return d;
}

/** One-sided three-point end slope with scipy's shape-preserving adjustments (`_edge_case`). */
function edge(h0: number, h1: number, m0: number, m1: number): number {
  const d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(m0)) return 0;
  if (Math.sign(m0) !== Math.sign(m1) && Math.abs(d) > 3 * Math.abs(m0)) return 3 * m0;
  return d;
}
