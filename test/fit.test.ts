import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dedupe } from '../pipeline/stages/dedupe.js';
import { PerfDbError } from '../pipeline/core/errors.js';
import { ingest } from '../pipeline/stages/ingest.js';
import { FITTED_METRICS } from '../pipeline/core/columns.js';
import type { Measurement } from '../pipeline/types.js';
import { deepFreeze, fitGroups, realDataPath, row, scipyFixture, type ScipyEntry } from './helpers.js';

const scipy = scipyFixture<ScipyEntry[]>('interp1d-real.json');

async function realRows(): Promise<Measurement[]> {
  const path = realDataPath();
  const ingested = await ingest([{ file: path, chunks: createReadStream(path) }], { onInvalid: 'error' });
  return dedupe(ingested.rows).rows;
}

function fitError(rows: readonly Measurement[]): PerfDbError {
  try {
    fitGroups(rows);
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
  throw new Error('fit() did not throw');
}

describe('fit() on the real data', () => {
  it('gives every group\'s knots x, y and count exactly as pandas/scipy do', async () => {
    const groups = fitGroups(deepFreeze(await realRows()));
    // pandas groupby(sort=True) order, then the script's metric order
    const actual = groups.flatMap((g) =>
      FITTED_METRICS.map((metric) => {
        const knots = g.fits[metric]?.knots;
        return { model: g.model, hardware: g.hardware, tensor_parallel: g.tensor_parallel, metric, x: knots?.x, y: knots?.y, count: knots?.count };
      }),
    );
    const expected = scipy.map(({ model, hardware, tensor_parallel, metric, x, y, count }) => ({ model, hardware, tensor_parallel, metric, x, y, count }));
    expect(groups).toHaveLength(12);
    expect(actual).toEqual(expected);
    // and bit for bit, signed zeros included
    actual.forEach((a, i) => a.y?.forEach((y, j) => expect(Object.is(y, expected[i]?.y[j])).toBe(true)));
  });

  it('sets range to the measured batch_tokens [min, max] and id to model/hardware/tp=N', async () => {
    const groups = fitGroups(await realRows());
    for (const g of groups) {
      const x = g.fits.prompt_time?.knots.x ?? [];
      expect(g.range).toEqual([x[0], x[x.length - 1]]);
      expect(g.id).toBe(`${g.model}/${g.hardware}/tp=${g.tensor_parallel}`);
      expect(g.fits.prompt_time?.method).toBe('linear');
    }
    expect(groups[0]?.id).toBe('bloom-176b/a100-80gb/tp=8');
  });
});

describe('fit()', () => {
  const at = (model: string, tensor_parallel: number, prompt_size: number, batch_size: number, prompt_time: number) =>
    row({ model, tensor_parallel, prompt_size, batch_size, token_size: 128, metrics: { prompt_time, token_time: prompt_time / 10 } });

  it('throws E_CANNOT_FIT naming the group when it has a single batch_tokens', () => {
    const rows = deepFreeze([at('ok', 1, 128, 1, 10), at('ok', 1, 256, 1, 20), { ...at('one', 4, 128, 2, 10), line: 4 }, at('one', 4, 256, 1, 11), at('one', 4, 128, 2, 12)]);
    const error = fitError(rows);
    expect(error.code).toBe('E_CANNOT_FIT');
    // Named by the group and by where its first row is.
    expect(error.place).toEqual({ group: 'one/h/tp=4', file: 'x.csv', line: 4 });
    expect(error.format()).toMatch(/^x\.csv:4: E_CANNOT_FIT /);
    // 128 * 2 = 256 * 1: two configurations, one batch_tokens
    expect(error.message).toContain('only batch_tokens = 256 was measured');
    expect(error.format()).toContain('(group one/h/tp=4)');
  });

  it('takes the median over every row sharing a batch_tokens, not a median of medians', () => {
    // x = 256: (256, 1) gives 1 and 2, (128, 2) gives 10 -> median of 1, 2, 10 is 2 (a median of medians would be 5.75)
    const rows = deepFreeze([at('m', 1, 256, 1, 1), at('m', 1, 256, 1, 2), at('m', 1, 128, 2, 10), at('m', 1, 64, 1, 3)]);
    const [g] = fitGroups(rows);
    expect(g?.fits.prompt_time?.knots).toMatchObject({ x: [64, 256], y: [3, 2], count: [1, 3] });
    expect(g?.range).toEqual([64, 256]);
  });

  it('takes the mean of the middle pair for an even count at one batch_tokens', () => {
    const rows = deepFreeze([at('m', 1, 100, 1, 7), at('m', 1, 100, 1, 4), at('m', 1, 50, 2, 1), at('m', 1, 100, 1, 100), at('m', 1, 300, 1, 1)]);
    // x = 100: 7, 4, 1, 100 -> (4 + 7) / 2
    expect(fitGroups(rows)[0]?.fits.prompt_time?.knots).toMatchObject({ x: [100, 300], y: [5.5, 1], count: [4, 1] });
  });

  it('gives a null fit for an optional metric absent from the input', () => {
    const [g] = fitGroups(deepFreeze([at('m', 1, 1, 1, 1), at('m', 1, 2, 1, 2)]));
    expect(g?.fits.peak_power).toBeNull();
    expect(g?.fits.average_power).toBeNull();
    expect(g?.fits.token_time?.knots).toMatchObject({ x: [1, 2], y: [0.1, 0.2], count: [1, 1] });
  });

  it('gives a null fit for an optional metric measured at one batch_tokens only', () => {
    const rows = deepFreeze([
      row({ prompt_size: 1, metrics: { prompt_time: 1, token_time: 1, peak_power: 0.5 } }),
      row({ prompt_size: 2, metrics: { prompt_time: 2, token_time: 1 } }),
    ]);
    expect(fitGroups(rows)[0]?.fits.peak_power).toBeNull();
  });

  it('returns groups sorted by model, hardware, then tensor_parallel numerically', () => {
    const groups = [
      ['b', 'x', 1],
      ['a', 'y', 1],
      ['a', 'x', 10],
      ['a', 'x', 2],
      ['B', 'z', 1],
    ] as const;
    const rows = groups.flatMap(([model, hardware, tensor_parallel]) =>
      [1, 2].map((prompt_size) => row({ model, hardware, tensor_parallel, prompt_size, metrics: { prompt_time: prompt_size, token_time: 1 } })),
    );
    expect(fitGroups(deepFreeze(rows)).map((g) => g.id)).toEqual(['B/z/tp=1', 'a/x/tp=2', 'a/x/tp=10', 'a/y/tp=1', 'b/x/tp=1']);
  });

  it('does not modify its input', () => {
    const rows = deepFreeze([at('m', 1, 2, 1, 5), at('m', 1, 1, 1, 3), at('m', 1, 2, 1, 4)]);
    const copy = structuredClone(rows);
    fitGroups(rows);
    expect(rows).toEqual(copy);
  });
});

describe('fit() knots', () => {
  it('sorts batch_tokens numerically, not as strings', () => {
    const rows = [1000, 20, 300].map((prompt_size) => row({ prompt_size, metrics: { prompt_time: prompt_size, token_time: 1 } }));
    expect(fitGroups(deepFreeze(rows))[0]?.fits.prompt_time?.knots).toMatchObject({ x: [20, 300, 1000], y: [20, 300, 1000], count: [1, 1, 1] });
  });
});
