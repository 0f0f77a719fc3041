/**
 * The one error type of the project. A PerfDbError is a known, user-facing
 * failure: the CLI prints it as one line and exits with `exitCode`. Anything
 * else that escapes is a bug and is printed with its stack.
 */

import type { ErrorCode } from './error-codes.js';

/** Where a problem was found; every field is optional. */
export interface Place {
  file?: string;
  line?: number;
  /** 1-based field number within the CSV record. */
  column?: number;
  /** `model/hardware/tp=N`. */
  group?: string;
}

export interface PerfDbErrorInit extends Place {
  /** What to do about it: every known failure says. */
  hint: string;
  /** 1 for bad input or a failed check (default), 2 for bad usage. */
  exitCode?: number;
  cause?: unknown;
}

export class PerfDbError extends Error {
  override readonly name = 'PerfDbError';
  readonly code: ErrorCode;
  readonly place: Place;
  readonly hint: string;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, init: PerfDbErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    const { hint, exitCode, cause: _cause, ...place } = init;
    this.place = place;
    this.hint = hint;
    this.exitCode = exitCode ?? 1;
  }

  /** `file:line:column: CODE message (group ...); hint: ...` on one line. */
  format(): string {
    const { file, line, column, group } = this.place;
    let where = '';
    if (file !== undefined) {
      where = file;
      if (line !== undefined) where += `:${line}`;
      if (line !== undefined && column !== undefined) where += `:${column}`;
      where += ': ';
    }
    // A group's name is the data's: a name of a megabyte is shown by its start and length, here and in the message.
    const shown = group === undefined ? undefined : shortName(group);
    const message = group === undefined || shown === group ? this.message : this.message.split(group).join(shown);
    const inGroup = shown === undefined ? '' : ` (group ${shown})`;
    const hint = this.hint === '' ? '' : `; hint: ${this.hint}`;
    return oneLine(`${where}${this.code} ${message}${inGroup}${hint}`);
  }
}

/** A usage error: bad option or argument; exit code 2. */
export function usageError(code: ErrorCode, message: string, hint: string): PerfDbError {
  return new PerfDbError(code, message, { exitCode: 2, hint });
}

/**
 * The error with the places it lacks filled in (for a group's error: the file
 * and line of the group's first row), everything else kept.
 */
export function withPlace(error: PerfDbError, place: Place): PerfDbError {
  const merged: Place = { ...place, ...error.place };
  if (error.place.file !== undefined && error.place.file !== place.file) delete merged.line;
  return new PerfDbError(error.code, error.message, { ...merged, hint: error.hint, exitCode: error.exitCode, cause: error.cause });
}

export function isPerfDbError(error: unknown): error is PerfDbError {
  return error instanceof PerfDbError;
}

/**
 * Newlines and control characters in values would break the one-line promise
 * or drive the terminal: C0 controls become `?` (line ends and tabs their
 * escapes); C1 controls (U+009B opens an escape sequence, U+0085 ends a
 * line), the Unicode line and paragraph separators and the text-direction
 * characters are written as `\uXXXX`.
 */
function oneLine(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : '?'))
      .replace(/[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  );
}

/** A name longer than this is shown by its first NAME_SHOWN characters and its length. */
const NAME_SHOWN = 120;

export function shortName(name: string): string {
  return name.length > NAME_SHOWN ? `${name.slice(0, NAME_SHOWN)}…(${name.length} chars)` : name;
}

/** Shows a user value inside a message: quoted, control characters escaped, long values cut. */
export function quoteValue(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
  return JSON.stringify(cut);
}

/** What the system ran out of, by error code: limits of the machine or the shell, not bugs. */
const EXHAUSTED: Record<string, { what: string; hint: string }> = {
  EMFILE: { what: 'open files', hint: 'raise the limit of open files (ulimit -n 1024), or pass --concurrency 1 for fewer threads' },
  ENFILE: { what: 'open files (the whole system)', hint: 'close other programs, or pass --concurrency 1 for fewer threads' },
  ENOMEM: { what: 'memory', hint: 'free some memory, or pass --concurrency 1 for fewer threads' },
  ERR_WORKER_INIT_FAILED: { what: 'room to start a thread', hint: 'pass --concurrency 1 and --no-plots for fewer threads, or raise the limits (ulimit -n, ulimit -v)' },
  ERR_WORKER_OUT_OF_MEMORY: { what: 'memory in a thread', hint: 'free some memory, pass --concurrency 1, or raise ulimit -v' },
};

/**
 * An error of the system refusing a resource (too many open files, no memory,
 * a thread that cannot start) as E_OUT_OF_RESOURCES; null for anything else.
 * Such errors come from the machine's limits, not from a bug: they get one line.
 */
export function resourceError(error: unknown): PerfDbError | null {
  const code = (error as { code?: unknown } | null)?.code;
  const found = typeof code === 'string' ? EXHAUSTED[code] : undefined;
  if (found === undefined) return null;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new PerfDbError('E_OUT_OF_RESOURCES', `the system has no more ${found.what} for this run: ${message}`, { hint: found.hint });
}
