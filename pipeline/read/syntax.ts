import { CsvError } from 'csv-parse';
import { PerfDbError } from '../core/errors.js';

/**
 * csv-parse reports syntax problems with its own codes; give them ours, with
 * the place: `start`, the line the failing record starts on as the file
 * counts its lines (RecordLines.failing: the parser's own count takes a
 * quoted CRLF for two lines, and for a quote never closed is the file's
 * end), and the field the parser was in.
 */
export function translateParseError(error: unknown, file: string, start?: number): unknown {
  if (error instanceof PerfDbError) return error;
  if (!(error instanceof CsvError)) return error;
  const e = error as CsvError & { lines?: number; index?: number };
  const line = start ?? e.lines;
  const column = start !== undefined && typeof e.index === 'number' ? e.index + 1 : undefined;
  const place = { file, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) };
  // csv-parse reports a quote inside an unquoted field with a code missing from its typings.
  switch (e.code as string) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new PerfDbError('E_UNBALANCED_QUOTE', `a quoted field opened here is never closed before the end of the file`, { ...place, hint: 'close the quote, or double it ("") where it is part of the value' });
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new PerfDbError('E_BAD_QUOTE', 'a double quote appears inside an unquoted field or after a closing quote', { ...place, hint: 'quote the whole field and double the inner quotes ("a ""b"" c")' });
    case 'CSV_MAX_RECORD_SIZE':
      return recordTooLarge(place);
    default:
      return new PerfDbError('E_CSV_SYNTAX', `the CSV cannot be parsed: ${e.message}`, { ...place, hint: 'check the file is comma-separated CSV' });
  }
}

/** A record (or a line: its empty fields count too) longer than the largest accepted. */
export function recordTooLarge(place: { file: string; line?: number }): PerfDbError {
  return new PerfDbError('E_RECORD_TOO_LARGE', 'a record is longer than the largest accepted (1 MiB)', { ...place, hint: 'the file is probably not a profiling CSV, or a quote is unbalanced' });
}
