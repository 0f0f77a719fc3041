import { describe, expect, it } from 'vitest';
import type { MetricFit } from '../pipeline/types.js';
import { errorModel, formatError } from '../pipeline/fit/uncertainty.js';
import { deepFreeze } from './helpers.js';

/**
 * A hand-made fit: knots at 100, 200, 400, 800 with repetition spreads
 * 0.01, 0.02, 0.03, 0.04; leave-one-out errors 0.1 at 200 and 0.2 at 400.
 */
const FIT: MetricFit = deepFreeze({
  metric: 'prompt_time',
  method: 'linear',
  key: 'batch_tokens',
  knots: { x: [100, 200, 400, 800], y: [10, 20, 40, 80], count: [2, 2, 2, 2], spread: [0.01, 0.02, 0.03, 0.04] },
  loo: { x: [200, 400], ape: [0.1, 0.2] },
  candidates: null,
});

/** Within a few ulps (the log-space interpolation rounds). */
const close = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(4e-16 * Math.abs(expected));
};

describe('errorModel()', () => {
  const model = errorModel(FIT);

  it.each([
    // x, fit error (loo in log x, held beyond the outer loo knots), spread (max of the bracketing knots), by hand
    [100, 0.1, 0.01], // the first knot: its own spread; below the first loo x: 0.1
    [150, 0.1, 0.02], // between 100 and 200: max(0.01, 0.02)
    [200, 0.1, 0.02], // interior knot: its loo error, spread of the pair [100, 200]
    [400, 0.2, 0.03], // interior knot: its loo error, spread of the pair [200, 400]
    [600, 0.2, 0.04], // beyond the last loo x: 0.2; max(0.03, 0.04)
    [800, 0.2, 0.04], // the last knot
  ])('at %d inside the range is hypot(fit error, spread)', (x, fitError, spread) => {
    close(model(x), Math.hypot(fitError, spread));
  });

  it.each([
    // python: 0.1 + 0.1 * (log(x) - log(200)) / (log(400) - log(200)), hypot with max(0.02, 0.03)
    [283, 0.15304923398895473],
    [300, 0.16131045002392938],
  ])('at %d interpolates the loo error linearly in log x', (x, expected) => {
    close(model(x), expected);
  });

  it.each([
    [1600, Math.hypot(0.2, 0.04) * 2], // 1600 / 800
    [4000, Math.hypot(0.2, 0.04) * 5], // 4000 / 800
    [50, Math.hypot(0.1, 0.01) * 2], // 100 / 50
    [10, Math.hypot(0.1, 0.01) * 10], // 100 / 10
  ])('at %d outside the range grows with the factor beyond it', (x, expected) => {
    close(model(x), expected);
  });

  it('gives null with fewer than three knots (nothing to leave out)', () => {
    const two: MetricFit = deepFreeze({ ...FIT, knots: { x: [100, 200], y: [1, 2], count: [1, 1], spread: [0, 0] }, loo: { x: [], ape: [] } });
    const m = errorModel(two);
    expect([m(50), m(150), m(400)]).toEqual([null, null, null]);
  });

  it('uses the single loo knot everywhere when there is only one', () => {
    const three: MetricFit = deepFreeze({ ...FIT, knots: { x: [100, 200, 400], y: [1, 2, 4], count: [1, 1, 1], spread: [0, 0.05, 0] }, loo: { x: [200], ape: [0.3] } });
    const m = errorModel(three);
    close(m(150), Math.hypot(0.3, 0.05));
    close(m(300), Math.hypot(0.3, 0.05));
    close(m(800), Math.hypot(0.3, 0) * 2);
  });
});

describe('formatError()', () => {
  it.each([
    [0.0123456, '0.0123'],
    [0.1, '0.1'],
    [0.15304923398895473, '0.153'],
    [1.23456, '1.23'],
    [123456, '123000'],
    [0.0000123456, '0.0000123'],
    [1.23456e-7, '1.23e-7'],
    [0, '0'],
    [null, ''],
    [NaN, ''],
    [Infinity, ''],
  ])('formats %s as %j', (value, expected) => {
    expect(formatError(value)).toBe(expected);
  });
});
