import { coefficientOfVariation, median } from '../core/stats.js';
import type { FitKey, FittedMetric, Knots, Measurement } from '../types.js';

/**
 * The knots of one metric: distinct x ascending (batch_tokens = prompt_size *
 * batch_size, or batch_size), the median of the metric over every row sharing
 * that x, the number of those rows, and their coefficient of variation.
 */
export function knotsFor(rows: readonly Measurement[], metric: FittedMetric, key: FitKey = 'batch_tokens'): Knots {
  const byX = new Map<number, number[]>();
  for (const row of rows) {
    const value = row.metrics[metric];
    if (value === null) continue;
    const x = key === 'batch_tokens' ? row.prompt_size * row.batch_size : row.batch_size;
    const list = byX.get(x);
    if (list === undefined) byX.set(x, [value]);
    else list.push(value);
  }
  const x = [...byX.keys()].sort((a, b) => a - b);
  return {
    x,
    y: x.map((k) => median(byX.get(k) as number[])),
    count: x.map((k) => (byX.get(k) as number[]).length),
    spread: x.map((k) => coefficientOfVariation(byX.get(k) as number[]) ?? 0),
  };
}
