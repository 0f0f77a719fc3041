import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkWriter } from '../pipeline/emit/csv-out.js';
import type { PointRows } from '../pipeline/emit/point.js';
import { LastRow, writePredicted } from '../pipeline/emit/row-text.js';

/** One predicted row as writePredicted sees it: the point's state, and whether a chunk is taken before it. */
interface Step {
  newPoint: boolean;
  p: number;
  b: number;
  t: number;
  peak: number | null;
  average: number | null;
  promptTime: number;
  tokenTime: number;
  tail: string;
  take: 'no' | 'new' | 'reuse';
}

const value = fc.oneof(fc.constantFrom(0.5, 0.1 + 0.2, 79.66843713074923, 1e-7, 12345.678), fc.double({ min: 1e-3, max: 1e6, noNaN: true }));
const step = fc.record({
  newPoint: fc.boolean(),
  p: fc.integer({ min: 1, max: 9000 }),
  b: fc.integer({ min: 1, max: 80 }),
  t: fc.integer({ min: 1, max: 4096 }),
  // Each value either as the row before had it (null: keep) or a new one.
  peak: fc.option(fc.option(value, { nil: null }), { nil: undefined }),
  average: fc.option(fc.option(value, { nil: null }), { nil: undefined }),
  promptTime: fc.option(value, { nil: undefined }),
  tokenTime: fc.option(value, { nil: undefined }),
  tail: fc.constantFrom(',8,interpolated\n', ',8,extrapolated\n', ',8,extrapolated,0.1,0.2,backtest\n'),
  take: fc.constantFrom('no', 'no', 'no', 'new', 'reuse'),
});

type Raw = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** The steps with every kept value filled in from the row before. */
function rows(raw: readonly Raw[]): Step[] {
  let last: Step = { newPoint: true, p: 1, b: 1, t: 1, peak: 0.5, average: 0.25, promptTime: 10, tokenTime: 2, tail: ',8,interpolated\n', take: 'no' };
  return raw.map((r, i) => {
    // Within a point the sizes and the tail stay; a point's first row may change anything.
    const newPoint = i === 0 || r.newPoint;
    last = {
      newPoint,
      p: newPoint ? r.p : last.p,
      b: newPoint ? r.b : last.b,
      t: r.t,
      peak: r.peak === undefined ? last.peak : r.peak,
      average: r.average === undefined ? last.average : r.average,
      promptTime: r.promptTime ?? last.promptTime,
      tokenTime: r.tokenTime ?? last.tokenTime,
      tail: newPoint ? r.tail : last.tail,
      take: r.take,
    };
    return last;
  });
}

describe('writePredicted()', () => {
  it('writes each row as its values give it, whatever it repeats from the row before', () => {
    const lead = new TextEncoder().encode('bloom-176b,a100-80gb,');
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (raw) => {
        const out = new ChunkWriter(1 << 16, 512);
        const last = new LastRow();
        const point = { serial: 0, version: 0 } as { -readonly [K in keyof PointRows]: PointRows[K] };
        const decoder = new TextDecoder();
        let text = '';
        let expected = '';
        let before: Step | null = null;
        for (const row of rows(raw)) {
          if (row.take !== 'no') text += decoder.decode(out.take(row.take === 'reuse'));
          if (row.newPoint) point.serial++;
          const changed = before === null || row.peak !== before.peak || row.average !== before.average || row.promptTime !== before.promptTime || row.tokenTime !== before.tokenTime;
          if (changed) point.version++;
          Object.assign(point, { peak: row.peak, average: row.average, promptTime: row.promptTime, tokenTime: row.tokenTime, tail: row.tail });
          const e2e = writePredicted(out, last, lead, point as PointRows, row.p, row.b, row.t);
          expect(e2e).toBe(row.promptTime + (row.t - 1) * row.tokenTime);
          expected += `bloom-176b,a100-80gb,${row.p},${row.b},${row.t},${row.peak ?? ''},${row.average ?? ''},${row.promptTime},${row.tokenTime},${e2e}${row.tail}`;
          before = row;
        }
        text += decoder.decode(out.take());
        expect(text).toBe(expected);
      }),
      { numRuns: 2000, seed: 20261202 },
    );
  });
});
