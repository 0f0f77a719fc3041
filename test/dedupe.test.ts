import { describe, expect, it } from 'vitest';
import { dedupe } from '../pipeline/stages/dedupe.js';
import { ingest } from '../pipeline/stages/ingest.js';
import { deepFreeze, row, source } from './helpers.js';

const a = row({ prompt_size: 128, batch_size: 1, token_size: 128, metrics: { prompt_time: 10, token_time: 2, e2e_time: 264 }, line: 2 });
const b = row({ prompt_size: 256, batch_size: 1, token_size: 128, metrics: { prompt_time: 20, token_time: 2, e2e_time: 274 }, line: 3 });

describe('dedupe()', () => {
  it('drops exact duplicates, keeps the first and counts the dropped per group id', () => {
    const rows = deepFreeze([a, b, { ...a, line: 4 }, { ...a, line: 5 }, { ...b, line: 6 }]);
    const result = dedupe(rows);
    expect(result.rows).toEqual([a, b]);
    expect(result.rows[0]).toBe(a);
    expect(result.duplicates).toBe(3);
    expect([...result.duplicatesByGroup]).toEqual([['m/h/tp=1', 3]]);
  });

  it('counts duplicates in each group separately', () => {
    const other = { ...a, model: 'llama2-70b', hardware: 'a100-80gb', tensor_parallel: 4 };
    const rows = deepFreeze([a, other, { ...other }, { ...a }, { ...other }]);
    const result = dedupe(rows);
    expect(result.rows).toEqual([a, other]);
    expect(result.duplicatesByGroup).toEqual(
      new Map([
        ['m/h/tp=1', 1],
        ['llama2-70b/a100-80gb/tp=4', 2],
      ]),
    );
    expect(result.duplicates).toBe(3);
  });

  it('keeps rows that differ in one metric', () => {
    const rows = deepFreeze([a, { ...a, metrics: { ...a.metrics, token_time: 2.000000001 } }, { ...a, metrics: { ...a.metrics, peak_power: 0 } }]);
    const result = dedupe(rows);
    expect(result.rows).toHaveLength(3);
    expect(result.duplicates).toBe(0);
    expect(result.duplicatesByGroup.size).toBe(0);
  });

  it.each([
    ['model', { model: 'm2' }],
    ['hardware', { hardware: 'h2' }],
    ['tensor_parallel', { tensor_parallel: 2 }],
    ['prompt_size', { prompt_size: 129 }],
    ['batch_size', { batch_size: 2 }],
    ['token_size', { token_size: 256 }],
  ])('keeps rows that differ only in %s', (_column, change) => {
    expect(dedupe(deepFreeze([a, { ...a, ...change }])).rows).toHaveLength(2);
  });

  it('ignores where a row came from: the same values on another line or file are a duplicate', () => {
    const result = dedupe(deepFreeze([a, { ...a, file: 'other.csv', line: 99 }]));
    expect(result.rows).toEqual([a]);
    expect(result.duplicates).toBe(1);
  });

  it('compares values as numbers: 1.0 equals 1 and 1e2 equals 100', async () => {
    const header = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time';
    const text = `${header}\nm,h,1,100,1,10,1,2.5\nm,h,1.0,1e2,1,10.0,1.0,2.50\nm,h,1,100,1,10,1,2.5000001\n`;
    const { rows } = await ingest([source(text)], { onInvalid: 'error' });
    const result = dedupe(rows);
    expect(result.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(result.duplicates).toBe(1);
  });

  describe('with keepDuplicates (SplitwiseSim reads one file)', () => {
    const keep = { keepDuplicates: true };
    const again = (r: typeof a, line: number, file = r.file) => ({ ...r, line, file });
    it('keeps a row repeating an earlier row of its own file, and counts nothing', () => {
      const rows = deepFreeze([a, again(a, 3), b, again(a, 5)]);
      expect(dedupe(rows, keep)).toEqual({ rows, duplicatesByGroup: new Map(), duplicates: 0 });
      expect(dedupe(rows, keep, [4]).rows).toEqual(rows);
    });

    it('drops and counts a row repeating one of an earlier file, however many times its own file repeats it', () => {
      // File 1: a, a; file 2: a, b, a, b (its b repeated in itself, its a repeating file 1's).
      const rows = deepFreeze([a, again(a, 3), again(a, 2, 'y.csv'), again(b, 3, 'y.csv'), again(a, 4, 'y.csv'), again(b, 5, 'y.csv')]);
      const result = dedupe(rows, keep, [2, 4]);
      expect(result.rows.map((r) => [r.file, r.line])).toEqual([
        ['x.csv', 2],
        ['x.csv', 3],
        ['y.csv', 3],
        ['y.csv', 5],
      ]);
      expect(result.duplicates).toBe(2);
      expect([...result.duplicatesByGroup]).toEqual([['m/h/tp=1', 2]]);
    });

    it('adds nothing for the same file given twice, and passes over a file whose every row was rejected', () => {
      const rows = deepFreeze([a, b, again(a, 2), again(b, 3)]);
      const result = dedupe(rows, keep, [2, 0, 2]);
      expect(result.rows).toEqual([a, b]);
      expect(result.duplicates).toBe(2);
    });
  });

  it('returns an empty result for no rows', () => {
    const result = dedupe([]);
    expect(result).toEqual({ rows: [], duplicatesByGroup: new Map(), duplicates: 0 });
  });

  it('does not modify its input', () => {
    const rows = deepFreeze([a, { ...a }, b]);
    const copy = structuredClone(rows);
    dedupe(rows);
    expect(rows).toEqual(copy);
  });
});
