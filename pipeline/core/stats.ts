/**
 * Median of an ascending array: the middle value for an odd count, the mean
 * of the two middle values, (a + b) / 2, for an even count (as pandas'
 * groupby median). Throws on an empty array.
 */
export function medianSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('medianSorted() needs at least one value');
  const mid = n >> 1;
  const upper = sorted[mid] as number;
  return n % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** Median of values in any order; the input is not modified. */
export function median(values: readonly number[]): number {
  return medianSorted(sortedCopy(values));
}

/** An ascending numeric copy. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median absolute deviation from the median (unscaled). */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Coefficient of variation: sample standard deviation (n - 1) over the mean;
 * null for fewer than two values or a zero mean. Computed on the values sorted
 * and scaled by the largest magnitude, so that the result depends neither on
 * the order of the values nor overflows for huge ones.
 */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const scale = Math.max(...values.map(Math.abs));
  if (scale === 0 || !Number.isFinite(scale)) return null;
  const scaled = sortedCopy(values).map((v) => v / scale);
  const mean = scaled.reduce((s, v) => s + v, 0) / n;
  if (mean === 0) return null;
  const variance = scaled.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return Math.sqrt(variance) / Math.abs(mean);
}
