import { describe, expect, it } from 'vitest';
import { isPossible, knotValue, makePredictor, makePredictors, predictedValue, xOf } from '../pipeline/fit/predict.js';
import { makeTail, type TailSpec } from '../pipeline/fit/tails.js';
import type { FittedMetric, GroupFit, Knots, MetricFit } from '../pipeline/types.js';
import { deepFreeze } from './helpers.js';

const knots = (x: number[], y: number[], count = x.map(() => 1)): Knots => deepFreeze({ x, y, count, spread: x.map(() => 0) });

/** Linear through (100, 10), (200, 30), (400, 50): slopes 0.2 and 0.1. */
const LINE = knots([100, 200, 400], [10, 30, 50]);

describe('makePredictor()', () => {
  it('with linear, has the knots\' own ys as its ends and the knots\' x range', () => {
    const p = makePredictor('linear', LINE);
    expect(p.range).toEqual([100, 400]);
    expect(p.ends).toEqual([10, 50]);
    expect(p.key).toBe('batch_tokens');
    LINE.x.forEach((x, i) => expect(p.f(x)).toBe(LINE.y[i]));
  });

  it.each([
    // ys, weights, pooled ends by hand (weighted pool-adjacent-violators)
    [[10, 5, 20], [1, 3, 1], [6.25, 20]], // (10 * 1 + 5 * 3) / 4 = 6.25 for the first two
    [[10, 30, 20], [1, 1, 1], [10, 25]], // (30 + 20) / 2 = 25 for the last two
    [[40, 10, 20], [1, 1, 2], [22.5, 22.5]], // all pooled: (40 + 10 + 40) / 4 = 22.5
  ])('with isotonic, has the pooled values as its ends (ys %j, weights %j)', (y, w, ends) => {
    const p = makePredictor('isotonic', knots([100, 200, 400], y, w));
    expect(p.ends).toEqual(ends);
  });

  it.each(['pchip', 'loglog'] as const)('with %s, has the knots\' own ys as its ends, exactly', (method) => {
    // Two knots 11 decades apart: pchip's cubic evaluated at the end knot loses some 5e-5 to cancellation.
    const p = makePredictor(method, knots([4, 100], [155610890000.123, 0.12351085602496657]));
    expect(p.ends).toEqual([155610890000.123, 0.12351085602496657]);
  });

  it('knotValue() gives the knots\' own medians for pchip (what the tails and the backtests start from), the pooled values for isotonic', () => {
    const steep = knots([4, 100], [155610890000.123, 0.12351085602496657]);
    const cubic = makePredictor('pchip', steep).f;
    expect(cubic(100)).not.toBe(0.12351085602496657);
    expect(knotValue('pchip', steep, cubic)(1)).toBe(0.12351085602496657);
    const pooled = knots([100, 200, 400], [10, 30, 20]);
    expect(knotValue('isotonic', pooled, makePredictor('isotonic', pooled).f)(2)).toBe(25);
  });

  it('with pchip, a row whose own extrapolation is impossible takes the measured end median itself', () => {
    const p = makePredictor('pchip', knots([4, 100], [155610890000.123, 0.12351085602496657]));
    const clamps: number[] = [];
    // Beyond 100 the line through both knots is negative long before 112 (its slope is about -1.6e9).
    expect(predictedValue(p, 'prompt_time', 112, 1, 1, (raw) => clamps.push(raw))).toBe(0.12351085602496657);
    expect(clamps).toHaveLength(1);
    expect(clamps[0]).toBeLessThan(0);
  });

  it('keeps the key it is given', () => {
    expect(makePredictor('linear', LINE, 'batch_size').key).toBe('batch_size');
  });
});

describe('makePredictors()', () => {
  it('builds one predictor per fitted metric, null where the metric was not fitted', () => {
    const fitted = (metric: FittedMetric, method: MetricFit['method'], key: MetricFit['key']): MetricFit => ({ metric, method, key, knots: LINE, loo: { x: [], ape: [] }, candidates: null, model: null, tails: null });
    const group: GroupFit = deepFreeze({
      model: 'm',
      hardware: 'h',
      tensor_parallel: 1,
      id: 'm/h/tp=1',
      fits: { prompt_time: fitted('prompt_time', 'linear', 'batch_tokens'), token_time: fitted('token_time', 'isotonic', 'batch_size'), peak_power: null, average_power: null },
      range: [100, 400],
      excluded: [],
    });
    const p = makePredictors(group);
    expect(p.peak_power).toBeNull();
    expect(p.average_power).toBeNull();
    expect(p.prompt_time?.key).toBe('batch_tokens');
    expect(p.token_time?.key).toBe('batch_size');
    expect(p.token_time?.f(300)).toBe(40);
  });
});

describe('predictedValue()', () => {
  const p = makePredictor('linear', LINE);
  const inputs = (side: 'upper' | 'lower') => ({ end: side === 'upper' ? ([400, 50] as [number, number]) : ([100, 10] as [number, number]), next: side === 'upper' ? ([200, 30] as [number, number]) : ([200, 30] as [number, number]), floor: 8, model: null, endConfigs: [] });
  const withTails = (kind: 'clamp' | 'proportional' | 'line') => makePredictor('linear', LINE, 'batch_tokens', { upper: makeTail(kind, 'upper', inputs('upper')) as TailSpec, lower: makeTail(kind, 'lower', inputs('lower')) as TailSpec });

  it.each([
    [100, 10],
    [150, 20], // 10 + 0.2 * 50
    [200, 30],
    [300, 40], // 30 + 0.1 * 100
    [400, 50],
  ])('inside the range is f(x) whatever the tails: at %d, %d', (x, expected) => {
    for (const predictor of [p, withTails('clamp'), withTails('proportional')]) expect(predictedValue(predictor, 'prompt_time', x, 1, 1)).toBe(expected);
  });

  it.each([
    // x, clamp, proportional (50 x / 400 above, 10 x / 100 below, at least the floor 8), line (50 + 0.1 (x - 400) above; below: 10 + 0.2 (x - 100) at least 8)
    [50, 10, 8, 8],
    [90, 10, 9, 8],
    [1, 10, 8, 8],
    [800, 50, 100, 90],
    [1600, 50, 200, 170],
  ])('beyond the range follows the tail: at %d, clamp %d, proportional %d, line %d', (x, clamp, proportional, line) => {
    expect(predictedValue(withTails('clamp'), 'prompt_time', x, 1, 1)).toBe(clamp);
    expect(predictedValue(withTails('proportional'), 'prompt_time', x, 1, 1)).toBe(proportional);
    expect(predictedValue(withTails('line'), 'prompt_time', x, 1, 1)).toBe(line);
  });

  it.each([
    // metric, x, expected, why (by hand: below 100 the line 10 + 0.2 (x - 100); above 400 the line 50 + 0.1 (x - 400))
    ['prompt_time', 800, 90, [], 'f(800) = 90 is possible'],
    ['prompt_time', 75, 5, [], 'f(75) = 5 > 0'],
    ['prompt_time', 50, 10, [0], 'f(50) = 0 is not a possible time: the end value'],
    ['token_time', 25, 10, [-5], 'f(25) = -5: the end value'],
    ['peak_power', 50, 0, [], 'f(50) = 0 is a possible power'],
    ['average_power', 25, 10, [-5], 'f(25) = -5 is not a possible power: the end value'],
    ['prompt_time', Infinity, 50, [Infinity], 'f(Infinity) is not finite: the end value'],
  ] as const)("without tails (SplitwiseSim's line): %s at %d gives %d, clamping %j (%s)", (metric, x, expected, clamped, _why) => {
    const clamps: number[] = [];
    expect(predictedValue(p, metric, x, 1, 1, (raw) => clamps.push(raw))).toBe(expected);
    expect(clamps).toEqual(clamped);
  });
});

describe('xOf()', () => {
  it.each([
    ['batch_tokens', 300, 4, 1200],
    ['batch_size', 300, 4, 4],
  ] as const)('with key %s at prompt %d, batch %d is %d', (key, prompt, batch, expected) => {
    expect(xOf(makePredictor('linear', LINE, key), prompt, batch)).toBe(expected);
  });
});

describe('isPossible()', () => {
  it.each([
    ['prompt_time', 1, true],
    ['prompt_time', 5e-324, true],
    ['prompt_time', 0, false],
    ['prompt_time', -0, false],
    ['prompt_time', -1, false],
    ['prompt_time', Infinity, false],
    ['prompt_time', NaN, false],
    ['token_time', 0.001, true],
    ['token_time', 0, false],
    ['token_time', -Infinity, false],
    ['peak_power', 0, true],
    ['peak_power', -0, true],
    ['peak_power', 0.5, true],
    ['peak_power', -1e-12, false],
    ['peak_power', Infinity, false],
    ['average_power', 0, true],
    ['average_power', -1, false],
    ['average_power', NaN, false],
  ] as const)('%s %d is %s', (metric, value, expected) => {
    expect(isPossible(metric, value)).toBe(expected);
  });
});
