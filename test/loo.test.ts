import { describe, expect, it } from 'vitest';
import { linear } from '../pipeline/fit/interpolate.js';
import { isotonic } from '../pipeline/fit/isotonic.js';
import { leaveOneOut, type Method } from '../pipeline/fit/loo.js';
import { pchip } from '../pipeline/fit/pchip.js';
import { deepFreeze, scipyFixture } from './helpers.js';

interface Group {
  model: string;
  hardware: string;
  tensor_parallel: number;
  metric: string;
}
interface Knots extends Group {
  x: number[];
  y: number[];
  w: number[];
}
interface LooReference extends Group {
  x_left_out: number[];
  ape: number[];
  mape: number;
  max_ape: number;
  worst_x: number;
  pchip_ape: number[];
  pchip_mape: number;
}

/**
 * Leave-one-out over the interior knots with scipy interp1d(fill_value="extrapolate") and
 * PchipInterpolator (see test/fixtures/scipy/make_reference.py). The knots themselves
 * (x, y = median per x, w = rows per x) are taken from isotonic-real.json: same groups, same order.
 */
const reference = scipyFixture<LooReference[]>('loo-real.json');
const knots = new Map(scipyFixture<Knots[]>('isotonic-real.json').map((e) => [key(e), e]));
function key(g: Group): string {
  return `${g.model}/${g.hardware}/tp=${g.tensor_parallel} ${g.metric}`;
}
const entries = reference.map((ref): [string, LooReference, Knots] => {
  const k = knots.get(key(ref));
  if (k === undefined) throw new Error(`no knots for ${key(ref)}`);
  return [key(ref), ref, k];
});

const relative = (actual: number, expected: number) => (actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected));

describe('leaveOneOut()', () => {
  it('has reference knots for every reference group', () => {
    expect(entries.length).toBe(24);
  });

  // linear and pchip ignore the weights: a (xs, ys) => Interpolator is a Method
  it.each([
    ['linear', linear, 'ape', 'mape'],
    ['pchip', pchip, 'pchip_ape', 'pchip_mape'],
  ] as const)('matches scipy for %s: every APE and the MAPE within 1e-9 relative', (_name, method, apeKey, mapeKey) => {
    for (const [name, ref, k] of entries) {
      const r = leaveOneOut(k.x, k.y, k.w, method);
      expect(r.x, name).toEqual(ref.x_left_out);
      expect(r.ape.length, name).toBe(ref[apeKey].length);
      r.ape.forEach((ape, i) => expect(relative(ape, ref[apeKey][i] as number), `${name} at ${r.x[i]}`).toBeLessThanOrEqual(1e-9));
      expect(relative(r.mape, ref[mapeKey]), name).toBeLessThanOrEqual(1e-9);
      expect(r.skippedX, name).toEqual([]);
    }
  });

  it('matches scipy for linear: the largest APE and where it is', () => {
    for (const [name, ref, k] of entries) {
      const r = leaveOneOut(k.x, k.y, k.w, linear);
      expect(relative(r.maxApe, ref.max_ape), name).toBeLessThanOrEqual(1e-9);
      expect(r.worstX, name).toBe(ref.worst_x);
    }
  });

  it('scores each interior knot by |pred - y| / |y| with the knot left out', () => {
    // leave out x = 1: the line (0, 1)-(2, 4) gives 2.5, |2.5 - 2| / 2 = 0.25
    // leave out x = 2: the line (1, 2)-(3, 5) gives 3.5, |3.5 - 4| / 4 = 0.125
    const r = leaveOneOut([0, 1, 2, 3], [1, 2, 4, 5], [1, 1, 1, 1], linear);
    expect(r).toEqual({ x: [1, 2], ape: [0.25, 0.125], mape: 0.1875, maxApe: 0.25, worstX: 1, skippedX: [] });
  });

  it('passes the weights to the method: isotonic', () => {
    // leave out x = 1: PAVA of [1, 2, 4] is unchanged, line (0, 1)-(2, 2) gives 1.5, |1.5 - 3| / 3 = 0.5
    // leave out x = 2: PAVA of [1, 3, 4] is unchanged, line (1, 3)-(3, 4) gives 3.5, |3.5 - 2| / 2 = 0.75
    const r = leaveOneOut([0, 1, 2, 3], [1, 3, 2, 4], [1, 1, 1, 1], isotonic);
    expect(r).toEqual({ x: [1, 2], ape: [0.5, 0.75], mape: 0.625, maxApe: 0.75, worstX: 2, skippedX: [] });
  });

  it('fits the method on all the other knots, in order, with their weights', () => {
    const calls: number[][][] = [];
    const spy: Method = (xs, ys, ws) => {
      calls.push([[...xs], [...ys], [...ws]]);
      return () => 1;
    };
    leaveOneOut([1, 2, 3, 4], [10, 20, 30, 40], [5, 6, 7, 8], spy);
    expect(calls).toEqual([
      [[1, 3, 4], [10, 30, 40], [5, 7, 8]],
      [[1, 2, 4], [10, 20, 40], [5, 6, 8]],
    ]);
  });

  it('reports the first knot on ties for the worst APE', () => {
    // a straight line: every prediction is exact, every APE 0
    const r = leaveOneOut([1, 2, 3, 4], [2, 4, 6, 8], [1, 1, 1, 1], linear);
    expect(r).toEqual({ x: [2, 3], ape: [0, 0], mape: 0, maxApe: 0, worstX: 2, skippedX: [] });
  });

  it('skips a knot whose y is 0 and lists it in skippedX', () => {
    // x = 1 skipped; leave out x = 2: the line (1, 0)-(3, 5) gives 2.5, |2.5 - 4| / 4 = 0.375
    const r = leaveOneOut([0, 1, 2, 3], [1, 0, 4, 5], [1, 1, 1, 1], linear);
    expect(r).toEqual({ x: [2], ape: [0.375], mape: 0.375, maxApe: 0.375, worstX: 2, skippedX: [1] });
  });

  it('returns mape 0, maxApe 0 and worstX null when every interior y is 0', () => {
    const r = leaveOneOut([0, 1, 2], [1, 0, 5], [1, 1, 1], linear);
    expect(r).toEqual({ x: [], ape: [], mape: 0, maxApe: 0, worstX: null, skippedX: [1] });
  });

  it.each([
    ['no knots', [], [], []],
    ['one knot', [1], [1], [1]],
    ['two knots', [1, 2], [1, 2], [1, 1]],
  ])('leaves nothing out, and never fits, with %s', (_what, xs, ys, ws) => {
    const never: Method = () => {
      throw new Error('should not fit');
    };
    expect(leaveOneOut(xs, ys, ws, never)).toEqual({ x: [], ape: [], mape: 0, maxApe: 0, worstX: null, skippedX: [] });
  });

  it('does not modify its inputs (frozen, so a write would throw)', () => {
    const [, , k] = entries[0] as [string, LooReference, Knots];
    const frozen = deepFreeze(structuredClone(k));
    const byPchip = leaveOneOut(frozen.x, frozen.y, frozen.w, pchip);
    expect(frozen).toEqual(k);
    expect(byPchip.ape.length).toBe(k.x.length - 2);
  });

  it.each([
    ['fewer ys than xs', [1, 2, 3], [1, 2], [1, 1, 1]],
    ['fewer weights than xs', [1, 2, 3], [1, 2, 3], [1, 1]],
  ])('throws a RangeError for %s', (_what, xs, ys, ws) => {
    expect(() => leaveOneOut(xs, ys, ws, linear)).toThrow(RangeError);
  });
});
