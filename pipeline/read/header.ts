import { PerfDbError, quoteValue } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import { KNOWN_COLUMNS, REQUIRED_COLUMNS } from '../core/columns.js';

export type KnownColumn = (typeof KNOWN_COLUMNS)[number];

export interface Header {
  names: string[];
  /** Field index of each known column present. */
  index: Partial<Record<KnownColumn, number>>;
  /** The known columns present with their field index, in column order. */
  columns: [KnownColumn, number][];
  unknown: string[];
}

/**
 * The header record: every name once, every required column present (a
 * misspelt one is named with the closest unknown column), unknown columns
 * listed to be ignored.
 */
export function readHeader(record: string[], file: string, line: number): Header {
  const index: Header['index'] = {};
  const seen = new Map<string, number>();
  record.forEach((name, i) => {
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new PerfDbError('E_DUPLICATE_COLUMN', `column ${quoteValue(name)} appears twice (fields ${previous + 1} and ${i + 1})`, {
        file,
        line,
        column: i + 1,
        hint: 'rename or remove one of the two columns',
      });
    }
    seen.set(name, i);
    if ((KNOWN_COLUMNS as readonly string[]).includes(name)) index[name as KnownColumn] = i;
  });
  const unknown = record.filter((name) => !(KNOWN_COLUMNS as readonly string[]).includes(name));
  const source = record.indexOf('source');
  if (source !== -1) {
    // The pipeline's own output: reading it back would take predictions for measurements.
    throw new PerfDbError('E_GENERATED_INPUT', 'the file is a generated perf_db.csv (it has a source column), not measurements', {
      file,
      line,
      column: source + 1,
      hint: 'pass the raw profiling CSVs (data/raw/*.csv); if this really holds measurements, rename its source column',
    });
  }
  for (const required of REQUIRED_COLUMNS) {
    if (index[required] !== undefined) continue;
    const guess = closest(required, unknown);
    throw new PerfDbError('E_MISSING_COLUMN', `required column ${quoteValue(required)} is missing`, {
      file,
      line,
      hint: guess === undefined ? `the header must name ${REQUIRED_COLUMNS.join(', ')}` : `did you mean ${quoteValue(required)} instead of ${quoteValue(guess)}?`,
    });
  }
  const columns = (Object.entries(index) as [KnownColumn, number][]).sort((x, y) => x[1] - y[1]);
  return { names: record, index, columns, unknown };
}
