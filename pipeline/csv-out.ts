import { stringify } from 'csv-stringify/sync';
import { OUTPUT_COLUMNS } from './types.js';

/** The header line of perf_db.csv. */
export const HEADER_LINE = `${OUTPUT_COLUMNS.join(',')}\n`;

/**
 * CSV cells for strings, quoted by csv-stringify's rules (quotes around a cell
 * holding a comma, quote, CR or LF; inner quotes doubled). Called once per
 * group, so the hot path never has to decide on quoting.
 */
export function quoteCells(values: readonly string[]): string[] {
  return values.map((v) => stringify([[v]], { eof: false }));
}

/**
 * A number as Number.prototype.toString writes it: the shortest digits that
 * read back to the same double (the digits of Python's repr). null is an
 * empty cell: the metric was not in the input.
 */
export function formatNumber(value: number | null): string {
  return value === null ? '' : String(value);
}
