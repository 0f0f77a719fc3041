import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIP_RULE } from '../pipeline/fit/exclusions.js';
import { knotLine, knotsFor, lineSlice, lineWithout, pooled } from '../pipeline/fit/knots.js';
import type { Measurement, Metrics } from '../pipeline/types.js';
import { deepFreeze, fitGroups, row } from './helpers.js';

const m = (p: number, b: number, t: number, metrics: Partial<Metrics>): Measurement => row({ prompt_size: p, batch_size: b, token_size: t, metrics });

/**
 * batch_tokens 200 is shared by (100, 2) with prompt_time 10, 11, 12 and (200, 1) with 20:
 * the knot is the median over all four rows, 11.5 (a median of the configurations' medians would be 15.5).
 */
const ROWS = deepFreeze([
  m(100, 1, 10, { prompt_time: 5, token_time: 1 }),
  m(100, 2, 10, { prompt_time: 10, token_time: 2, peak_power: 0.5 }),
  m(100, 2, 10, { prompt_time: 11, token_time: 2, peak_power: 0.5 }),
  m(100, 2, 20, { prompt_time: 12, token_time: 3, peak_power: 0.5 }),
  m(200, 1, 10, { prompt_time: 20, token_time: 4 }),
  m(400, 2, 10, { prompt_time: 70, token_time: 8, peak_power: 1 }),
]);

describe('knotsFor()', () => {
  it('keys on batch_tokens with the median over every row sharing it, their count and cv', () => {
    const k = knotsFor(ROWS, 'prompt_time');
    expect(k.x).toEqual([100, 200, 800]);
    expect(k.y).toEqual([5, 11.5, 70]);
    expect(k.count).toEqual([1, 4, 1]);
    expect(k.spread[0]).toBe(0); // a single row
    // numpy: np.std([10, 11, 12, 20], ddof=1) / np.mean(...) ; by hand: mean 13.25, squares 10.5625+5.0625+1.5625+45.5625 = 62.75, sd sqrt(62.75/3)
    expect(k.spread[1]).toBeCloseTo(0.3451678675223206, 15);
    expect(k.spread[2]).toBe(0);
  });

  it('keys on batch_size when asked', () => {
    const k = knotsFor(ROWS, 'token_time', 'batch_size');
    expect(k.x).toEqual([1, 2]);
    expect(k.y).toEqual([2.5, 2.5]); // batch 1: 1, 4 -> 2.5; batch 2: 2, 2, 3, 8 -> (2 + 3) / 2
    expect(k.count).toEqual([2, 4]);
  });

  it('skips rows without the metric', () => {
    const k = knotsFor(ROWS, 'peak_power');
    expect(k.x).toEqual([200, 800]);
    expect(k.y).toEqual([0.5, 1]);
    expect(k.count).toEqual([3, 1]);
    expect(k.spread).toEqual([0, 0]); // three equal values: sd 0
  });

  it('gives empty knots for a metric no row has', () => {
    expect(knotsFor(ROWS, 'average_power')).toEqual({ x: [], y: [], count: [], spread: [] });
  });

  it('does not depend on row order', () => {
    const reversed = [...ROWS].reverse();
    expect(knotsFor(reversed, 'prompt_time')).toEqual(knotsFor(ROWS, 'prompt_time'));
  });
});

describe('knot lines with rows left out (what the backtests refit on)', () => {
  // Few sizes, so that configurations share an x; values repeat, so that medians tie.
  const rows = fc.array(
    fc.record({
      p: fc.constantFrom(50, 100, 200, 400),
      b: fc.constantFrom(1, 2, 4),
      t: fc.constantFrom(10, 20),
      v: fc.option(fc.constantFrom(1, 2, 3, 5, 8, 13.5), { nil: null }),
    }),
    { minLength: 1, maxLength: 30 },
  );
  const asRows = (list: { p: number; b: number; t: number; v: number | null }[]) => list.map(({ p, b, t, v }) => m(p, b, t, { prompt_time: v }));
  const line = ({ x, y, count }: { x: number[]; y: number[]; count: number[] }) => ({ x, y, count });

  it('one configuration left out: the knots of the other rows', () => {
    fc.assert(
      fc.property(rows, fc.constantFrom('batch_tokens' as const, 'batch_size' as const), fc.nat(), (list, key, pick) => {
        const all = asRows(list);
        const c = all[pick % all.length] as Measurement;
        const same = (r: Measurement) => r.prompt_size === c.prompt_size && r.batch_size === c.batch_size && r.token_size === c.token_size;
        const pool = pooled(all, 'prompt_time', key);
        const x = key === 'batch_tokens' ? c.prompt_size * c.batch_size : c.batch_size;
        expect(lineWithout(pool, knotLine(pool), x, same)).toEqual(line(knotsFor(all.filter((r) => !same(r)), 'prompt_time', key)));
      }),
      { numRuns: 400 },
    );
  });

  it('the first n - k (last n - k) knots: the knots of the rows at or below (above) the cut', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 4 }), (list, k) => {
        const all = asRows(list);
        const full = knotLine(pooled(all, 'prompt_time'));
        const n = full.x.length;
        fc.pre(n > k);
        const [upper, lower] = [full.x[n - 1 - k] as number, full.x[k] as number];
        expect(lineSlice(full, 0, n - k)).toEqual(line(knotsFor(all.filter((r) => r.prompt_size * r.batch_size <= upper), 'prompt_time')));
        expect(lineSlice(full, k, n)).toEqual(line(knotsFor(all.filter((r) => r.prompt_size * r.batch_size >= lower), 'prompt_time')));
      }),
      { numRuns: 400 },
    );
  });
});

describe('fit() options that shape the knots', () => {
  const rows = deepFreeze([
    m(100, 1, 10, { prompt_time: 10, token_time: 2 }),
    m(200, 1, 10, { prompt_time: 20, token_time: 4 }),
    m(100, 2, 10, { prompt_time: 21, token_time: 3 }),
    m(200, 2, 10, { prompt_time: 40, token_time: 5 }),
    m(100, 4, 10, { prompt_time: 40, token_time: 7 }),
    m(400, 4, 10, { prompt_time: 5, token_time: 1 }), // a collapse, to be excluded
  ]);

  it('leaves a configuration that dips below a smaller one out of the knots with excludeAnomalies, and lists it with its rule', () => {
    const [g] = fitGroups(rows, { excludeAnomalies: true });
    // batch_tokens: 100 -> 10; 200 -> median(20, 21) = 20.5; 400 -> median(40, 40) = 40; 1600 (excluded) gone
    expect(g?.fits.prompt_time?.knots.x).toEqual([100, 200, 400]);
    expect(g?.fits.prompt_time?.knots.y).toEqual([10, 20.5, 40]);
    expect(g?.fits.token_time?.knots.x).toEqual([100, 200, 400]);
    expect(g?.range).toEqual([100, 400]);
    expect(g?.excluded).toEqual([{ prompt_size: 400, batch_size: 4, token_size: 10, rule: expect.stringContaining(DIP_RULE) }]);
    // prompt_time 5 ms at (400, 4) against 40 ms at (100, 4): 87.5% below.
    expect(g?.excluded[0]?.rule).toMatch(/^prompt_time 5 ms is 87\.5% below 40 ms at \(prompt 100, batch 4, tokens 10\)/);
  });

  it('keeps every configuration without excludeAnomalies', () => {
    const [all] = fitGroups(rows);
    expect(all?.fits.prompt_time?.knots.x).toEqual([100, 200, 400, 1600]);
    expect(all?.excluded).toEqual([]);
  });

  it('keys token_time on batch size with tokenKey batch_size, and only token_time', () => {
    const [g] = fitGroups(rows, { tokenKey: 'batch_size' });
    const tt = g?.fits.token_time;
    expect(tt?.key).toBe('batch_size');
    expect(tt?.knots.x).toEqual([1, 2, 4]); // the distinct batch sizes
    expect(tt?.knots.y).toEqual([3, 4, 4]); // batch 1: 2, 4 -> 3; batch 2: 3, 5 -> 4; batch 4: 7, 1 -> 4
    expect(tt?.knots.count).toEqual([2, 2, 2]);
    expect(g?.fits.prompt_time?.key).toBe('batch_tokens');
    expect(g?.fits.prompt_time?.knots.x).toEqual([100, 200, 400, 1600]);
    expect(g?.range).toEqual([100, 1600]); // the range is always prompt_time's batch_tokens
  });
});
