import { createHash } from 'node:crypto';
import { parse, CsvError } from 'csv-parse';
import { PerfDbError, quoteValue } from '../core/errors.js';
import { groupIdOf } from '../core/keys.js';
import { closest } from '../core/suggest.js';
import {
  KNOWN_COLUMNS,
  METRICS,
  OPTIONAL_METRICS,
  REQUIRED_COLUMNS,
  type IngestResult,
  type InputFileSummary,
  type Measurement,
  type Metric,
  type Metrics,
  type RejectedRow,
} from '../types.js';

/** A CSV text to read: its name for messages and its bytes, in chunks. */
export interface IngestSource {
  file: string;
  chunks: AsyncIterable<Uint8Array | string>;
}

export interface IngestOptions {
  /** `error`: the first invalid row stops the run; `skip`: it is set aside in `rejected`. */
  onInvalid: 'error' | 'skip';
  /** Longest record accepted, in characters. */
  maxRecordSize?: number;
}

/** Sizes are capped so that prompt_size * batch_size stays an exact integer (< 2^53). */
export const MAX_SIZE = 2 ** 26;
const DEFAULT_MAX_RECORD_SIZE = 1 << 20;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const EXPECTED: Record<string, string> = {
  tensor_parallel: 'a positive integer (GPUs)',
  prompt_size: 'a positive integer number of tokens',
  batch_size: 'a positive integer number of requests',
  token_size: 'a positive integer number of tokens',
  prompt_time: 'a positive number of milliseconds',
  token_time: 'a positive number of milliseconds',
  e2e_time: 'a positive number of milliseconds',
  peak_power: 'a finite number >= 0',
  average_power: 'a finite number >= 0',
};

/**
 * Stream-parses CSV sources into validated measurements. Header-driven: column
 * order is free, unknown columns are listed and ignored. Sources are read one
 * after the other; the result keeps file order and row order.
 */
export async function ingest(sources: readonly IngestSource[], options: IngestOptions): Promise<IngestResult> {
  const files: InputFileSummary[] = [];
  const rows: Measurement[] = [];
  const rejected: RejectedRow[] = [];
  for (const source of sources) {
    files.push(await ingestOne(source, options, rows, rejected));
  }
  return { files, rows, rejected };
}

async function ingestOne(
  source: IngestSource,
  options: IngestOptions,
  rows: Measurement[],
  rejected: RejectedRow[],
): Promise<InputFileSummary> {
  const { file } = source;
  const hash = createHash('sha256');
  let bytes = 0;
  let header: Header | undefined;
  let rowsRead = 0;
  let rowsRejected = 0;

  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
    info: true,
  });

  const feed = (async () => {
    try {
      for await (const chunk of source.chunks) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (bytes === 0 && buffer.length > 0) checkText(buffer, file);
        hash.update(buffer);
        bytes += buffer.length;
        if (parser.destroyed) return;
        if (!parser.write(buffer)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off('drain', done).off('close', done);
              resolve();
            };
            parser.once('drain', done).once('close', done);
          });
        }
      }
      if (!parser.destroyed) parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header === undefined) {
        header = readHeader(record, file, info.lines);
        continue;
      }
      rowsRead++;
      const result = readRow(record, header, file, info.lines);
      if (result instanceof PerfDbError) {
        if (options.onInvalid === 'error') throw result;
        rowsRejected++;
        rejected.push({
          file,
          line: info.lines,
          column: result.place.column,
          code: result.code,
          reason: result.message,
          group: rawGroup(record, header),
        });
      } else {
        rows.push(result);
      }
    }
  } catch (error) {
    // Stop the feeding loop too: it may be waiting for a drain that will never come.
    parser.destroy();
    throw translateParseError(error, file);
  } finally {
    await feed;
  }

  if (bytes === 0 || header === undefined) {
    throw new PerfDbError('E_EMPTY_FILE', 'the file is empty; expected a CSV header and at least one row', {
      file,
      hint: 'check that the profiling run finished writing the file',
    });
  }
  if (rowsRead === 0) {
    throw new PerfDbError('E_NO_ROWS', 'the file has a header but no data rows', {
      file,
      line: 2,
      hint: 'a header-only file usually means a truncated run; remove it from the inputs or re-run the profiler',
    });
  }
  return {
    file,
    sha256: hash.digest('hex'),
    bytes,
    rowsRead,
    rowsRejected,
    columns: header.names,
    unknownColumns: header.unknown,
    missingOptionalColumns: OPTIONAL_METRICS.filter((m) => header?.index[m] === undefined),
  };
}

interface Header {
  names: string[];
  /** Field index of each known column present. */
  index: Partial<Record<(typeof KNOWN_COLUMNS)[number], number>>;
  /** The known columns present with their field index, in column order. */
  columns: [(typeof KNOWN_COLUMNS)[number], number][];
  unknown: string[];
}

function readHeader(record: string[], file: string, line: number): Header {
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
    if ((KNOWN_COLUMNS as readonly string[]).includes(name)) index[name as keyof Header['index']] = i;
  });
  const unknown = record.filter((name) => !(KNOWN_COLUMNS as readonly string[]).includes(name));
  for (const required of REQUIRED_COLUMNS) {
    if (index[required] !== undefined) continue;
    const guess = closest(required, unknown);
    throw new PerfDbError('E_MISSING_COLUMN', `required column ${quoteValue(required)} is missing`, {
      file,
      line,
      hint:
        guess === undefined
          ? `the header must name ${REQUIRED_COLUMNS.join(', ')}`
          : `did you mean ${quoteValue(required)} instead of ${quoteValue(guess)}?`,
    });
  }
  const columns = (Object.entries(index) as [(typeof KNOWN_COLUMNS)[number], number][]).sort((x, y) => x[1] - y[1]);
  return { names: record, index, columns, unknown };
}

function readRow(record: string[], header: Header, file: string, line: number): Measurement | PerfDbError {
  if (record.length !== header.names.length) {
    return new PerfDbError(
      'E_FIELD_COUNT',
      `the row has ${record.length} fields; expected ${header.names.length} as in the header`,
      { file, line, column: Math.min(record.length, header.names.length) + 1, hint: 'look for a missing or extra comma, or a truncated line' },
    );
  }
  // Fields are checked in column order, so the error names the first bad field of the row.
  const out = { file, line, metrics: Object.fromEntries(METRICS.map((m) => [m, null])) as Metrics } as Measurement;
  try {
    for (const [name, i] of header.columns) {
      const value = record[i] as string;
      const column = i + 1;
      if (name === 'model' || name === 'hardware') {
        if (value.trim() === '') throw new PerfDbError('E_EMPTY_VALUE', `${name} is empty; expected a name`, { file, line, column });
        out[name] = value;
      } else if (name === 'tensor_parallel' || name === 'prompt_size' || name === 'batch_size' || name === 'token_size') {
        const n = readNumber(value, name, file, line, column);
        if (n <= 0) throw valueError('E_NOT_POSITIVE', name, value, 'is not positive', file, line, column);
        if (!Number.isInteger(n)) throw valueError('E_NOT_INTEGER', name, value, 'is not an integer', file, line, column);
        if (n > MAX_SIZE) throw valueError('E_OUT_OF_RANGE', name, value, `is above the largest size accepted, ${MAX_SIZE}`, file, line, column);
        out[name] = n;
      } else {
        const n = readNumber(value, name, file, line, column);
        if (isPower(name)) {
          if (n < 0) throw valueError('E_NEGATIVE', name, value, 'is negative', file, line, column);
        } else if (n <= 0) {
          throw valueError('E_NOT_POSITIVE', name, value, 'is not positive', file, line, column);
        }
        out.metrics[name] = n;
      }
    }
    return out;
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
}

/** The row's group as written, for counting rejected rows per group; null when a field is missing. */
function rawGroup(record: readonly string[], header: Header): string | null {
  const [model, hardware, tp] = (['model', 'hardware', 'tensor_parallel'] as const).map((name) => record[header.index[name] as number]);
  if (model === undefined || hardware === undefined || tp === undefined) return null;
  return groupIdOf(model, hardware, tp.trim());
}

function isPower(metric: Metric): boolean {
  return metric === 'peak_power' || metric === 'average_power';
}

/** Decimal or scientific notation, surrounding spaces allowed; NaN, Infinity and overflow refused. */
function readNumber(value: string, name: string, file: string, line: number, column: number): number {
  const trimmed = value.trim();
  if (trimmed === '') throw valueError('E_EMPTY_VALUE', name, value, 'is empty', file, line, column);
  if (!NUMBER.test(trimmed)) {
    const nonFinite = /^[+-]?(nan|inf(inity)?)$/i.test(trimmed);
    const [code, what] = nonFinite ? ['E_NON_FINITE', 'is not a finite number'] : ['E_NON_NUMERIC', 'is not a number'];
    throw valueError(code, name, value, what, file, line, column);
  }
  const n = Number(trimmed);
  if (!Number.isFinite(n)) throw valueError('E_NON_FINITE', name, value, 'overflows to infinity', file, line, column);
  return n;
}

function valueError(code: string, name: string, value: string, what: string, file: string, line: number, column: number): PerfDbError {
  return new PerfDbError(code, `${name} ${quoteValue(value)} ${what}; expected ${EXPECTED[name] ?? 'a value'}`, {
    file,
    line,
    column,
    hint: code === 'E_NON_FINITE' ? 'a NaN or infinite value usually marks a failed repetition: drop the row or re-measure it' : `fix the value in ${file}, or pass --on-invalid skip to set such rows aside`,
  });
}

/** A NUL byte in the first chunk means the file is not text. */
function checkText(buffer: Uint8Array, file: string): void {
  const head = buffer.subarray(0, 4096);
  if (head.includes(0)) {
    throw new PerfDbError('E_NOT_TEXT', 'the file holds binary data (NUL bytes); expected CSV text', {
      file,
      line: 1,
      hint: 'check that the path points at the CSV and not at an archive or a binary log',
    });
  }
}

/** csv-parse reports syntax problems with its own codes; give them ours, with the place. */
function translateParseError(error: unknown, file: string): unknown {
  if (error instanceof PerfDbError) return error;
  if (!(error instanceof CsvError)) return error;
  const e = error as CsvError & { lines?: number; column?: number };
  const place = { file, ...(e.lines === undefined ? {} : { line: e.lines }) };
  // csv-parse reports a quote inside an unquoted field with a code missing from its typings.
  switch (e.code as string) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new PerfDbError('E_UNBALANCED_QUOTE', 'a quoted field is never closed before the end of the file', {
        ...place,
        hint: 'look for a stray double quote on or before this line',
      });
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new PerfDbError('E_BAD_QUOTE', 'a double quote appears inside an unquoted field or after a closing quote', {
        ...place,
        hint: 'quote the whole field and double the inner quotes ("a ""b"" c")',
      });
    case 'CSV_MAX_RECORD_SIZE':
      return new PerfDbError('E_RECORD_TOO_LARGE', 'a record is longer than the largest accepted (1 MiB)', {
        ...place,
        hint: 'the file is probably not a profiling CSV, or a quote is unbalanced',
      });
    default:
      return new PerfDbError('E_CSV_SYNTAX', `the CSV cannot be parsed: ${e.message}`, { ...place, hint: 'check the file is comma-separated CSV' });
  }
}
