/** What a lookup's answer says about its place: beyond the measured range on which side, how far the backtests validated, and values a tail held flat. */
import { xOf, type Predictors } from '../fit/predict.js';
import type { MetricBands } from '../fit/uncertainty.js';
import type { Answer, FitsFile, FitsGroup, HeldMetric, Query } from './types.js';

const STUDIED = ['prompt_time', 'token_time'] as const;

/** Above or below the group's measured batch_tokens range, or null inside it. */
export function sideOf(group: Pick<FitsGroup, 'range'>, q: Query): 'above' | 'below' | null {
  const bt = q.prompt_size * q.batch_size;
  return bt > group.range[1] ? 'above' : bt < group.range[0] ? 'below' : null;
}

/**
 * The furthest extrapolation factor the frontier backtests reached on a side,
 * for both metrics (the smaller of the two); null when either has no band there.
 */
export function validatedFactor(bands: FitsFile['bands'], side: 'above' | 'below'): number | null {
  const reach = (b: MetricBands | null) => (side === 'above' ? b?.upper : b?.lower)?.maxFactor ?? null;
  const factors = STUDIED.map((m) => reach(bands[m]));
  return factors.some((f) => f === null) ? null : Math.min(...(factors as number[]));
}

/**
 * The metrics whose value beyond the range is a tail held flat: at the end
 * knot's value (a line that would fall, or the clamp tail), or below the range
 * at the group's smallest measured median (`floor`). Exact comparison: the
 * tail returns those very numbers when it holds.
 */
export function heldMetrics(predictors: Predictors, q: Query, values: Pick<Answer, 'prompt_time' | 'token_time'>): HeldMetric[] {
  const held: HeldMetric[] = [];
  for (const metric of STUDIED) {
    const predictor = predictors[metric];
    if (predictor === null || predictor.tails === null) continue;
    const x = xOf(predictor, q.prompt_size, q.batch_size);
    const side = x > predictor.range[1] ? 'upper' : x < predictor.range[0] ? 'lower' : null;
    if (side === null) continue;
    const tail = predictor.tails[side];
    if (side === 'lower' && values[metric] === tail.floor && tail.floor !== tail.y) held.push({ metric, at: 'floor', value: tail.floor });
    else if (values[metric] === tail.y) held.push({ metric, at: 'end', value: tail.y });
  }
  return held;
}
