import { describe, expect, it } from 'vitest';
import { aggregate } from '../pipeline/stages/aggregate.js';
import type { FitStageOptions } from '../pipeline/stages/fit.js';
import type { Configuration, GroupFit, Grid, Measurement, Metrics } from '../pipeline/types.js';
import type { EmitSummary } from '../pipeline/emit/types.js';
import { MonotonicityChecker } from '../pipeline/checks/monotonicity.js';
import { DIP_RULE } from '../pipeline/fit/exclusions.js';
import { deepFreeze, emitRows, fitGroups, row, type EmitTestOptions } from './helpers.js';

const m = (p: number, b: number, t: number, metrics: Partial<Metrics>): Measurement => row({ prompt_size: p, batch_size: b, token_size: t, metrics });

/**
 * One group m/h/tp=1, token_size 10, batch 1; no e2e or power columns.
 *   batch_tokens   100      200  400  800
 *   prompt_time    9, 11    20   36   80     knots 10, 20, 36, 80; spread sqrt(2)/10 at 100, else 0
 *   token_time     1, 1     2    3    5      knots 1, 2, 3, 5; spread 0
 * Leave-one-out (linear), by hand:
 *   prompt_time at 200: line (100, 10)-(400, 36) gives 10 + 26/3 = 18.667, ape 1.3333/20 = 0.066667
 *               at 400: line (200, 20)-(800, 80) gives 40, ape 4/36 = 0.11111
 *   token_time  at 200: line (100, 1)-(400, 3) gives 1.6667, ape 0.16667;  at 400: line (200, 2)-(800, 5) gives 3, ape 0
 */
const ROWS = deepFreeze([
  m(100, 1, 10, { prompt_time: 9, token_time: 1 }),
  m(100, 1, 10, { prompt_time: 11, token_time: 1 }),
  m(200, 1, 10, { prompt_time: 20, token_time: 2 }),
  m(400, 1, 10, { prompt_time: 36, token_time: 3 }),
  m(800, 1, 10, { prompt_time: 80, token_time: 5 }),
]);

function prepare(rows: readonly Measurement[], options: Partial<FitStageOptions> = {}): { group: GroupFit; measured: Configuration[] } {
  const [group] = fitGroups(rows, options);
  if (group === undefined) throw new Error('no group');
  return deepFreeze({ group, measured: aggregate(rows) });
}

function run(group: GroupFit, measured: readonly Configuration[], grid: Grid, options: EmitTestOptions = {}) {
  const decoder = new TextDecoder();
  let text = '';
  const generator = emitRows(group, measured, grid, options);
  let step = generator.next();
  while (!step.done) {
    text += decoder.decode(step.value, { stream: true });
    step = generator.next();
  }
  text += decoder.decode();
  return { text, lines: text.split('\n').filter((l) => l !== ''), summary: step.value as unknown as EmitSummary };
}

/** The cells of the row at (p, b, t), by column name. */
function cells(lines: readonly string[], p: number, b: number, t: number, uncertainty = false): Record<string, string> {
  const names = ['model', 'hardware', 'prompt_size', 'batch_size', 'token_size', 'peak_power', 'average_power', 'prompt_time', 'token_time', 'e2e_time', 'tensor_parallel', 'source', ...(uncertainty ? ['prompt_time_err', 'token_time_err', 'err_basis'] : [])];
  const line = lines.find((l) => l.startsWith(`m,h,${p},${b},${t},`));
  if (line === undefined) throw new Error(`no row ${p},${b},${t}`);
  const values = line.split(',');
  expect(values).toHaveLength(names.length);
  return Object.fromEntries(names.map((n, i) => [n, values[i] as string]));
}

describe('emitGroup() with uncertainty', () => {
  const { group, measured } = prepare(ROWS);
  const grid: Grid = deepFreeze({ prompts: [100, 150, 300, 1600, 8000], batches: [1], tokens: [10] });
  // Hand-made bands: interior 0.05 and 0.03; above the range q f^gamma up to 4x: 0.02 f and 0.01 f^2.
  const band = (gamma: number, q: number, maxFactor: number) => ({ gamma, q, maxFactor, residuals: 9 });
  const errors = deepFreeze({
    coverage: 0.8,
    bands: { prompt_time: { interior: band(0, 0.05, 1), upper: band(1, 0.02, 4), lower: null }, token_time: { interior: band(0, 0.03, 1), upper: band(2, 0.01, 4), lower: null } },
  });
  const { lines } = run(group, measured, grid, { errors });

  it('gives a measured row the standard error of its median at the coverage, basis repetitions; empty for one repetition', () => {
    // (100, 1, 10): prompt_time 9, 11: CV sqrt(2) / 10; z(0.9) sqrt(pi / 2) CV / sqrt(2) = 1.28155 * 1.25331 * 0.1 = 0.160617 -> 0.161; token_time 1, 1 -> 0
    expect(cells(lines, 100, 1, 10, true)).toMatchObject({ source: 'measured', prompt_time: '10', prompt_time_err: '0.161', token_time_err: '0', err_basis: 'repetitions' });
    expect(cells(lines, 200, 1, 10, true)).toMatchObject({ source: 'measured', prompt_time_err: '', token_time_err: '', err_basis: 'repetitions' });
  });

  it.each([
    // prompt, source, errors by hand, basis: the range is [100, 800]
    [150, 'interpolated', '0.05', '0.03', 'leave-one-out'],
    [300, 'interpolated', '0.05', '0.03', 'leave-one-out'],
    [1600, 'extrapolated', '0.04', '0.04', 'backtest'], // f 2: 0.02 * 2; 0.01 * 4
    [8000, 'extrapolated', '', '', 'unvalidated'], // f 10 > 4
  ])('gives the predicted row at prompt %d (%s) errors %s, %s, basis %s', (p, source, ptErr, ttErr, basis) => {
    expect(cells(lines, p, 1, 10, true)).toMatchObject({ source, prompt_time_err: ptErr, token_time_err: ttErr, err_basis: basis });
  });

  it('adds nothing without the option', () => {
    const plain = run(group, measured, grid).lines;
    expect(plain.every((l) => l.split(',').length === 12)).toBe(true);
    expect(plain.map((l) => l.split(',').slice(0, 12).join(','))).toEqual(lines.map((l) => l.split(',').slice(0, 12).join(',')));
  });
});

describe('emitGroup() with skipBeyond', () => {
  const { group, measured } = prepare(ROWS);
  // range [100, 800]; factor 2: batch_tokens below 50 or above 1600 are skipped
  const grid: Grid = deepFreeze({ prompts: [25, 40, 50, 100, 1600, 1700], batches: [1], tokens: [10, 20] });

  it('skips predicted rows more than F times beyond the range and counts them', () => {
    const { lines, summary } = run(group, measured, grid, { skipBeyond: 2 });
    const at = lines.map((l) => l.split(',').slice(2, 5).join(','));
    // 25 (4x below) and 1700 (2.125x above) are skipped for both tokens; 50 and 1600 are exactly 2x: kept
    expect(at.filter((s) => s.startsWith('25,') || s.startsWith('1700,'))).toEqual([]);
    expect(at).toContain('50,1,10');
    expect(at).toContain('1600,1,20');
    expect(at).not.toContain('40,1,10'); // 100 / 40 = 2.5
    expect(summary.skippedBeyondMax).toBe(6); // 25, 40, 1700 times two tokens
    expect(summary.rows).toBe(lines.length);
    expect(summary.rows + summary.skippedBeyondMax).toBe(6 * 2 + 3); // the grid plus the measured rows off it (200, 400, 800)
  });

  it('skips nothing without the option', () => {
    expect(run(group, measured, grid).summary.skippedBeyondMax).toBe(0);
  });

  /** The group fitted without (800, 1, 10), which is listed as left out of the fit; every configuration measured. */
  const withExcluded800 = () => {
    const fitted = prepare(ROWS.filter((r) => r.prompt_size !== 800));
    return deepFreeze({ group: { ...fitted.group, excluded: [{ prompt_size: 800, batch_size: 1, token_size: 10, rule: 'rule' }] }, measured: aggregate(ROWS) });
  };

  it('never skips a measured row, even one beyond the factor', () => {
    // (800, 1, 10) left out of the fit: the range is [100, 400], and 800 is 2x beyond it
    const excluded = withExcluded800();
    const { lines, summary } = run(excluded.group, excluded.measured, { prompts: [100], batches: [1], tokens: [10] }, { skipBeyond: 1.5 });
    expect(cells(lines, 800, 1, 10)).toMatchObject({ source: 'measured', prompt_time: '80' });
    expect(summary.skippedBeyondMax).toBe(0);
  });

  it('keeps every measured configuration with replaceAnomalies as well', () => {
    const excluded = withExcluded800();
    const { lines } = run(excluded.group, excluded.measured, { prompts: [100], batches: [1], tokens: [10] }, { skipBeyond: 1.5, replaceAnomalies: true });
    expect(lines.some((l) => l.startsWith('m,h,800,1,10,'))).toBe(true);
  });
});

describe('emitGroup() with extrapolate clamp', () => {
  const { group, measured } = prepare(ROWS);
  const grid: Grid = deepFreeze({ prompts: [50, 300, 1600], batches: [1], tokens: [10] });

  it.each([
    // prompt, clamp (the end knot's median), linear (the outermost segment's line), by hand
    [50, '10', '1', '5', '0.5'], // prompt_time 10 - 0.1 * 50; token_time 1 - 0.01 * 50
    [1600, '80', '5', '168', '9'], // 36 + 0.11 * 1200; 3 + 0.005 * 1200
  ])('gives the end value outside the range: at prompt %d', (p, ptClamp, ttClamp, ptLinear, ttLinear) => {
    expect(cells(run(group, measured, grid, { extrapolate: 'clamp' }).lines, p, 1, 10)).toMatchObject({ prompt_time: ptClamp, token_time: ttClamp, source: 'extrapolated' });
    expect(cells(run(group, measured, grid, { extrapolate: 'linear' }).lines, p, 1, 10)).toMatchObject({ prompt_time: ptLinear, token_time: ttLinear });
  });

  it('leaves rows inside the range alone and counts no clamping', () => {
    const { lines, summary } = run(group, measured, grid, { extrapolate: 'clamp' });
    expect(cells(lines, 300, 1, 10)).toMatchObject({ prompt_time: '28', token_time: '2.5', e2e_time: '50.5' }); // 20 + 0.08 * 100; 2 + 0.005 * 100; 28 + 9 * 2.5
    expect(summary.clamped.prompt_time.points).toBe(0);
  });
});

describe('emitGroup() with replaceAnomalies', () => {
  /**
   * prompt_time along prompt at batch 1: 10, 20, 15 (a dip at 400), 80. Batches 1 and 2, tokens 10 and 20,
   * token_time rising with batch_tokens.
   */
  const dipRows = deepFreeze([
    m(100, 1, 10, { prompt_time: 10, token_time: 1 }),
    m(200, 1, 10, { prompt_time: 20, token_time: 2 }),
    m(400, 1, 10, { prompt_time: 15, token_time: 3 }),
    m(800, 1, 10, { prompt_time: 80, token_time: 5 }),
    m(100, 2, 10, { prompt_time: 20, token_time: 2 }),
  ]);
  const grid: Grid = deepFreeze({ prompts: [100, 200, 300, 400, 800], batches: [1, 2], tokens: [10, 20] });

  function checked(group: GroupFit, measured: readonly Configuration[], options: EmitTestOptions) {
    const checker = new MonotonicityChecker(group.id);
    const result = run(group, measured, grid, { ...options, onRow: (...args) => checker.observe(...args) });
    return { ...result, violations: checker.summary() };
  }

  it('without it, the dip breaks monotonicity (the premise)', () => {
    const { group, measured } = prepare(dipRows, { methods: { prompt_time: 'isotonic', token_time: 'isotonic', peak_power: 'linear', average_power: 'linear' } });
    expect(checked(group, measured, {}).violations.count).toBeGreaterThan(0);
  });

  it('emits a configuration the fit left out as a prediction and lists it, with no violation left', () => {
    const { group, measured } = prepare(dipRows, { excludeAnomalies: true });
    const { lines, summary, violations } = checked(group, measured, { replaceAnomalies: true });
    // knots without the dip: 100 -> 10, 200 -> 20 ((200, 1) and (100, 2)), 800 -> 80; at 400: 20 + 60 * 200 / 600 = 40
    expect(cells(lines, 400, 1, 10)).toMatchObject({ source: 'interpolated', prompt_time: '40' });
    expect(summary.replaced).toEqual([{ prompt_size: 400, batch_size: 1, token_size: 10, rule: `left out of the fit: prompt_time 15 ms is 25.0% below 20 ms at (prompt 200, batch 1, tokens 10); rule: ${DIP_RULE}` }]);
    expect(summary.bySource.measured).toBe(4);
    expect(violations.count).toBe(0);
  });

  it('replaces measured rows that break monotonicity against their neighbours until none is left (isotonic fit)', () => {
    const { group, measured } = prepare(dipRows, { methods: { prompt_time: 'isotonic', token_time: 'isotonic', peak_power: 'linear', average_power: 'linear' } });
    const { lines, summary, violations } = checked(group, measured, { replaceAnomalies: true });
    const replaced = summary.replaced.map((r) => `${r.prompt_size},${r.batch_size},${r.token_size}`);
    expect(replaced).toContain('400,1,10');
    expect(cells(lines, 400, 1, 10).source).not.toBe('measured');
    for (const r of summary.replaced) expect(r.rule).toMatch(/rule: a measured row that breaks monotonicity against its neighbours is replaced by the prediction$/);
    expect(summary.bySource.measured).toBe(5 - summary.replaced.length);
    expect(violations.count).toBe(0);
  });

  it('replaces nothing in a group without anomalies', () => {
    const { group, measured } = prepare(ROWS);
    const { summary, violations } = checked(group, measured, { replaceAnomalies: true });
    expect(summary.replaced).toEqual([]);
    expect(violations.count).toBe(0);
  });
});
