/**
 * measureNext() against a reference kept here: the straightforward
 * computation, every candidate evaluated over every row beyond the range,
 * as the report first computed it. The report's sums are added in the same
 * order, so the two agree to the last bit, whatever the grid, ranges, bands
 * and families; and a small case computed by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveGrid } from '../pipeline/core/grid.js';
import { bandError, type Band } from '../pipeline/fit/calibration.js';
import type { MetricBands } from '../pipeline/fit/uncertainty.js';
import { measureNext, type Suggestion } from '../pipeline/report/measure-next.js';
import type { Grid, GroupResult } from '../pipeline/types.js';

type Bands = { prompt_time: MetricBands | null; token_time: MetricBands | null };
interface Config {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

/** Only what measureNext reads of a group. */
const group = (id: string, range: [number, number], configurations: Config[]) => ({ fit: { id, range }, configurations }) as unknown as GroupResult;

function referenceMeasureNext(groups: readonly GroupResult[], grid: Grid, bands: Bands, familyOf: Readonly<Record<string, string>>, most: number): Suggestion[] {
  const gain = (s: Suggestion) => (s.before - s.after) * s.rows;
  const order = (a: Suggestion, b: Suggestion) => gain(b) - gain(a) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0);
  const best = new Map<string, Suggestion>();
  for (const s of groups.flatMap((g) => referenceGroup(g, grid, bands)).sort(order)) {
    const family = familyOf[s.group] ?? s.group;
    if (!best.has(family)) best.set(family, s);
  }
  return [...best.values()].sort(order).slice(0, most);
}

function referenceStated(bands: Bands, side: 'upper' | 'lower', f: number): number | null {
  const one = (b: MetricBands | null) => {
    if (b === null) return null;
    if (f === 1) return bandError(b.interior, 1);
    const band = b[side];
    return band === null ? null : bandError(band, Math.min(f, band.maxFactor));
  };
  const [pt, tt] = [one(bands.prompt_time), one(bands.token_time)];
  return pt === null || tt === null ? null : (pt + tt) / 2;
}

function referenceGroup(g: GroupResult, grid: Grid, bands: Bands): Suggestion[] {
  const { prompts, batches, tokens } = resolveGrid(grid, g.configurations);
  const [lo, hi] = g.fit.range;
  const rowsAt = new Map<number, number>();
  for (const p of prompts) for (const b of batches) rowsAt.set(p * b, (rowsAt.get(p * b) ?? 0) + tokens.length);
  const maxBatch = Math.max(...g.configurations.map((c) => c.batch_size));
  const tokenCounts = new Map<number, number>();
  for (const c of g.configurations) tokenCounts.set(c.token_size, (tokenCounts.get(c.token_size) ?? 0) + 1);
  const token = [...tokenCounts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 1;
  const out: Suggestion[] = [];
  for (const side of ['upper', 'lower'] as const) {
    const beyond = [...rowsAt].filter(([x]) => (side === 'upper' ? x > hi : x < lo));
    for (const k of [2, 4, 8, 16]) {
      const xc = side === 'upper' ? hi * k : lo / k;
      const factor = (x: number, end: number) => (side === 'upper' ? x / end : end / x);
      let [rows, before, after] = [0, 0, 0];
      for (const [x, n] of beyond) {
        const old = referenceStated(bands, side, factor(x, side === 'upper' ? hi : lo));
        const now = referenceStated(bands, side, (side === 'upper' ? x <= xc : x >= xc) ? 1 : factor(x, xc));
        if (old === null || now === null || !(now < old)) continue;
        [rows, before, after] = [rows + n, before + old * n, after + now * n];
      }
      const batch = side === 'upper' ? maxBatch : 1;
      if (rows > 0) out.push({ group: g.fit.id, prompt_size: Math.max(1, Math.round(xc / batch)), batch_size: batch, token_size: token, rows, before: before / rows, after: after / rows });
    }
  }
  return out;
}

const sizes = (max: number, most: number) => fc.option(fc.uniqueArray(fc.integer({ min: 1, max }), { minLength: 1, maxLength: most }));
const band = (qMax: number): fc.Arbitrary<Band> =>
  fc.record({
    gamma: fc.oneof(fc.constantFrom(0, 1, 2), fc.double({ min: 0, max: 2, noNaN: true })),
    q: fc.option(fc.double({ min: 1e-3, max: qMax, noNaN: true }), { freq: 30 }),
    maxFactor: fc.oneof(fc.constantFrom(1, 2, 4, 8), fc.double({ min: 1, max: 20, noNaN: true })),
    residuals: fc.integer({ min: 1, max: 100 }),
  });
// The interior's err mostly below the sides', as measured data has it (else no measurement would help).
const metricBands = fc.option(fc.record({ interior: fc.option(band(0.3), { freq: 30 }), upper: fc.option(band(1), { freq: 30 }), lower: fc.option(band(1), { freq: 30 }) }), { freq: 30 });
const config = fc.record({ prompt_size: fc.integer({ min: 1, max: 60 }), batch_size: fc.integer({ min: 1, max: 8 }), token_size: fc.constantFrom(1, 2, 3) });
const range = fc.oneof(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 })), fc.tuple(fc.double({ min: 1, max: 200, noNaN: true }), fc.double({ min: 1, max: 200, noNaN: true })));
const input = fc.record({
  grid: fc.record({ prompts: sizes(60, 12), batches: sizes(8, 4), tokens: sizes(100, 3) }),
  groups: fc.array(fc.record({ range, configurations: fc.array(config, { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 4 }),
  bands: fc.record({ prompt_time: metricBands, token_time: metricBands }),
  families: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  most: fc.integer({ min: 1, max: 8 }),
});

describe('measureNext()', () => {
  it('returns exactly what evaluating every candidate over every row returns, on random grids, ranges, bands and families', () => {
    let suggested = 0;
    fc.assert(
      fc.property(input, ({ grid, groups, bands, families, most }) => {
        const gs = groups.map((g, i) => group(`g${i}`, [Math.min(...g.range), Math.max(...g.range)], g.configurations));
        const familyOf = Object.fromEntries(gs.map((g, i) => [g.fit.id, `g${Math.min(i, families[i] as number)}`]));
        const expected = referenceMeasureNext(gs, grid, bands, familyOf, most);
        if (expected.length > 0) suggested++;
        expect(measureNext(gs, grid, bands, familyOf, most)).toEqual(expected);
      }),
      { numRuns: 400, seed: 20261201 },
    );
    // Most runs suggest something: the comparison is not between two empty lists.
    expect(suggested).toBeGreaterThan(200);
  });

  it('agrees with the reference where the products are too large for an index array (prompt sizes in the millions)', () => {
    // The same inputs with every prompt size (and range end) scaled: the products reach 5e8, past rowsAt's direct index.
    const scale = 9_999_991;
    fc.assert(
      fc.property(input, ({ grid, groups, bands, most }) => {
        const scaled = { ...grid, prompts: grid.prompts === null ? null : grid.prompts.map((p) => p * scale) };
        const gs = groups.map((g, i) =>
          group(
            `g${i}`,
            [Math.min(...g.range) * scale, Math.max(...g.range) * scale],
            g.configurations.map((c) => ({ ...c, prompt_size: c.prompt_size * scale })),
          ),
        );
        expect(measureNext(gs, scaled, bands, {}, most)).toEqual(referenceMeasureNext(gs, scaled, bands, {}, most));
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  // By hand: stated(1) = 0.1; above the range 0.05 f up to f = 4; below it 0.3 up to f = 2. Rows are counted twice (two token sizes).
  const side = (q: number, gamma: number, maxFactor: number): Band => ({ gamma, q, maxFactor, residuals: 10 });
  const metric: MetricBands = { interior: side(0.1, 0, 1), upper: side(0.05, 1, 4), lower: side(0.3, 0, 2) };
  const bands = { prompt_time: metric, token_time: metric };
  const grid = { prompts: [50, 300, 500, 1000], batches: [1], tokens: [10, 20] };
  // a: x = 50 below (0.3 -> 0.1 once measured at 50, gain 0.4); above, x = 300, 500, 1000 are 0.075, 0.125, 0.2, the best candidate 800 (gain 0.325).
  const a = group('a', [100, 200], [{ prompt_size: 100, batch_size: 1, token_size: 10 }, { prompt_size: 200, batch_size: 1, token_size: 10 }]);
  // b: only x = 500 and 1000 lie beyond (above); measured at 800, 1000 falls from 0.125 to 0.0625 and 500 gains nothing (0.1 > 0.0625).
  const b = group('b', [40, 400], [{ prompt_size: 40, batch_size: 1, token_size: 20 }, { prompt_size: 100, batch_size: 4, token_size: 20 }]);

  it('suggests per family the measurement that most lowers the stated uncertainty, weighted by rows', () => {
    expect(measureNext([a, b], grid, bands, {})).toEqual([
      { group: 'a', prompt_size: 50, batch_size: 1, token_size: 10, rows: 2, before: 0.3, after: 0.1 },
      { group: 'b', prompt_size: 200, batch_size: 4, token_size: 20, rows: 2, before: 0.125, after: 0.0625 },
    ]);
  });

  it('suggests nothing for a group whose family another group represents', () => {
    expect(measureNext([a, b], grid, bands, { b: 'a' }).map((s) => s.group)).toEqual(['a']);
  });
});
