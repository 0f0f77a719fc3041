import { PerfDbError, resourceError } from '../core/errors.js';
import type { ErrorCode } from '../core/error-codes.js';
import type { SerializedError } from './types.js';

/**
 * An error as it crosses from a worker thread. Only the project's own
 * PerfDbError crosses as a known error (and the system's refusals, which
 * become E_OUT_OF_RESOURCES); anything else (an ENOENT, a
 * TypeError, anything with a `code`) stays a bug, stack and all, so that no
 * bug hides behind a one-line user message.
 */
export function serializeError(thrown: unknown): SerializedError {
  // The system's limits (too many open files in a worker) are the user's to raise, not a bug.
  const error = resourceError(thrown) ?? thrown;
  if (error instanceof PerfDbError) {
    return { known: true, message: error.message, code: error.code, place: error.place, hint: error.hint, exitCode: error.exitCode };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { known: false, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) };
}

/** The error a worker reported, rebuilt in the parent. */
export function rebuildError(e: SerializedError): Error {
  if (e.known && e.code !== undefined) {
    return new PerfDbError(e.code as ErrorCode, e.message, { ...(e.place ?? {}), hint: e.hint ?? '', ...(e.exitCode === undefined ? {} : { exitCode: e.exitCode }) });
  }
  const error = new Error(`in an emit worker: ${e.message}`);
  if (e.stack !== undefined) error.stack = `${error.message}\n${e.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
