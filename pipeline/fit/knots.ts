import { coefficientOfVariation, median } from '../core/stats.js';
import type { FitKey, FittedMetric, Knots, Measurement } from '../types.js';

/** A knot series without its spread: what an interpolator is fitted on. */
export type KnotLine = Omit<Knots, 'spread'>;

/** The rows of one metric pooled by x: distinct x ascending, and the rows (with a value of the metric) at each, in row order. */
export interface Pooled {
  metric: FittedMetric;
  x: number[];
  rows: Measurement[][];
}

/** The x of a row or configuration: batch_tokens = prompt_size * batch_size, or batch_size. */
export const xOfSizes = (key: FitKey, c: { prompt_size: number; batch_size: number }): number => (key === 'batch_tokens' ? c.prompt_size * c.batch_size : c.batch_size);

export function pooled(rows: readonly Measurement[], metric: FittedMetric, key: FitKey = 'batch_tokens'): Pooled {
  const byX = new Map<number, Measurement[]>();
  for (const row of rows) {
    if (row.metrics[metric] === null) continue;
    const x = xOfSizes(key, row);
    const list = byX.get(x);
    if (list === undefined) byX.set(x, [row]);
    else list.push(row);
  }
  const x = [...byX.keys()].sort((a, b) => a - b);
  return { metric, x, rows: x.map((k) => byX.get(k) as Measurement[]) };
}

/** The values of the metric in a pool's rows. */
function valuesOf(rows: readonly Measurement[], metric: FittedMetric): number[] {
  return rows.map((r) => r.metrics[metric] as number);
}

/** The knot line of a pool: each x's median and row count. */
export function knotLine(pool: Pooled): KnotLine {
  return { x: [...pool.x], y: pool.rows.map((r) => median(valuesOf(r, pool.metric))), count: pool.rows.map((r) => r.length) };
}

/**
 * The knots of one metric: distinct x ascending (batch_tokens = prompt_size *
 * batch_size, or batch_size), the median of the metric over every row sharing
 * that x, the number of those rows, and their coefficient of variation.
 */
export function knotsFor(rows: readonly Measurement[], metric: FittedMetric, key: FitKey = 'batch_tokens'): Knots {
  const pool = pooled(rows, metric, key);
  return { ...knotLine(pool), spread: pool.rows.map((r) => coefficientOfVariation(valuesOf(r, metric)) ?? 0) };
}

/**
 * The knot line of the pool's rows without those for which `left` holds, at
 * the one x where they are (`x`), from the line of all rows (`line`): only
 * that knot changes, or goes when no row is left there. A knot is the median
 * of a multiset of values, so this is the line knotsFor gives on the rows left.
 */
export function lineWithout(pool: Pooled, line: KnotLine, x: number, left: (row: Measurement) => boolean): KnotLine {
  const i = pool.x.indexOf(x);
  if (i < 0) return line;
  const rest = (pool.rows[i] as Measurement[]).filter((r) => !left(r));
  if (rest.length === 0) return { x: without(line.x, i), y: without(line.y, i), count: without(line.count, i) };
  const y = [...line.y];
  const count = [...line.count];
  y[i] = median(valuesOf(rest, pool.metric));
  count[i] = rest.length;
  return { x: line.x, y, count };
}

/** The knots of a line from index `from` up to, not including, `to`. */
export function lineSlice(line: KnotLine, from: number, to: number): KnotLine {
  return { x: line.x.slice(from, to), y: line.y.slice(from, to), count: line.count.slice(from, to) };
}

function without<T>(values: readonly T[], i: number): T[] {
  return [...values.slice(0, i), ...values.slice(i + 1)];
}
