import type { Configuration } from '../types.js';

/** A group's configurations by prompt, then batch, then token size. */
export type MeasuredIndex = Map<number, Map<number, Map<number, Configuration>>>;

export function indexMeasured(measured: readonly Configuration[]): MeasuredIndex {
  const index: MeasuredIndex = new Map();
  for (const c of measured) {
    let byBatch = index.get(c.prompt_size);
    if (byBatch === undefined) index.set(c.prompt_size, (byBatch = new Map()));
    let byToken = byBatch.get(c.batch_size);
    if (byToken === undefined) byBatch.set(c.batch_size, (byToken = new Map()));
    byToken.set(c.token_size, c);
  }
  return index;
}

/** Sorted grid values united with the keys of a measured index level. */
export function unionKeys(grid: readonly number[], measured: Map<number, unknown> | undefined): readonly number[] {
  if (measured === undefined) return grid;
  let extra = false;
  const set = new Set(grid);
  for (const k of measured.keys()) {
    if (!set.has(k)) {
      extra = true;
      set.add(k);
    }
  }
  return extra ? [...set].sort((a, b) => a - b) : grid;
}
