import { describe, expect, it } from 'vitest';
import { bandError, calibrate, conformalQuantile, growthExponent, HELD_OUT_FAMILIES, leaveFamilyOut, type CalibrationPoint } from '../pipeline/fit/calibration.js';

describe('conformalQuantile()', () => {
  it.each([
    // values, coverage, expected: the ceil((n + 1) P)-th smallest
    [[5, 1, 4, 2, 3], 0.5, 3], // ceil(3) = 3rd
    [[5, 1, 4, 2, 3], 0.8, 5], // ceil(4.8) = 5th
    [[5, 1, 4, 2, 3], 0.9, null], // ceil(5.4) = 6 > 5
    [[1, 2, 3, 4, 5, 6, 7, 8, 9], 0.8, 8], // ceil(8) = 8th: exact, not 9th
    [[], 0.5, null],
  ])('of %j at %d is %s', (values, coverage, expected) => {
    expect(conformalQuantile(values, coverage)).toBe(expected);
  });
});

const at = (f: number, error: number, family = 'a'): CalibrationPoint => ({ family, f, error });

describe('growthExponent()', () => {
  it('is the least-squares slope of ln(error) on ln(f): exact for a power law', () => {
    const points = [2, 4, 8, 16].map((f) => at(f, 0.01 * f ** 1.5));
    expect(Math.abs(growthExponent(points) - 1.5)).toBeLessThan(1e-12);
  });

  it('is clipped to [0, 2] and 0 with fewer than three points or one factor', () => {
    expect(growthExponent([2, 4, 8].map((f) => at(f, 0.5 / f)))).toBe(0);
    expect(growthExponent([2, 4, 8].map((f) => at(f, 0.01 * f ** 3)))).toBe(2);
    expect(growthExponent([at(2, 0.1), at(4, 0.2)])).toBe(0);
    expect(growthExponent([at(2, 0.1), at(2, 0.2), at(2, 0.3)])).toBe(0);
  });
});

describe('calibrate() and bandError()', () => {
  it('scales the conformal quantile of error / f^gamma by f^gamma, up to the largest factor seen', () => {
    // errors 0.01 f: gamma 1, normalised errors all 0.01
    const band = calibrate([2, 2, 4, 4, 8].map((f) => at(f, 0.01 * f)), 0.5);
    expect(band?.gamma).toBeCloseTo(1, 12);
    expect(band?.q).toBeCloseTo(0.01, 12);
    expect(band?.maxFactor).toBe(8);
    expect(bandError(band ?? null, 6)).toBeCloseTo(0.06, 12);
    expect(bandError(band ?? null, 8.5)).toBeNull();
    expect(calibrate([], 0.5)).toBeNull();
  });
});

describe('leaveFamilyOut()', () => {
  it('scores each family against the band of the others', () => {
    // family a: errors 0.1 at f 1; b: 0.3; c: 0.2. At coverage 0.5 (n = 2: ceil(1.5) = 2nd smallest):
    // a against b, c -> 0.3: covered; b against a, c -> 0.2: not; c against a, b -> 0.3: covered.
    const points = [at(1, 0.1, 'a'), at(1, 0.3, 'b'), at(1, 0.2, 'c')];
    expect(leaveFamilyOut(points, 0.5)).toEqual({ nominal: 0.5, achieved: 2 / 3, residuals: 3 });
  });

  it('holds out HELD_OUT_FAMILIES families, evenly spaced from the first, when there are more, each against all the others', () => {
    // 400 families of one interior residual: even positions 0.001, odd ones 1. At coverage 0.5 (n = 399: the 200th smallest):
    // an even family against the others (199 small, 200 large) -> 1: covered; an odd one (200 small) -> 0.001: not.
    const points = Array.from({ length: 2 * HELD_OUT_FAMILIES }, (_, i) => at(1, i % 2 === 0 ? 0.001 : 1, `f${i}`));
    // Every family held out would give 1/2; every other one, from the first, holds out the even ones only.
    expect(leaveFamilyOut(points, 0.5)).toEqual({ nominal: 0.5, achieved: 1, residuals: 2 * HELD_OUT_FAMILIES });
    expect(leaveFamilyOut(points.slice(0, HELD_OUT_FAMILIES), 0.5).achieved).toBe(0.5);
  });

  it('has nothing to say with one family', () => {
    expect(leaveFamilyOut([at(1, 0.1)], 0.8).achieved).toBeNull();
  });
});
