import { describe, expect, it } from 'vitest';
import { linear, searchLeft } from '../pipeline/fit/interpolate.js';
import { scipyFixture, type ScipyEntry } from './helpers.js';

/** scipy interp1d(x, y, fill_value="extrapolate") on the real data (see test/fixtures/scipy/make_reference.py). */
const scipy = scipyFixture<ScipyEntry[]>('interp1d-real.json');
const name = (e: ScipyEntry) => `${e.model}/${e.hardware}/tp=${e.tensor_parallel} ${e.metric}`;

/** How many doubles lie between a and b (0 when equal), for finite values of the same sign. */
function ulpsBetween(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  const d = view.getBigInt64(0) - view.getBigInt64(8);
  return Number(d < 0n ? -d : d);
}

const relative = (actual: number, expected: number) => (actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected));

describe('linear()', () => {
  const xs = Object.freeze([1, 2, 4, 8]);
  const ys = Object.freeze([10, 20, 30, 70]);
  const f = linear(xs, ys);

  it('reproduces exact knots exactly', () => {
    xs.forEach((x, i) => expect(f(x)).toBe(ys[i]));
  });

  it('reproduces inexact knots within 2 ulp', () => {
    const kx = [0, 3, 10, 10.5];
    const ky = [0.1, 0.7, 0.3, 1 / 3];
    const g = linear(kx, ky);
    kx.forEach((x, i) => {
      const y = ky[i] as number;
      expect(ulpsBetween(g(x), y)).toBeLessThanOrEqual(2);
      expect(relative(g(x), y)).toBeLessThanOrEqual(1e-15);
    });
  });

  it('reproduces the real data\'s knots within 2 ulp (relative 1e-15)', () => {
    for (const e of scipy) {
      const g = linear(e.x, e.y);
      e.x.forEach((x, i) => {
        const y = e.y[i] as number;
        if (y === 0) expect(g(x), name(e)).toBe(0);
        else {
          expect(ulpsBetween(g(x), y), `${name(e)} at ${x}`).toBeLessThanOrEqual(2);
          expect(relative(g(x), y), `${name(e)} at ${x}`).toBeLessThanOrEqual(1e-15);
        }
      });
    }
  });

  it('returns the first knot exactly (slope times zero)', () => {
    const g = linear([0, 3], [0.1, 0.7]);
    expect(g(0)).toBe(0.1);
  });

  it.each([
    [1.5, 15], // (10 + 20) / 2
    [3, 25], // (20 + 30) / 2
    [6, 50], // (30 + 70) / 2
    [2.5, 22.5], // 20 + 0.25 * 10
    [7, 60], // 30 + 0.75 * 40
  ])('interpolates at %s to %s', (x, y) => {
    expect(f(x)).toBe(y);
  });

  it.each([
    // below: the line through (1, 10) and (2, 20), slope 10
    [0, 0],
    [-1, -10],
    [0.5, 5],
    // above: the line through (4, 30) and (8, 70), slope 10
    [10, 90],
    [16, 150],
    [9, 80],
  ])('extrapolates at %s to %s through the two outermost knots on that side', (x, y) => {
    expect(f(x)).toBe(y);
  });

  it('is a straight line through two knots, on both sides', () => {
    const g = linear([2, 6], [1, 3]);
    // slope 0.5
    expect([g(0), g(2), g(4), g(6), g(10)]).toEqual([0, 1, 2, 3, 5]);
  });

  it('matches scipy interp1d(fill_value="extrapolate") on the real data within 1e-12 relative', () => {
    let checked = 0;
    for (const e of scipy) {
      const g = linear(e.x, e.y);
      e.queries.forEach((q, i) => {
        const expected = e.values[i] as number;
        const actual = g(q);
        if (expected === 0) expect(Math.abs(actual), `${name(e)} at ${q}`).toBeLessThanOrEqual(1e-12);
        else expect(relative(actual, expected), `${name(e)} at ${q}`).toBeLessThanOrEqual(1e-12);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(20_000);
  });

  it('equals scipy interp1d(fill_value="extrapolate") on the real data bit for bit', () => {
    const differing: string[] = [];
    for (const e of scipy) {
      const g = linear(e.x, e.y);
      e.queries.forEach((q, i) => {
        if (!Object.is(g(q), e.values[i])) differing.push(`${name(e)} at ${q}: ${g(q)} vs ${e.values[i]}`);
      });
    }
    expect(differing).toEqual([]);
  });

  it('copies its knots: changing the arrays afterwards changes nothing', () => {
    const kx = [1, 2];
    const ky = [10, 20];
    const g = linear(kx, ky);
    kx[1] = 100;
    ky[1] = -5;
    expect(g(1.5)).toBe(15);
  });

  it.each([
    ['one knot', [1], [1]],
    ['no knots', [], []],
    ['more ys than xs', [1, 2], [1, 2, 3]],
    ['fewer ys than xs', [1, 2, 3], [1, 2]],
  ])('throws for %s', (_what, kx, ky) => {
    expect(() => linear(kx, ky)).toThrow(RangeError);
  });
});

describe('searchLeft()', () => {
  // numpy.searchsorted([1, 2, 2, 2, 5], q, side="left")
  const xs = Object.freeze([1, 2, 2, 2, 5]);

  it.each([
    [0, 0], // below everything
    [1, 0], // equal to the first
    [1.5, 1],
    [2, 1], // ties: the first of the equal values
    [3, 4],
    [5, 4], // equal to the last
    [6, 5], // above everything: n
  ])('finds %s at index %s', (q, i) => {
    expect(searchLeft(xs, q)).toBe(i);
  });

  it('returns 0 for an empty array', () => {
    expect(searchLeft([], 3)).toBe(0);
  });

  it('agrees with a linear scan for the first index with xs[i] >= q', () => {
    const sorted = Float64Array.from([-3, 0, 0, 1, 4, 4, 4, 9, 16, 16]);
    for (let q = -5; q <= 18; q += 0.5) {
      const expected = sorted.findIndex((v) => v >= q);
      expect(searchLeft(sorted, q), `q=${q}`).toBe(expected === -1 ? sorted.length : expected);
    }
  });
});
