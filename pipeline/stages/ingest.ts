import { createHash } from 'node:crypto';
import { parse } from 'csv-parse';
import { PerfDbError } from '../core/errors.js';
import { MAX_RECORD_SIZE } from '../core/limits.js';
import { readHeader, type Header } from '../read/header.js';
import { rawGroup, readRow } from '../read/fields.js';
import { RecordLines } from '../read/lines.js';
import { translateParseError } from '../read/syntax.js';
import { badByteError, TextGuard } from '../read/text.js';
import { OPTIONAL_METRICS } from '../core/columns.js';
import type { IngestResult, IngestSource, InputFileSummary, Measurement, RejectedRow } from '../types.js';

export type { IngestSource } from '../types.js';

export interface IngestOptions {
  /** `error`: the first invalid row stops the run; `skip`: it is set aside in `rejected`. */
  onInvalid: 'error' | 'skip';
  /** Longest record accepted, in characters. */
  maxRecordSize?: number;
}

/**
 * The ingest stage: stream-parses CSV sources into validated measurements.
 * Header-driven: column order is free, unknown columns are listed and
 * ignored. Sources are read one after the other; the result keeps file
 * order and row order. When every row read was rejected, E_NO_VALID_ROWS.
 */
export async function ingest(sources: readonly IngestSource[], options: IngestOptions): Promise<IngestResult> {
  const files: InputFileSummary[] = [];
  const rows: Measurement[] = [];
  const rejected: RejectedRow[] = [];
  for (const source of sources) files.push(await ingestOne(source, options, rows, rejected));
  if (sources.length === 0) throw new PerfDbError('E_NO_INPUT', 'no input files were given', { hint: 'pass --input FILE, or run `npm run data:fetch` for the default data' });
  const first = rejected[0];
  if (rows.length === 0 && first !== undefined) {
    throw new PerfDbError('E_NO_VALID_ROWS', `every one of the ${rejected.length} rows read was rejected; the first, ${first.file}:${first.line}: ${first.code} ${first.reason}`, {
      hint: 'fix the input; run with --on-invalid error to stop at the first bad row',
    });
  }
  return { files, rows, rejected };
}

async function ingestOne(source: IngestSource, options: IngestOptions, rows: Measurement[], rejected: RejectedRow[]): Promise<InputFileSummary> {
  const { file } = source;
  const recorded = source.recorded ?? file;
  const lines = new RecordLines();
  const guard = new TextGuard(file, options.maxRecordSize);
  const parser = csvParser(options, (parsed) => {
    // The record holding a bad byte names it, before a syntax error further on in the same chunk drops the record.
    if (guard.bad !== null && parsed.info.bytes > guard.bad.offset) throw badByteIn(parsed.record, guard.bad, file);
    parsed.line = lines.start(parsed.record, parsed.info);
  });
  const fed = feed(source, parser, guard);
  let header: Header | undefined;
  let rowsRead = 0;
  let rowsRejected = 0;
  try {
    for await (const { record, line } of parser as AsyncIterable<ParsedRecord>) {
      // A line of spaces, tabs or only commas (a spreadsheet's empty row) is a blank line, skipped as an empty one is.
      if (blank(record)) continue;
      if (header === undefined) {
        header = readHeader(record, file, line);
        continue;
      }
      rowsRead++;
      const result = readRow(record, header, file, line);
      if (!(result instanceof PerfDbError)) {
        rows.push(result);
        continue;
      }
      if (options.onInvalid === 'error') throw result;
      rowsRejected++;
      rejected.push({ file: recorded, line, column: result.place.column, code: result.code, reason: result.message, group: rawGroup(record, header) });
    }
    if (guard.bad !== null) throw badByteError(guard.bad, file);
  } catch (error) {
    // Stop the feeding loop too: it may be waiting for a drain that will never come.
    parser.destroy();
    // A bad byte read ahead of a syntax error it caused is the real fault.
    const bad = guard.bad;
    const line = (error as { lines?: number }).lines;
    if (bad !== null && !(error instanceof PerfDbError) && (line === undefined || bad.line <= line)) throw badByteError(bad, file);
    throw translateParseError(error, file, lines.failing(error as { empty_lines?: unknown }));
  } finally {
    await fed.done;
  }
  const h = checkNotEmpty(header, fed.bytes(), rowsRead, file);
  return {
    file: recorded,
    sha256: fed.sha256(),
    bytes: fed.bytes(),
    rowsRead,
    rowsRejected,
    columns: h.names,
    unknownColumns: h.unknown,
    missingOptionalColumns: OPTIONAL_METRICS.filter((m) => h.index[m] === undefined),
  };
}

function blank(record: readonly string[]): boolean {
  for (const field of record) if (field.trim() !== '') return false;
  return true;
}

/** A record as the parser gives it (info: true), with the line it starts on. */
interface ParsedRecord {
  record: string[];
  info: { lines: number; bytes: number; empty_lines: number };
  line: number;
}

/**
 * The parser; `onRecord` sees each record as the parser makes it, not as it
 * is read (it sets the record's line, and may throw): a syntax error
 * discards the records parsed ahead of it in the same chunk, and the line
 * the failing record starts on (RecordLines.failing) needs every record
 * before it counted.
 */
function csvParser(options: IngestOptions, onRecord: (parsed: ParsedRecord) => void) {
  return parse({
    // With info: true the record comes wrapped with its info (the typings do not say so).
    on_record: (parsed: unknown) => {
      onRecord(parsed as ParsedRecord);
      return parsed as never;
    },
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Every line ending, whatever their mix in one file (a CR left in a name would make a group of its own).
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: options.maxRecordSize ?? MAX_RECORD_SIZE,
    info: true,
  });
}

/** The header of a file that has one and at least one row; E_EMPTY_FILE or E_NO_ROWS otherwise. */
function checkNotEmpty(header: Header | undefined, bytes: number, rowsRead: number, file: string): Header {
  if (bytes === 0 || header === undefined) {
    const what = bytes === 0 ? 'the file is empty' : 'the file holds only blank lines';
    throw new PerfDbError('E_EMPTY_FILE', `${what}; expected a CSV header and at least one row`, { file, hint: 'check that the profiling run finished writing the file' });
  }
  if (rowsRead === 0) {
    throw new PerfDbError('E_NO_ROWS', 'the file has a header but no data rows', {
      file,
      line: 2,
      hint: 'a header-only file usually means a truncated run; remove it from the inputs or re-run the profiler',
    });
  }
  return header;
}

/** Writes a source's chunks into the parser with back-pressure, hashing them on the way. */
function feed(source: IngestSource, parser: ReturnType<typeof parse>, guard: TextGuard) {
  const hash = createHash('sha256');
  let bytes = 0;
  const done = (async () => {
    try {
      for await (const chunk of source.chunks) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        hash.update(buffer);
        bytes += buffer.length;
        const ready = guard.check(buffer);
        if (parser.destroyed) return;
        if (ready.length > 0 && !parser.write(ready)) await drained(parser);
      }
      const rest = guard.end();
      if (parser.destroyed) return;
      if (rest.length > 0) parser.write(rest);
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  return { done, bytes: () => bytes, sha256: () => hash.digest('hex') };
}

/** The bad byte's error, placed at the field of the record it fell in (as U+FFFD, or the NUL itself). */
function badByteIn(record: readonly string[], bad: NonNullable<TextGuard['bad']>, file: string): PerfDbError {
  const mark = bad.kind === 'nul' ? '\u0000' : '\ufffd';
  const field = record.findIndex((value) => value.includes(mark));
  return badByteError(bad, file, field === -1 ? undefined : field + 1);
}

/** Resolves on 'drain', or on 'close' when the parser is destroyed while waiting. */
function drained(parser: ReturnType<typeof parse>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      parser.off('drain', done).off('close', done);
      resolve();
    };
    parser.once('drain', done).once('close', done);
  });
}
