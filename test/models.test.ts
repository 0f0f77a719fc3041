/**
 * The hardware models' value (fit/models.ts) is written out for speed; it
 * must be, bit for bit, the dot product of the coefficients with the
 * regressors the fit uses, a·f0 + b·f1 + c·f2 in that order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelFeatures, modelValue, type ModelKind } from '../pipeline/fit/models.js';

describe('modelValue()', () => {
  it.each(['decode', 'prefill'] as ModelKind[])('is exactly the %s model\'s coefficients times its regressors, summed left to right', (kind) => {
    const size = fc.integer({ min: 1, max: 1 << 20 });
    const coefficient = fc.double({ min: 0, max: 1e4, noNaN: true });
    fc.assert(
      fc.property(size, size, size, coefficient, coefficient, coefficient, (prompt, batch, tokens, a, b, c) => {
        const [f0, f1, f2] = modelFeatures(kind, prompt, batch, tokens);
        expect(modelValue({ kind, coef: [a, b, c] }, prompt, batch, tokens)).toBe(a * f0 + b * f1 + c * f2);
      }),
      { numRuns: 20_000, seed: 20261202 },
    );
  });

  it('gives the hand-worked value of each model', () => {
    // decode: 2 + 3·4 + 0.5·4·(100 + 10/2) = 224; prefill: 2 + 3·(100·4) + 0.5·(100·100·4) = 21202.
    expect(modelValue({ kind: 'decode', coef: [2, 3, 0.5] }, 100, 4, 10)).toBe(224);
    expect(modelValue({ kind: 'prefill', coef: [2, 3, 0.5] }, 100, 4, 10)).toBe(21202);
  });
});
