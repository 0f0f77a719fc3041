import { describe, expect, it } from 'vitest';
import { median, medianSorted } from '../pipeline/core/stats.js';

describe('medianSorted()', () => {
  it('takes the middle value for an odd count', () => {
    expect(medianSorted(Object.freeze([1, 2, 10]))).toBe(2);
    expect(medianSorted(Object.freeze([7]))).toBe(7);
  });

  it('takes the mean of the middle pair for an even count', () => {
    // (2 + 3) / 2 = 2.5; (1 + 4) / 2 = 2.5; (0.5 + 0.75) / 2 = 0.625, all exact in binary
    expect(medianSorted(Object.freeze([1, 2, 3, 100]))).toBe(2.5);
    expect(medianSorted(Object.freeze([1, 4]))).toBe(2.5);
    expect(medianSorted(Object.freeze([0.25, 0.5, 0.75, 1]))).toBe(0.625);
  });

  it('throws on an empty array', () => {
    expect(() => medianSorted([])).toThrow(RangeError);
  });
});

describe('median()', () => {
  it('takes the middle value of unsorted input for an odd count', () => {
    expect(median(Object.freeze([10, 1, 2]))).toBe(2);
    expect(median(Object.freeze([5, -3, 4, 0, 9]))).toBe(4);
  });

  it('takes the mean of the middle pair of unsorted input for an even count', () => {
    // sorted: 1, 3, 5, 100 -> (3 + 5) / 2 = 4
    expect(median(Object.freeze([100, 3, 1, 5]))).toBe(4);
    // sorted: 2, 9 -> 5.5
    expect(median(Object.freeze([9, 2]))).toBe(5.5);
  });

  it('sorts numerically, not as strings', () => {
    // as strings 10 < 9; numerically the middle of 2, 9, 10 is 9
    expect(median(Object.freeze([10, 9, 2]))).toBe(9);
  });

  it('throws on an empty array', () => {
    expect(() => median([])).toThrow(RangeError);
  });

  it('does not modify its input', () => {
    const values = [3, 1, 2, 8];
    const frozen = Object.freeze([...values]);
    expect(median(frozen)).toBe(2.5);
    const unfrozen = [...values];
    median(unfrozen);
    expect(unfrozen).toEqual(values);
  });
});
