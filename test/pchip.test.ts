import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pchip } from '../pipeline/fit/pchip.js';
import { scipyFixture, type ScipyEntry } from './helpers.js';

interface PchipCase {
  x: number[];
  y: number[];
  queries: number[];
  values: number[];
}
interface SyntheticCase extends PchipCase {
  name: string;
}

/** scipy PchipInterpolator(x, y, extrapolate=True) at queries (see test/fixtures/scipy/make_reference.py). */
const real = scipyFixture<ScipyEntry[]>('pchip-real.json');
const synthetic = scipyFixture<SyntheticCase[]>('pchip-synthetic.json');
const cases: [string, PchipCase][] = [
  ...real.map((e): [string, PchipCase] => [`${e.model}/${e.hardware}/tp=${e.tensor_parallel} ${e.metric}`, e]),
  ...synthetic.map((e): [string, PchipCase] => [e.name, e]),
];

const relative = (actual: number, expected: number) => (actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected));
const close = (actual: number, expected: number, tolerance: number) =>
  expected === 0 ? Math.abs(actual) <= 1e-12 : relative(actual, expected) <= tolerance;

describe('pchip()', () => {
  it('matches scipy PchipInterpolator(extrapolate=True) within 1e-9 relative on the real and synthetic data', () => {
    let checked = 0;
    let worst = 0;
    for (const [name, e] of cases) {
      const f = pchip(e.x, e.y);
      e.queries.forEach((q, i) => {
        const expected = e.values[i] as number;
        const actual = f(q);
        expect(close(actual, expected, 1e-9), `${name} at ${q}: ${actual} vs ${expected}`).toBe(true);
        if (expected !== 0) worst = Math.max(worst, relative(actual, expected));
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(20_000);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('equals scipy PchipInterpolator(extrapolate=True) bit for bit on the real and synthetic data', () => {
    const differing: string[] = [];
    for (const [name, e] of cases) {
      const f = pchip(e.x, e.y);
      e.queries.forEach((q, i) => {
        if (!Object.is(f(q), e.values[i])) differing.push(`${name} at ${q}: ${f(q)} vs ${e.values[i]}`);
      });
    }
    expect(differing).toEqual([]);
  });

  it('returns every knot but the last exactly, and the last within 1e-15 relative', () => {
    for (const [name, e] of cases) {
      const f = pchip(e.x, e.y);
      const n = e.x.length;
      e.x.forEach((x, i) => {
        const y = e.y[i] as number;
        if (i < n - 1) expect(f(x), `${name} at ${x}`).toBe(y);
        else expect(close(f(x), y, 1e-15), `${name} at ${x}: ${f(x)} vs ${y}`).toBe(true);
      });
    }
  });

  it('is the straight line through three collinear knots, inside and outside', () => {
    // y = 2x + 1: every secant is 2, so every knot slope is 2 and the cubic terms vanish
    const f = pchip(Object.freeze([0, 1, 3]), Object.freeze([1, 3, 7]));
    expect([-2, 0, 0.5, 2, 3, 5].map(f)).toEqual([-3, 1, 2, 5, 7, 11]);
  });

  it('is the straight line through two knots, inside and outside', () => {
    // slope 3/2 through (1, 2) and (3, 5)
    const f = pchip([1, 3], [2, 5]);
    expect([0, 1, 2, 3, 4].map(f)).toEqual([0.5, 2, 3.5, 5, 6.5]);
  });

  it.each([
    // x = [0, 1, 2], h = 1, secants m0 = 1, m1 as given. End slope d0 = (3 m0 - m1) / 2.
    // local max: m1 = -1, d0 = 2, d1 = 0 (secants change sign): p(s) = 2s - s^2
    ['a local maximum (interior slope 0)', [0, 1, 0], 0.5, 0.75],
    // m1 = -5: d0 = 4 > 3 m0 with the secants changing sign, so d0 = 3: p(s) = 3s - 3s^2 + s^3
    ['an end slope capped at 3 times the end secant', [0, 1, -4], 0.5, 0.875],
    // m1 = 4: d0 = -1/2 has the wrong sign, so d0 = 0; d1 = 1 / ((3/1 + 3/4) / 6) = 1.6: p(s) = 1.4s^2 - 0.4s^3
    ['an end slope of the wrong sign set to 0', [0, 1, 5], 0.5, 0.3],
  ])('handles %s', (_what, ys, x, y) => {
    expect(relative(pchip([0, 1, 2], ys)(x), y)).toBeLessThanOrEqual(1e-15);
  });

  it('extrapolates with the end cubics, which are not monotone for monotone data', () => {
    // x = [0, 1, 2], y = [0, 1, 1.1]: secants 1 and 0.1; d0 = (3 - 0.1) / 2 = 1.45,
    // d1 = 1 / ((3/1 + 3/0.1) / 6) = 2/11, d2 = 0 (the edge estimate (0.3 - 1) / 2 has the wrong sign).
    const f = pchip(Object.freeze([0, 1, 2]), Object.freeze([0, 1, 1.1]));
    // Left piece 1.45 s - (0.9/11) s^2 - (4.05/11) s^3 at s = -10: -14.5 - 90/11 + 4050/11 = 345.5, far above f(0) = 0.
    expect(relative(f(-10), 345.5)).toBeLessThanOrEqual(1e-15);
    expect(f(-10)).toBeGreaterThan(f(0));
    // Right piece 1 + (2/11) s - (7/110) s^2 - (1/55) s^3 at s = 2 (x = 3): 53/55, below f(2) = 1.1.
    expect(relative(f(3), 53 / 55)).toBeLessThanOrEqual(1e-15);
    expect(f(3)).toBeLessThan(f(2));
  });

  it('is non-decreasing between the knots for non-decreasing data (property)', () => {
    // xs: a random start plus positive gaps; ys: cumulative steps, each exactly 0 (a flat) or >= 1e-3.
    // Steps must stay normal numbers: with subnormal ys (steps of 2.5e-323) rounding alone breaks monotonicity.
    const data = fc.integer({ min: 2, max: 30 }).chain((n) =>
      fc.tuple(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.array(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }),
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e4, noNaN: true })), { minLength: n, maxLength: n }),
      ),
    );
    fc.assert(
      fc.property(data, ([x0, gaps, steps]) => {
        const xs = cumulative(x0, gaps);
        const ys = cumulative(0, steps).slice(1);
        const f = pchip(xs, ys);
        const queries = denseInside(xs);
        for (let i = 1; i < queries.length; i++) {
          const a = f(queries[i - 1] as number);
          const b = f(queries[i] as number);
          if (!(b >= a)) throw new Error(`f(${queries[i - 1]}) = ${a} > f(${queries[i]}) = ${b}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('does not modify its inputs (frozen, so a write would throw)', () => {
    const xs = Object.freeze([1, 2, 4, 8]);
    const ys = Object.freeze([1, 3, 4, 9]);
    const f = pchip(xs, ys);
    [0, 1.5, 3, 8, 10].forEach((q) => f(q));
    expect(xs).toEqual([1, 2, 4, 8]);
    expect(ys).toEqual([1, 3, 4, 9]);
  });

  it('copies its knots: changing the arrays afterwards changes nothing', () => {
    const xs = [1, 2, 4];
    const ys = [1, 3, 4];
    const f = pchip(xs, ys);
    const before = [0, 1.5, 3, 5].map(f);
    xs[1] = 100;
    ys[1] = -5;
    expect([0, 1.5, 3, 5].map(f)).toEqual(before);
  });

  it.each([
    ['no knots', [], []],
    ['one knot', [1], [1]],
    ['more ys than xs', [1, 2], [1, 2, 3]],
    ['fewer ys than xs', [1, 2, 3], [1, 2]],
    ['a repeated x', [1, 2, 2, 3], [1, 2, 3, 4]],
    ['decreasing xs', [3, 2, 1], [1, 2, 3]],
    ['a NaN x', [1, Number.NaN, 3], [1, 2, 3]],
    ['an infinite x', [1, 2, Number.POSITIVE_INFINITY], [1, 2, 3]],
  ])('throws a RangeError for %s', (_what, xs, ys) => {
    expect(() => pchip(xs, ys)).toThrow(RangeError);
  });
});

/** Sorted queries between the first and last knot: the knots plus 15 evenly spaced points in every interval. */
function denseInside(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < xs.length; k++) {
    const a = xs[k] as number;
    const b = xs[k + 1] as number;
    for (let j = 0; j < 16; j++) out.push(a + ((b - a) * j) / 16);
  }
  out.push(xs[xs.length - 1] as number);
  return out;
}

/** [start, start + a[0], start + a[0] + a[1], ...] */
function cumulative(start: number, steps: readonly number[]): number[] {
  let acc = start;
  return [start, ...steps.map((s) => (acc += s))];
}
