import { makePredictors, predictedValue } from '../fit/predict.js';
import type { FittedMetric, GroupFit } from '../types.js';
import { round } from './numbers.js';

/**
 * (prompt_size, batch_size) points at which every report records the
 * predictions, so that two reports can be compared point by point: the
 * measured star (prompts 128..8192 at batch 1, batches 1..64 at prompt 512)
 * and two points far beyond it.
 */
export const PROBES: readonly [number, number][] = [
  ...[128, 256, 512, 1024, 2048, 4096, 8192].map((p): [number, number] => [p, 1]),
  ...[2, 4, 8, 16, 32, 64].map((b): [number, number] => [512, b]),
  [8192, 16],
  [8192, 64],
];

/** The emitted value of each studied metric at the probe points (what grid rows there get, at the group's smallest token size). */
export function probePredictions(fit: GroupFit, tokens: number) {
  const predictors = makePredictors(fit);
  const at = (metric: FittedMetric) => {
    const p = predictors[metric];
    return PROBES.map(([prompt, batch]) => (p === null ? null : round(predictedValue(p, metric, prompt, batch, tokens))));
  };
  return { points: PROBES.map(([prompt_size, batch_size]) => ({ prompt_size, batch_size })), prompt_time: at('prompt_time'), token_time: at('token_time') };
}
