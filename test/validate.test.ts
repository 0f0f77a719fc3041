import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Configuration } from '../pipeline/types.js';
import { checkMeasured, KEEP_VIOLATIONS, MonotonicityChecker } from '../pipeline/checks/monotonicity.js';
import { deepFreeze } from './helpers.js';

type Row = [p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number];

function check(rows: readonly Row[]) {
  const checker = new MonotonicityChecker('g/h/tp=1');
  for (const r of rows) checker.observe(...r);
  return checker.summary();
}

const sizes = (p: number, b: number, t: number) => ({ prompt_size: p, batch_size: b, token_size: t });

describe('MonotonicityChecker', () => {
  it('detects prompt_time dropping as prompt_size grows (fixed batch and token)', () => {
    const summary = check([
      [128, 1, 10, 10, 1, 19],
      [256, 1, 10, 8, 1, 17],
    ]);
    expect(summary).toEqual({
      count: 1,
      first: [
        {
          group: 'g/h/tp=1',
          metric: 'prompt_time',
          along: 'prompt_size',
          from: { ...sizes(128, 1, 10), value: 10 },
          to: { ...sizes(256, 1, 10), value: 8 },
          drop: 0.2, // (10 - 8) / 10
        },
      ],
      betweenExtrapolated: 0,
    });
  });

  it('counts falls between two extrapolated rows apart, along prompt_size and batch_size', () => {
    const checker = new MonotonicityChecker('g/h/tp=1');
    // prompt_time falls along prompt between two extrapolated rows, then along batch from an interpolated one
    checker.observe(128, 1, 10, 10, 1, 19, true);
    checker.observe(128, 2, 10, 9, 1, 18, false); // falls along batch: from extrapolated to interpolated: not counted
    checker.observe(256, 1, 10, 8, 1, 17, true); // falls along prompt from the extrapolated (128, 1): counted
    checker.observe(256, 2, 10, 7, 0.5, 11, true); // falls along prompt from (128, 2), interpolated: not; along batch from (256, 1) extrapolated: prompt and token time, counted twice
    const summary = checker.summary();
    expect(summary.count).toBe(5);
    expect(summary.betweenExtrapolated).toBe(3);
  });

  it('detects prompt_time dropping as batch_size grows (fixed prompt and token)', () => {
    const summary = check([
      [128, 1, 10, 10, 2, 28],
      [128, 2, 10, 9, 3, 36],
    ]);
    expect(summary.count).toBe(1);
    expect(summary.first[0]).toMatchObject({
      metric: 'prompt_time',
      along: 'batch_size',
      from: { ...sizes(128, 1, 10), value: 10 },
      to: { ...sizes(128, 2, 10), value: 9 },
      drop: 0.1, // (10 - 9) / 10
    });
  });

  it('detects token_time dropping as batch_size grows (fixed prompt and token)', () => {
    const summary = check([
      [128, 1, 10, 10, 4, 46],
      [128, 2, 10, 12, 3, 39],
    ]);
    expect(summary.count).toBe(1);
    expect(summary.first[0]).toMatchObject({
      metric: 'token_time',
      along: 'batch_size',
      from: { ...sizes(128, 1, 10), value: 4 },
      to: { ...sizes(128, 2, 10), value: 3 },
      drop: 0.25, // (4 - 3) / 4
    });
  });

  it('detects e2e_time dropping as token_size grows (fixed prompt and batch)', () => {
    const summary = check([
      [128, 1, 10, 10, 1, 100],
      [128, 1, 20, 10, 1, 80],
    ]);
    expect(summary.count).toBe(1);
    expect(summary.first[0]).toMatchObject({
      metric: 'e2e_time',
      along: 'token_size',
      from: { ...sizes(128, 1, 10), value: 100 },
      to: { ...sizes(128, 1, 20), value: 80 },
      drop: 0.2, // (100 - 80) / 100
    });
  });

  it('reports each metric and axis of one row separately', () => {
    // the second row drops prompt_time and token_time along batch at once
    const summary = check([
      [128, 1, 10, 10, 4, 46],
      [128, 2, 10, 5, 2, 23],
    ]);
    expect(summary.count).toBe(2);
    expect(summary.first.map((v) => [v.metric, v.along])).toEqual([
      ['prompt_time', 'batch_size'],
      ['token_time', 'batch_size'],
    ]);
  });

  it('finds no violation for equal values', () => {
    const summary = check([
      [128, 1, 10, 10, 1, 19],
      [128, 1, 20, 10, 1, 19],
      [128, 2, 10, 10, 1, 19],
      [128, 2, 20, 10, 1, 19],
      [256, 1, 10, 10, 1, 19],
      [256, 2, 20, 10, 1, 19],
    ]);
    expect(summary).toEqual({ count: 0, first: [], betweenExtrapolated: 0 });
  });

  it('finds no violation in a monotone grid', () => {
    const rows: Row[] = [];
    for (const p of [128, 256, 512]) {
      for (const b of [1, 2, 4]) {
        for (const t of [1, 10, 100]) {
          const pt = p * b * 0.01;
          const tt = 1 + b * 0.1;
          rows.push([p, b, t, pt, tt, pt + (t - 1) * tt]);
        }
      }
    }
    expect(check(rows)).toEqual({ count: 0, first: [], betweenExtrapolated: 0 });
  });

  it('compares with the nearest smaller size only', () => {
    // 10, 12, 11 along prompt_size: only 256 -> 512 drops (the 128 -> 512 pair grows)
    const summary = check([
      [128, 1, 10, 10, 1, 100],
      [256, 1, 10, 12, 1, 100],
      [512, 1, 10, 11, 1, 100],
    ]);
    expect(summary.count).toBe(1);
    expect(summary.first[0]?.from.prompt_size).toBe(256);
    expect(summary.first[0]?.drop).toBe((12 - 11) / 12);
  });

  it('skips a prompt that lacks the (batch, token) pair', () => {
    const summary = check([
      [128, 1, 10, 10, 1, 100],
      [256, 2, 10, 30, 1, 100],
      [512, 1, 10, 9, 1, 100],
    ]);
    expect(summary.count).toBe(1);
    expect(summary.first[0]).toMatchObject({ along: 'prompt_size', from: { prompt_size: 128 }, to: { prompt_size: 512 } });
  });

  it('does not compare e2e_time across batch sizes', () => {
    // (128, 1, 20) then (128, 2, 10): adjacent rows, but the batch changed
    const summary = check([
      [128, 1, 20, 10, 1, 100],
      [128, 2, 10, 10, 1, 50],
    ]);
    expect(summary.count).toBe(0);
  });

  it(`keeps only the first ${KEEP_VIOLATIONS} violations but counts them all`, () => {
    // 30 prompts, prompt_time falling each time: 29 violations
    const rows: Row[] = Array.from({ length: 30 }, (_, i) => [i + 1, 1, 1, 100 - i, 1, 100]);
    const summary = check(rows);
    expect(KEEP_VIOLATIONS).toBe(20);
    expect(summary.count).toBe(29);
    expect(summary.first).toHaveLength(20);
    expect(summary.first[0]?.to.prompt_size).toBe(2);
    expect(summary.first[19]?.to.prompt_size).toBe(21);
  });

  it('summary() returns a copy', () => {
    const checker = new MonotonicityChecker('g');
    checker.observe(1, 1, 1, 2, 1, 2);
    checker.observe(2, 1, 1, 1, 1, 1);
    checker.summary().first.length = 0;
    expect(checker.summary().first).toHaveLength(1);
  });
});

function config(p: number, b: number, t: number, pt: number, tt: number, e2e: number | null): Configuration {
  const spread = (v: number) => ({ median: v, min: v, max: v });
  return {
    model: 'g',
    hardware: 'h',
    tensor_parallel: 1,
    prompt_size: p,
    batch_size: b,
    token_size: t,
    count: 1,
    metrics: { prompt_time: spread(pt), token_time: spread(tt), e2e_time: e2e === null ? null : spread(e2e), peak_power: null, average_power: null },
    repetitions: { prompt_time: [pt], token_time: [tt], e2e_time: e2e === null ? [] : [e2e], peak_power: [], average_power: [] },
  };
}

/**
 * The check as its documentation states it, row by row with no state beyond the rows seen: each
 * row against the last row seen at the same (batch, token) (the nearest smaller prompt), the last
 * row seen at the same token if it had the same prompt (the nearest smaller batch), and the row
 * before it if it had the same prompt and batch (the nearest smaller token).
 */
function referenceCount(rows: readonly Row[]): number {
  const falls = (before: number, value: number) => before - value > 1e-12 * Math.abs(before);
  let count = 0;
  rows.forEach(([p, b, t, pt, tt, e2e], i) => {
    const seen = rows.slice(0, i);
    const alongPrompt = seen.filter((r) => r[1] === b && r[2] === t).at(-1);
    if (alongPrompt !== undefined && falls(alongPrompt[3], pt)) count++;
    const alongBatch = seen.filter((r) => r[2] === t).at(-1);
    if (alongBatch !== undefined && alongBatch[0] === p) count += (falls(alongBatch[3], pt) ? 1 : 0) + (falls(alongBatch[4], tt) ? 1 : 0);
    const before = seen.at(-1);
    if (before !== undefined && before[0] === p && before[1] === b && falls(before[5], e2e)) count++;
  });
  return count;
}

describe('MonotonicityChecker against the check as documented', () => {
  it('counts what the row-by-row reference counts, whatever token sizes each point has', () => {
    // Points in output order, each with its own subset of token sizes (measured rows add sizes off the grid).
    const point = fc.record({
      tokens: fc.subarray([1, 16, 128, 129, 512, 1024], { minLength: 1 }),
      values: fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })), { minLength: 6, maxLength: 6 }),
    });
    const grid = fc.array(fc.array(point, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(grid, (prompts) => {
        const rows: Row[] = [];
        prompts.forEach((batches, pi) =>
          batches.forEach(({ tokens, values }, bi) => tokens.forEach((t, k) => rows.push([100 * (pi + 1), bi + 1, t, ...(values[k] as [number, number, number])]))),
        );
        expect(check(rows).count).toBe(referenceCount(rows));
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('counts the same past the room its arrays start with (more than 64 token sizes and slots)', () => {
    // 65 to 90 token sizes at each of up to 3 batch sizes: the per-token and per-slot arrays are doubled once or twice on the way.
    const grid = fc.record({
      prompts: fc.integer({ min: 2, max: 3 }),
      batches: fc.integer({ min: 1, max: 3 }),
      tokens: fc.integer({ min: 65, max: 90 }),
      values: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3 * 3 * 90 * 3, maxLength: 3 * 3 * 90 * 3 }),
    });
    fc.assert(
      fc.property(grid, ({ prompts, batches, tokens, values }) => {
        const rows: Row[] = [];
        let v = 0;
        const next = () => values[v++] as number;
        for (let p = 1; p <= prompts; p++) for (let b = 1; b <= batches; b++) for (let t = 1; t <= tokens; t++) rows.push([100 * p, b, 16 * t, next(), next(), next()]);
        expect(check(rows).count).toBe(referenceCount(rows));
      }),
      { numRuns: 25, seed: 11 },
    );
  });
});

describe('checkMeasured()', () => {
  it('checks configurations\' medians in output order', () => {
    const configurations = deepFreeze([
      config(128, 1, 128, 50, 5, 685),
      config(128, 1, 256, 50, 5, 600), // e2e drops along token_size
      config(128, 2, 128, 60, 4, 568), // token_time drops along batch_size
      config(256, 1, 128, 40, 5, 675), // prompt_time drops along prompt_size
    ]);
    const summary = checkMeasured('g/h/tp=1', configurations);
    expect(summary.count).toBe(3);
    expect(summary.first.map((v) => [v.group, v.metric, v.along, v.drop])).toEqual([
      ['g/h/tp=1', 'e2e_time', 'token_size', (685 - 600) / 685],
      ['g/h/tp=1', 'token_time', 'batch_size', (5 - 4) / 5],
      ['g/h/tp=1', 'prompt_time', 'prompt_size', (50 - 40) / 50],
    ]);
  });

  it('skips the e2e check for configurations without e2e_time', () => {
    const configurations = deepFreeze([config(128, 1, 128, 50, 5, null), config(128, 1, 256, 50, 5, null)]);
    expect(checkMeasured('g', configurations)).toEqual({ count: 0, first: [], betweenExtrapolated: 0 });
  });

  it('finds nothing in monotone medians', () => {
    const configurations = deepFreeze([config(128, 1, 128, 50, 5, 685), config(128, 2, 128, 60, 6, 822), config(256, 1, 128, 70, 5, 705)]);
    expect(checkMeasured('g', configurations)).toEqual({ count: 0, first: [], betweenExtrapolated: 0 });
  });
});
