/** `npm run query`'s text: rounded numbers, intervals, and a note for each fact that bears on trusting the answer. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heldMetrics } from '../pipeline/db/flags.js';
import { loadDatabase, lookup } from '../pipeline/db/lookup.js';
import type { Answer } from '../pipeline/db/types.js';
import { makePredictor, predictPoint, type Predictors } from '../pipeline/fit/predict.js';
import type { TailSpec } from '../pipeline/fit/tails.js';
import { answerText, significant } from '../scripts/answer-text.js';
import { ROOT } from './helpers.js';

const base: Answer = {
  prompt_time: 785.5199735294036,
  token_time: 57.71307178998795,
  e2e_time: 15502.35327997633,
  source: 'interpolated',
  prompt_time_err: 0.09062347418661276,
  token_time_err: 0.06358071137453636,
  coverage: 0.8,
  err_basis: 'leave-one-out',
  factor: 1,
  clamped: [],
  from: 'fit',
  range: [128, 32768],
  beyond: null,
  validatedFactor: null,
  held: [],
};

describe('significant()', () => {
  it.each([
    [785.5199735294036, 4, '785.5'],
    [15502.35327997633, 4, '15500'],
    [2590872.078872053, 4, '2591000'],
    [0.000123456, 4, '0.0001235'],
    [12600.4, 2, '13000'],
  ])('writes %d with %d digits as %s, never in exponent form', (value, digits, text) => {
    expect(significant(value, digits)).toBe(text);
  });
});

describe('answerText()', () => {
  it('rounds times to 4 significant digits and gives each interval as its ends and its half-width (by hand: 785.52 × (1 ± 0.0906))', () => {
    expect(answerText(base)).toBe(
      [
        'prompt_time 785.5 ms  (714.3 to 856.7 ms: ±9.1%, 80% interval)',
        'token_time  57.71 ms  (54.04 to 61.38 ms: ±6.4%, 80% interval)',
        'e2e_time    15500 ms',
        'source      interpolated (predicted by the fit; not a row of perf_db.csv)',
        '',
      ].join('\n'),
    );
  });

  it('never writes a negative lower end or an exponent for an interval wider than the value', () => {
    const text = answerText({ ...base, prompt_time: 10, prompt_time_err: 126.4 });
    expect(text.split('\n')[0]).toBe('prompt_time 10 ms  (0 to 1274 ms: ±13000%, wider than the value itself, 80% interval)');
    expect(text).not.toMatch(/e[+-]\d/);
  });

  it.each([
    ['within the validated factor', { factor: 2, validatedFactor: 8 }, ['extrapolated: batch_tokens 2x above the measured range 128..32768', 'within the 8x the backtests validated']],
    ['beyond the validated factor', { factor: 16, validatedFactor: 8 }, ['extrapolated: batch_tokens 16x above the measured range 128..32768', 'not validated: beyond the 8x the backtests reached, no interval']],
    ['with no backtest on that side', { factor: 1.5, validatedFactor: null }, ['extrapolated: batch_tokens 1.5x above the measured range 128..32768', 'not validated: no backtest above the range, no interval']],
  ])('notes an extrapolated answer %s', (_name, fields, notes) => {
    const text = answerText({ ...base, source: 'extrapolated', beyond: 'above', ...fields });
    expect(text.split('\n').filter((l) => l.startsWith('note'))).toEqual(notes.map((n) => `note        ${n}`));
  });

  it('notes held, floored and clamped metrics', () => {
    const text = answerText({ ...base, source: 'extrapolated', beyond: 'below', factor: 2, validatedFactor: 8, held: [{ metric: 'prompt_time', at: 'floor', value: 8 }, { metric: 'token_time', at: 'end', value: 50.25 }], clamped: ['prompt_time'] });
    expect(text.split('\n').filter((l) => l.startsWith('note')).slice(2)).toEqual([
      "note        prompt_time floored at the group's smallest measured median (8 ms): the tail never goes below it",
      "note        token_time held at the measured end's value (50.25 ms): the tail never rises above it",
      "note        clamped (prompt_time): the line gave an impossible value, so the nearest measured end's value is used",
    ]);
  });
});

describe('heldMetrics()', () => {
  // Knots (100, 10), (200, 20). Below: a line of slope 0.1 floored at 8; above: the clamp tail at 20.
  const lower: TailSpec = { kind: 'line', side: 'lower', x: 100, y: 10, slope: 0.1, floor: 8, model: null, anchor: null };
  const upper: TailSpec = { kind: 'clamp', side: 'upper', x: 200, y: 20, slope: 0.1, floor: 8, model: null, anchor: null };
  const predictor = makePredictor('linear', { x: [100, 200], y: [10, 20], count: [1, 1], spread: [0, 0] }, 'batch_tokens', { upper, lower });
  const predictors = { prompt_time: predictor, token_time: predictor, peak_power: null, average_power: null } as Predictors;
  const at = (prompt: number) => {
    const q = { model: 'm', hardware: 'h', tensor_parallel: 1, prompt_size: prompt, batch_size: 1, token_size: 1 };
    const { values } = predictPoint(predictors, prompt, 1, 1);
    return heldMetrics(predictors, q, { prompt_time: values.prompt_time as number, token_time: values.token_time as number });
  };

  it.each([
    // by hand: at 50 the line gives 10 + 0.1 × (50 − 100) = 5, floored at 8; at 90 it gives 9, not held; at 400 the clamp holds 20
    [50, [{ metric: 'prompt_time', at: 'floor', value: 8 }, { metric: 'token_time', at: 'floor', value: 8 }]],
    [90, []],
    [150, []],
    [400, [{ metric: 'prompt_time', at: 'end', value: 20 }, { metric: 'token_time', at: 'end', value: 20 }]],
  ])('at batch_tokens %d: %j', (prompt, held) => {
    expect(at(prompt)).toEqual(held);
  });
});

describe('lookup() flags on the committed database', () => {
  const db = loadDatabase(join(ROOT, 'data', 'generated', 'fits.json'), join(ROOT, 'data', 'generated', 'perf_db.csv'));
  const q = (prompt_size: number, batch_size: number, token_size = 256) => ({ model: 'llama2-70b', hardware: 'a100-80gb', tensor_parallel: 2, prompt_size, batch_size, token_size });

  it.each([
    // llama2-70b/a100-80gb/tp=2 is measured at batch_tokens 128..32768; the backtests reach 8x on both sides (README)
    ['measured', q(128, 1, 128), { source: 'measured', beyond: null, validatedFactor: null, factor: 1 }],
    ['interpolated', q(700, 3), { source: 'interpolated', beyond: null, validatedFactor: null, factor: 1, err_basis: 'leave-one-out' }],
    ['extrapolated within 8x', q(8192, 8), { source: 'extrapolated', beyond: 'above', validatedFactor: 8, factor: 2, err_basis: 'backtest' }],
    ['extrapolated 16x', q(8192, 64), { source: 'extrapolated', beyond: 'above', validatedFactor: 8, factor: 16, err_basis: 'unvalidated', prompt_time_err: null }],
    ['far below', q(1, 1), { source: 'extrapolated', beyond: 'below', validatedFactor: 8, factor: 128, err_basis: 'unvalidated' }],
  ])('a %s configuration', async (_name, query, flags) => {
    expect(await lookup(await db, query)).toMatchObject(flags);
  });
});
