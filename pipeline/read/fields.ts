import { PerfDbError, quoteValue } from '../core/errors.js';
import type { ErrorCode } from '../core/error-codes.js';
import { groupIdOf } from '../core/keys.js';
import { MAX_POWER, MAX_SIZE, MAX_TIME_MS, MIN_TIME_MS } from '../core/limits.js';
import { METRICS } from '../core/columns.js';
import type { Measurement, Metric, Metrics } from '../types.js';
import type { Header } from './header.js';

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

/** One data record as a measurement, or the error of its first bad field (in column order). */
export function readRow(record: string[], header: Header, file: string, line: number): Measurement | PerfDbError {
  if (record.length !== header.names.length) {
    return new PerfDbError('E_FIELD_COUNT', `the row has ${record.length} fields; expected ${header.names.length} as in the header`, {
      file,
      line,
      column: Math.min(record.length, header.names.length) + 1,
      hint: 'look for a missing or extra comma, or a truncated line',
    });
  }
  const out = { file, line, metrics: Object.fromEntries(METRICS.map((m) => [m, null])) as Metrics } as Measurement;
  try {
    for (const [name, i] of header.columns) {
      const value = record[i] as string;
      const place = { file, line, column: i + 1 };
      if (name === 'model' || name === 'hardware') {
        if (value.trim() === '') throw new PerfDbError('E_EMPTY_VALUE', `${name} is empty; expected a name`, { ...place, hint: `every row names its ${name}: fill it in, or drop the row (--on-invalid skip sets such rows aside)` });
        checkPrintable(value, name, place);
        out[name] = value;
      } else if (name === 'tensor_parallel' || name === 'prompt_size' || name === 'batch_size' || name === 'token_size') {
        out[name] = readSize(value, name, place);
      } else {
        out.metrics[name] = readMetric(value, name, place);
      }
    }
    return out;
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
}

/** Control characters (C0 but the line feed a quoted field may hold, DEL, C1) and the overrides and isolates that reorder text on screen. */
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/**
 * A name is printed in the reports, the CSV and the terminal: a control
 * character (an escape sequence, a carriage return) or a direction override
 * would change what a reader sees there, so it is refused.
 */
function checkPrintable(value: string, name: string, place: FieldPlace): void {
  const found = UNPRINTABLE.exec(value);
  if (found === null) return;
  const code = `U+${(found[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  const kind = found[0] >= '\u202a' ? 'a text-direction character' : 'a control character';
  throw new PerfDbError('E_CONTROL_CHARACTER', `${name} ${quoteValue(value)} holds ${kind} (${code}); expected a printable name`, { ...place, hint: `remove it from the name in ${place.file}, or pass --on-invalid skip to set such rows aside` });
}

interface FieldPlace {
  file: string;
  line: number;
  column: number;
}

function readSize(value: string, name: string, place: FieldPlace): number {
  const n = readNumber(value, name, place);
  if (n <= 0) throw valueError('E_NOT_POSITIVE', name, value, 'is not positive', place);
  // 511.99999999999999999 reads as the double 512: the digits, not the double, say whether it is whole.
  if (!Number.isInteger(n) || !writtenWhole(value.trim())) throw valueError('E_NOT_INTEGER', name, value, 'is not an integer', place);
  if (n > MAX_SIZE) throw valueError('E_OUT_OF_RANGE', name, value, `is above the largest size accepted, ${MAX_SIZE}`, place);
  return n;
}

/**
 * Whether a decimal (NUMBER's syntax) is a whole number as written: no
 * nonzero digit after the point once the exponent has moved it (5.12e2 is
 * 512; 512.5e0 and 511.99999999999999999 are not whole).
 */
function writtenWhole(text: string): boolean {
  const match = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return false;
  const [, whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  // The point sits after this many of the digits; every digit from there on must be 0.
  const point = whole.length + Number(exponent);
  return !/[1-9]/.test(digits.slice(Math.max(0, point)));
}

function readMetric(value: string, name: Metric, place: FieldPlace): number {
  const n = readNumber(value, name, place);
  if (name === 'peak_power' || name === 'average_power') {
    if (n < 0) throw valueError('E_NEGATIVE', name, value, 'is negative', place);
    if (n > MAX_POWER) throw valueError('E_OUT_OF_RANGE', name, value, `is above the largest power accepted, ${MAX_POWER}`, place);
  } else if (n <= 0) {
    throw valueError('E_NOT_POSITIVE', name, value, 'is not positive', place);
  } else if (n < MIN_TIME_MS || n > MAX_TIME_MS) {
    // Bounds keep every derived value (e2e_time, tails, errors, plot scales) finite.
    throw valueError('E_OUT_OF_RANGE', name, value, `is outside the times accepted, ${MIN_TIME_MS} to ${MAX_TIME_MS} ms`, place);
  }
  return n;
}

/** Decimal or scientific notation, surrounding spaces allowed; NaN, Infinity, overflow and underflow refused. */
function readNumber(value: string, name: string, place: FieldPlace): number {
  const trimmed = value.trim();
  if (trimmed === '') throw valueError('E_EMPTY_VALUE', name, value, 'is empty', place);
  if (!NUMBER.test(trimmed)) {
    const nonFinite = /^[+-]?(nan|inf(inity)?)$/i.test(trimmed);
    throw nonFinite ? valueError('E_NON_FINITE', name, value, 'is not a finite number', place) : valueError('E_NON_NUMERIC', name, value, 'is not a number', place);
  }
  const n = Number(trimmed);
  if (!Number.isFinite(n)) throw valueError('E_NON_FINITE', name, value, 'overflows to infinity', place);
  // A nonzero value written so small that it reads as zero is an underflow, not a zero.
  if (n === 0 && /[1-9]/.test(trimmed.replace(/[eE].*$/, ''))) throw valueError('E_OUT_OF_RANGE', name, value, 'underflows to zero (below the smallest double)', place);
  return n;
}

function valueError(code: ErrorCode, name: string, value: string, what: string, place: FieldPlace): PerfDbError {
  return new PerfDbError(code, `${name} ${quoteValue(value)} ${what}; expected ${EXPECTED[name] ?? 'a value'}`, {
    ...place,
    hint: code === 'E_OUT_OF_RANGE' && place.column !== undefined && /time/.test(name) ? 'times are in milliseconds: check the unit of the column, or drop the row' : code === 'E_NON_FINITE' ? 'a NaN or infinite value usually marks a failed repetition: drop the row or re-measure it' : `fix the value in ${place.file}, or pass --on-invalid skip to set such rows aside`,
  });
}

/** The row's group as written, for counting rejected rows per group; null when a field is missing. */
export function rawGroup(record: readonly string[], header: Header): string | null {
  const [model, hardware, tp] = (['model', 'hardware', 'tensor_parallel'] as const).map((name) => record[header.index[name] as number]);
  if (model === undefined || hardware === undefined || tp === undefined) return null;
  return groupIdOf(model, hardware, tp.trim());
}
