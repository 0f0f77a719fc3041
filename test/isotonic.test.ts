import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linear } from '../pipeline/fit/interpolate.js';
import { isotonic, isotonicFit } from '../pipeline/fit/isotonic.js';
import { scipyFixture } from './helpers.js';

interface IsotonicCase {
  x: number[];
  y: number[];
  w: number[];
  fitted: number[];
}
interface RealCase extends IsotonicCase {
  model: string;
  hardware: string;
  tensor_parallel: number;
  metric: string;
}
interface SyntheticCase extends IsotonicCase {
  name: string;
}

/** sklearn IsotonicRegression(increasing=True) with sample_weight, fitted at x (see test/fixtures/scipy/make_reference.py). */
const cases: [string, IsotonicCase][] = [
  ...scipyFixture<RealCase[]>('isotonic-real.json').map((e): [string, IsotonicCase] => [`${e.model}/${e.hardware}/tp=${e.tensor_parallel} ${e.metric}`, e]),
  ...scipyFixture<SyntheticCase[]>('isotonic-synthetic.json').map((e): [string, IsotonicCase] => [e.name, e]),
];

const relative = (actual: number, expected: number) => (actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected));
const weightedMean = (v: readonly number[], w: readonly number[]) =>
  v.reduce((s, x, i) => s + x * (w[i] as number), 0) / w.reduce((s, x) => s + x, 0);

/** Random noisy data: sorted distinct xs (a start plus positive gaps), positive ys and positive weights. */
const noisy = fc.integer({ min: 2, max: 40 }).chain((n) =>
  fc.record({
    x0: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    gaps: fc.array(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }),
    ys: fc.array(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), { minLength: n, maxLength: n }),
    ws: fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n }),
  }),
);

describe('isotonicFit()', () => {
  it('pools [1, 3, 2] with equal weights into [1, 2.5, 2.5]', () => {
    expect(isotonicFit(Object.freeze([1, 3, 2]), Object.freeze([1, 1, 1]))).toEqual([1, 2.5, 2.5]);
  });

  it.each([
    // (3*1 + 2*3) / 4 = 2.25
    ['weights the pooled mean', [1, 3, 2], [1, 1, 3], [1, 2.25, 2.25]],
    // 5 and 4 pool to 4.5; adding 0 pools to (5 + 4 + 0) / 3 = 3, still above 1
    ['pools backwards when a block falls below the one before', [1, 5, 4, 0, 10], [1, 1, 1, 1, 1], [1, 3, 3, 3, 10]],
    // everything pools: 12 / 4
    ['pools a decreasing run into one block', [5, 4, 3, 0], [1, 1, 1, 1], [3, 3, 3, 3]],
    ['keeps ties as they are', [2, 2, 2], [1, 5, 2], [2, 2, 2]],
    ['returns a single value', [7], [2], [7]],
    ['returns nothing for nothing', [], [], []],
  ])('%s', (_what, ys, ws, expected) => {
    expect(isotonicFit(ys, ws)).toEqual(expected);
  });

  it('matches sklearn IsotonicRegression(increasing=True) with sample_weight within 1e-12 relative', () => {
    let checked = 0;
    for (const [name, e] of cases) {
      const fitted = isotonicFit(e.y, e.w);
      expect(fitted.length, name).toBe(e.fitted.length);
      e.fitted.forEach((expected, i) => {
        expect(relative(fitted[i] as number, expected), `${name} at x = ${e.x[i]}`).toBeLessThanOrEqual(1e-12);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('does not modify its inputs (frozen, so a write would throw) and returns a new array', () => {
    const ys = Object.freeze([3, 1, 2]);
    const ws = Object.freeze([1, 2, 3]);
    const fitted = isotonicFit(ys, ws);
    expect(fitted).not.toBe(ys);
    expect(ys).toEqual([3, 1, 2]);
    expect(ws).toEqual([1, 2, 3]);
  });

  it('returns non-decreasing data unchanged, bit for bit (property)', () => {
    fc.assert(
      fc.property(noisy, ({ ys, ws }) => {
        const sorted = [...ys].sort((a, b) => a - b);
        const fitted = isotonicFit(sorted, ws);
        sorted.forEach((y, i) => {
          if (!Object.is(fitted[i], y)) throw new Error(`fitted[${i}] = ${fitted[i]}, y = ${y}`);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('returns non-decreasing values that keep the weighted mean of the ys (property)', () => {
    fc.assert(
      fc.property(noisy, ({ ys, ws }) => {
        const fitted = isotonicFit(ys, ws);
        for (let i = 1; i < fitted.length; i++) {
          if (!((fitted[i] as number) >= (fitted[i - 1] as number))) throw new Error(`fitted[${i}] < fitted[${i - 1}]`);
        }
        const rel = relative(weightedMean(fitted, ws), weightedMean(ys, ws));
        if (rel > 1e-12) throw new Error(`weighted mean moved by ${rel} relative`);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['fewer weights than ys', [1, 2], [1]],
    ['more weights than ys', [1, 2], [1, 1, 1]],
    ['a zero weight', [1, 2], [1, 0]],
    ['a negative weight', [1, 2], [-1, 1]],
    ['a NaN weight', [1, 2], [1, Number.NaN]],
    ['an infinite weight', [1, 2], [Number.POSITIVE_INFINITY, 1]],
  ])('throws a RangeError for %s', (_what, ys, ws) => {
    expect(() => isotonicFit(ys, ws)).toThrow(RangeError);
  });
});

describe('isotonic()', () => {
  // fitted [1, 2.5, 2.5]: slope 1.5 on [1, 2], flat on [2, 3]
  const f = isotonic(Object.freeze([1, 2, 3]), Object.freeze([1, 3, 2]), Object.freeze([1, 1, 1]));

  it.each([
    [1, 1],
    [1.5, 1.75], // 1 + 0.5 * 1.5
    [2, 2.5],
    [2.5, 2.5],
    [3, 2.5],
  ])('interpolates linearly through the fitted knots: f(%s) = %s', (x, y) => {
    expect(f(x)).toBe(y);
  });

  it.each([
    [0, -0.5], // the line through (1, 1) and (2, 2.5)
    [-1, -2],
    [4, 2.5], // the flat line through (2, 2.5) and (3, 2.5)
    [100, 2.5],
  ])('extrapolates through the two outermost fitted knots: f(%s) = %s', (x, y) => {
    expect(f(x)).toBe(y);
  });

  it('is non-decreasing on dense queries inside and outside the knots for noisy data (property)', () => {
    fc.assert(
      fc.property(noisy, ({ x0, gaps, ys, ws }) => {
        let acc = x0;
        const xs = [x0, ...gaps.map((g) => (acc += g))];
        const g = isotonic(xs, ys, ws);
        const queries = dense(xs);
        for (let i = 1; i < queries.length; i++) {
          const a = g(queries[i - 1] as number);
          const b = g(queries[i] as number);
          if (!(b >= a)) throw new Error(`f(${queries[i - 1]}) = ${a} > f(${queries[i]}) = ${b}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('does not fall by an ulp across a knot where plain linear through the fitted values does', () => {
    // Found by the property above before isotonic() clamped to the segment ends: linear() lands
    // one ulp above the fitted knot at x = 0.1422..., and the flat segment after it is one ulp lower.
    const xs = [0, 0.14224216684935373, 0.14324216684935373, 0.14424216684935373, 0.14524216684935373, 0.14624216684935373, 0.14724216684935373];
    const ys = [0.007619378372029474, 711.4398899317692, 9.47495824618085, 0.02104507486521188, 741298.4630688124, 2.2384304765523666, 0.0011057626410633603];
    const ws = [0.001, 0.0010000000000000022, 0.0010000000000000037, 0.5046531693167349, 0.0010000000000000028, 0.001, 960.0979604186995];
    const knot = xs[1] as number;
    const after = 0.14236716684935374;
    const plain = linear(xs, isotonicFit(ys, ws));
    expect(plain(knot)).toBeGreaterThan(plain(after));
    const g = isotonic(xs, ys, ws);
    expect(g(after)).toBeGreaterThanOrEqual(g(knot));
  });

  it('stays within 2 ulp of plain linear through the fitted values (property)', () => {
    fc.assert(
      fc.property(noisy, ({ x0, gaps, ys, ws }) => {
        let acc = x0;
        const xs = [x0, ...gaps.map((g) => (acc += g))];
        const g = isotonic(xs, ys, ws);
        const plain = linear(xs, isotonicFit(ys, ws));
        for (const q of dense(xs)) {
          const rel = relative(g(q), plain(q));
          if (rel > 4 * Number.EPSILON) throw new Error(`at ${q}: ${g(q)} vs ${plain(q)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('copies its knots: changing the arrays afterwards changes nothing', () => {
    const xs = [1, 2, 3];
    const ys = [1, 3, 2];
    const ws = [1, 1, 1];
    const g = isotonic(xs, ys, ws);
    const before = [0, 1.5, 2.5, 4].map(g);
    xs[1] = 2.9;
    ys[0] = 100;
    ws[2] = 50;
    expect([0, 1.5, 2.5, 4].map(g)).toEqual(before);
  });

  it.each([
    ['one knot', [1], [1], [1]],
    ['fewer ys than xs', [1, 2, 3], [1, 2], [1, 1]],
    ['a repeated x', [1, 2, 2], [1, 2, 3], [1, 1, 1]],
    ['decreasing xs', [3, 2, 1], [1, 2, 3], [1, 1, 1]],
    ['a NaN x', [1, Number.NaN], [1, 2], [1, 1]],
    ['fewer weights than ys', [1, 2], [1, 2], [1]],
  ])('throws a RangeError for %s', (_what, xs, ys, ws) => {
    expect(() => isotonic(xs, ys, ws)).toThrow(RangeError);
  });
});

/** Sorted queries: the knots, 7 evenly spaced points inside every interval, and 8 below and above the range. */
function dense(xs: readonly number[]): number[] {
  const first = xs[0] as number;
  const last = xs[xs.length - 1] as number;
  const span = last - first;
  const out: number[] = [];
  for (let j = 8; j >= 1; j--) out.push(first - (span * j) / 4);
  for (let k = 0; k + 1 < xs.length; k++) {
    const a = xs[k] as number;
    const b = xs[k + 1] as number;
    for (let j = 0; j < 8; j++) out.push(a + ((b - a) * j) / 8);
  }
  out.push(last);
  for (let j = 1; j <= 8; j++) out.push(last + (span * j) / 4);
  return out;
}
