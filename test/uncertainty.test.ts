import { describe, expect, it } from 'vitest';
import type { Band } from '../pipeline/fit/calibration.js';
import { makePredictor } from '../pipeline/fit/predict.js';
import { formatError, measuredError, normalQuantile, predictedError, type MetricBands } from '../pipeline/fit/uncertainty.js';
import { deepFreeze } from './helpers.js';

describe('normalQuantile()', () => {
  // scipy.stats.norm.ppf (scipy 1.10)
  it.each([
    [0.001, -3.090232306167813],
    [0.01, -2.3263478740408408],
    [0.02425, -1.972961051311885],
    [0.1, -1.2815515655446004],
    [0.5, 0],
    [0.8, 0.8416212335729143],
    [0.9, 1.2815515655446004],
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.999, 3.090232306167813],
  ])('at %d is scipy norm.ppf to 1e-9 relative: %d', (p, expected) => {
    expect(Math.abs(normalQuantile(p) - expected)).toBeLessThanOrEqual(1.2e-9 * Math.max(1, Math.abs(expected)));
  });

  it.each([0, 1, -0.1, NaN])('refuses %d', (p) => {
    expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe('measuredError()', () => {
  it('is z((1 + P) / 2) * sqrt(pi / 2) * CV / sqrt(n): the standard error of the median, at coverage P', () => {
    // 9, 10, 11: mean 10, sample sd 1, CV 0.1; n = 3; z(0.9) = 1.2815515655446004 (scipy)
    const expected = (1.2815515655446004 * Math.sqrt(Math.PI / 2) * 0.1) / Math.sqrt(3);
    expect(Math.abs((measuredError([9, 10, 11], 0.8) as number) - expected)).toBeLessThan(1.2e-9 * expected);
  });

  it('is null for a single repetition, 0 for identical ones', () => {
    expect(measuredError([5], 0.8)).toBeNull();
    expect(measuredError([5, 5, 5], 0.8)).toBe(0);
  });
});

describe('predictedError()', () => {
  const predictor = makePredictor('linear', deepFreeze({ x: [100, 800], y: [10, 80], count: [1, 1], spread: [0, 0] }));
  const band = (gamma: number, q: number | null, maxFactor: number): Band => ({ gamma, q, maxFactor, residuals: 10 });
  const bands: MetricBands = deepFreeze({ interior: band(0, 0.05, 1), upper: band(1, 0.02, 8), lower: band(0.5, 0.1, 4) });

  it.each([
    // prompt, batch, err, validated; by hand: interior 0.05; above q f^1 with f = x / 800; below q f^0.5 with f = 100 / x
    [100, 1, 0.05, true],
    [400, 2, 0.05, true],
    [800, 2, 0.04, true], // f 2: 0.02 * 2
    [800, 8, 0.16, true], // f 8
    [1600, 8, null, false], // f 16 > 8: unvalidated
    [25, 1, 0.2, true], // f 4: 0.1 * 2
    [20, 1, null, false], // f 5 > 4
  ])('at (prompt %d, batch %d) is %d (validated %s)', (p, b, err, validated) => {
    const got = predictedError(bands, predictor, p, b);
    expect(got.validated).toBe(validated);
    if (err === null) expect(got.err).toBeNull();
    else expect(Math.abs((got.err as number) - err)).toBeLessThan(1e-15);
  });

  it('gives no number where the band has too few residuals for the coverage, and none at all without bands', () => {
    expect(predictedError({ interior: band(0, null, 1), upper: null, lower: null }, predictor, 200, 1)).toEqual({ err: null, validated: true });
    expect(predictedError({ interior: band(0, null, 1), upper: null, lower: null }, predictor, 1600, 1)).toEqual({ err: null, validated: false });
    expect(predictedError(null, predictor, 1600, 1)).toEqual({ err: null, validated: false });
  });
});

describe('formatError()', () => {
  it.each([
    [0.123456, '0.123'],
    [0, '0'],
    [null, ''],
    [Infinity, ''],
    [1.5e-7, '1.5e-7'],
  ])('writes %d as %s', (value, text) => {
    expect(formatError(value)).toBe(text);
  });
});
