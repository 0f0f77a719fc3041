import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../pipeline/stages/aggregate.js';
import { deepFreeze, row } from './helpers.js';

/** Three repetitions of (128, 1, 128) and two of (256, 1, 128), plus a config of another group. */
const rows = deepFreeze([
  row({ prompt_size: 128, batch_size: 1, token_size: 128, metrics: { prompt_time: 12, token_time: 3, e2e_time: 400, peak_power: 0.5 }, line: 2 }),
  row({ prompt_size: 256, batch_size: 1, token_size: 128, metrics: { prompt_time: 30, token_time: 4, e2e_time: 540, peak_power: 0.75 }, line: 3 }),
  row({ prompt_size: 128, batch_size: 1, token_size: 128, metrics: { prompt_time: 10, token_time: 5, e2e_time: 410, peak_power: 0.25 }, line: 4 }),
  row({ prompt_size: 256, batch_size: 1, token_size: 128, metrics: { prompt_time: 20, token_time: 5, e2e_time: 560, peak_power: 0.5 }, line: 5 }),
  row({ prompt_size: 128, batch_size: 1, token_size: 128, metrics: { prompt_time: 11, token_time: 4, e2e_time: 390, peak_power: 0.5 }, line: 6 }),
  row({ model: 'a', prompt_size: 512, batch_size: 2, token_size: 256, metrics: { prompt_time: 1, token_time: 1 }, line: 7 }),
]);

describe('aggregate()', () => {
  const configurations = aggregate(rows);
  const [other, small, large] = configurations;

  it('makes one record per configuration', () => {
    expect(configurations).toHaveLength(3);
    expect(configurations.map((c) => c.count)).toEqual([1, 3, 2]);
  });

  it('takes the median, min and max of an odd count of repetitions', () => {
    // prompt_time 12, 10, 11 -> sorted 10, 11, 12
    expect(small?.metrics.prompt_time).toEqual({ median: 11, min: 10, max: 12 });
    // token_time 3, 5, 4
    expect(small?.metrics.token_time).toEqual({ median: 4, min: 3, max: 5 });
    // e2e_time 400, 410, 390
    expect(small?.metrics.e2e_time).toEqual({ median: 400, min: 390, max: 410 });
    // peak_power 0.5, 0.25, 0.5
    expect(small?.metrics.peak_power).toEqual({ median: 0.5, min: 0.25, max: 0.5 });
  });

  it('takes the mean of the middle pair for an even count', () => {
    // prompt_time 30, 20 -> 25; token_time 4, 5 -> 4.5; e2e 540, 560 -> 550; peak 0.75, 0.5 -> 0.625
    expect(large?.metrics.prompt_time).toEqual({ median: 25, min: 20, max: 30 });
    expect(large?.metrics.token_time).toEqual({ median: 4.5, min: 4, max: 5 });
    expect(large?.metrics.e2e_time).toEqual({ median: 550, min: 540, max: 560 });
    expect(large?.metrics.peak_power).toEqual({ median: 0.625, min: 0.5, max: 0.75 });
  });

  it('keeps each metric\'s repetitions sorted ascending', () => {
    expect(small?.repetitions.prompt_time).toEqual([10, 11, 12]);
    expect(large?.repetitions.e2e_time).toEqual([540, 560]);
  });

  it('gives null for a metric absent from the input, with no repetitions', () => {
    expect(small?.metrics.average_power).toBeNull();
    expect(small?.repetitions.average_power).toEqual([]);
    expect(other?.metrics.e2e_time).toBeNull();
  });

  it('carries the configuration key without file or line', () => {
    expect(other).toMatchObject({ model: 'a', hardware: 'h', tensor_parallel: 1, prompt_size: 512, batch_size: 2, token_size: 256 });
    expect(other).not.toHaveProperty('file');
    expect(other).not.toHaveProperty('line');
  });

  it('sorts by model, hardware, tensor_parallel, prompt, batch, token', () => {
    const keys = [
      ['b', 'x', 1, 1, 1, 1],
      ['a', 'y', 1, 1, 1, 1],
      ['a', 'x', 10, 1, 1, 1],
      ['a', 'x', 2, 1, 1, 1],
      ['a', 'x', 2, 1000, 1, 1],
      ['a', 'x', 2, 200, 1, 1],
      ['a', 'x', 2, 200, 16, 1],
      ['a', 'x', 2, 200, 4, 1],
      ['a', 'x', 2, 200, 4, 2048],
      ['a', 'x', 2, 200, 4, 512],
      ['B', 'x', 1, 1, 1, 1],
    ] as const;
    const input = keys.map(([model, hardware, tensor_parallel, prompt_size, batch_size, token_size]) =>
      row({ model, hardware, tensor_parallel, prompt_size, batch_size, token_size, metrics: { prompt_time: 1, token_time: 1 } }),
    );
    const order = aggregate(deepFreeze(input)).map((c) => [c.model, c.hardware, c.tensor_parallel, c.prompt_size, c.batch_size, c.token_size]);
    // numbers numerically (2 < 10, 200 < 1000), names by code unit ('B' < 'a' < 'b')
    expect(order).toEqual([
      ['B', 'x', 1, 1, 1, 1],
      ['a', 'x', 2, 1, 1, 1],
      ['a', 'x', 2, 200, 1, 1],
      ['a', 'x', 2, 200, 4, 1],
      ['a', 'x', 2, 200, 4, 512],
      ['a', 'x', 2, 200, 4, 2048],
      ['a', 'x', 2, 200, 16, 1],
      ['a', 'x', 2, 1000, 1, 1],
      ['a', 'x', 10, 1, 1, 1],
      ['a', 'y', 1, 1, 1, 1],
      ['b', 'x', 1, 1, 1, 1],
    ]);
  });

  it('gives the same result for any permutation of the input rows', () => {
    const expected = aggregate(rows);
    fc.assert(
      fc.property(fc.shuffledSubarray([...rows], { minLength: rows.length, maxLength: rows.length }), (shuffled) => {
        expect(aggregate(deepFreeze(shuffled))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('returns an empty list for no rows', () => {
    expect(aggregate([])).toEqual([]);
  });

  it('does not modify its input', () => {
    const copy = structuredClone(rows);
    aggregate(rows);
    expect(rows).toEqual(copy);
  });
});
