import { groupId } from '../core/keys.js';
import { METRICS } from '../core/columns.js';
import type { DedupeResult, Measurement } from '../types.js';

/**
 * The dedupe stage: drops rows that repeat an earlier row exactly (same
 * names, sizes and metric values, compared as numbers, so `1.0` equals `1`;
 * ignored columns do not count). Keeps the first of each and counts the
 * dropped ones per group. With `keepDuplicates` (SplitwiseSim keeps them in
 * its medians, reading one file) a row repeating an earlier row of its own
 * input file is kept; one repeating a row of an earlier file is still an
 * overlap of two files, dropped and counted (the same file given twice adds
 * nothing). `perFile`: how many of the rows each input file gave, in order
 * (ingest keeps them in file order); absent, they are one file's.
 */
export function dedupe(rows: readonly Measurement[], options: { keepDuplicates: boolean } = { keepDuplicates: false }, perFile: readonly number[] = [rows.length]): DedupeResult {
  if (options.keepDuplicates && perFile.length <= 1) return { rows: [...rows], duplicatesByGroup: new Map(), duplicates: 0 };
  // Each kept row's key, with the file it came from.
  const seen = new Map<string, number>();
  const kept: Measurement[] = [];
  const duplicatesByGroup = new Map<string, number>();
  let file = 0;
  let fileEnd = perFile[0] ?? rows.length;
  for (const [i, row] of rows.entries()) {
    while (i >= fileEnd && file < perFile.length - 1) fileEnd += perFile[++file] as number;
    const key = rowKey(row);
    const from = seen.get(key);
    if (from !== undefined && !(options.keepDuplicates && from === file)) {
      const id = groupId(row);
      duplicatesByGroup.set(id, (duplicatesByGroup.get(id) ?? 0) + 1);
    } else {
      if (from === undefined) seen.set(key, file);
      kept.push(row);
    }
  }
  return { rows: kept, duplicatesByGroup, duplicates: rows.length - kept.length };
}

function rowKey(row: Measurement): string {
  return JSON.stringify([row.model, row.hardware, row.tensor_parallel, row.prompt_size, row.batch_size, row.token_size, ...METRICS.map((m) => row.metrics[m])]);
}
