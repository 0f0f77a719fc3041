import { groupId } from '../core/keys.js';
import { METRICS } from '../core/columns.js';
import type { DedupeResult, Measurement } from '../types.js';

/**
 * The dedupe stage: drops rows that repeat an earlier row exactly (same
 * names, sizes and metric values, compared as numbers, so `1.0` equals `1`;
 * ignored columns do not count). Keeps the first of each and counts the
 * dropped ones per group. With `keepDuplicates` (SplitwiseSim keeps them in
 * its medians) every row is kept and nothing is counted.
 */
export function dedupe(rows: readonly Measurement[], options: { keepDuplicates: boolean } = { keepDuplicates: false }): DedupeResult {
  if (options.keepDuplicates) return { rows: [...rows], duplicatesByGroup: new Map(), duplicates: 0 };
  const seen = new Set<string>();
  const kept: Measurement[] = [];
  const duplicatesByGroup = new Map<string, number>();
  for (const row of rows) {
    const key = rowKey(row);
    if (seen.has(key)) {
      const id = groupId(row);
      duplicatesByGroup.set(id, (duplicatesByGroup.get(id) ?? 0) + 1);
    } else {
      seen.add(key);
      kept.push(row);
    }
  }
  return { rows: kept, duplicatesByGroup, duplicates: rows.length - kept.length };
}

function rowKey(row: Measurement): string {
  return JSON.stringify([row.model, row.hardware, row.tensor_parallel, row.prompt_size, row.batch_size, row.token_size, ...METRICS.map((m) => row.metrics[m])]);
}
