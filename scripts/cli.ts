import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { isPerfDbError, resourceError, usageError } from '../pipeline/core/errors.js';
import { didYouMean, normalizeArgs, type OptionKinds } from './cli-args.js';

/** The folder holding package.json, found from this file upwards (works from sources and from dist/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the scripts folder');
    dir = parent;
  }
  return dir;
}

/**
 * The CLI boundary: a known error becomes one line on stderr and its exit code
 * (1 for bad input, 2 for bad usage); anything else is a bug and prints its stack
 * with exit code 70.
 */
export async function runCli(main: () => Promise<number | void>): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe: the work is done, the rest of the text has nowhere to go.
  process.stdout.on('error', stdoutFailed);
  process.stderr.on('error', stderrFailed);
  try {
    const code = (await main()) ?? 0;
    process.exitCode = streamFailed ? Math.max(code, 1) : code;
  } catch (thrown) {
    const error = resourceError(thrown) ?? thrown;
    if (isPerfDbError(error)) {
      process.stderr.write(`${error.format()}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`internal error (a bug; please report it with the command that triggered it):\n${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 70;
    }
  }
}

/** Set when standard output or error failed for a reason other than a closed pipe. */
let streamFailed = false;

const closedPipe = (error: NodeJS.ErrnoException) => error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';

/** Standard output that cannot be written (a full disk, an I/O error): one line on stderr and exit 1, never a stack. */
function stdoutFailed(error: NodeJS.ErrnoException): void {
  if (closedPipe(error)) return;
  if (!streamFailed) process.stderr.write(`E_OUTPUT_NOT_WRITABLE standard output cannot be written: ${error.code ?? error.message}; hint: send it somewhere with room (files written by the command are not affected)\n`);
  streamFailed = true;
  process.exitCode = 1;
}

/** Standard error that cannot be written: nowhere left to say so; the exit code does. */
function stderrFailed(error: NodeJS.ErrnoException): void {
  if (closedPipe(error)) return;
  streamFailed = true;
  process.exitCode = 1;
}

/** yargs reports usage problems through `fail`; turn them into our usage error, with the closest option for an unknown one. */
export function failUsage(message: string | undefined, error: Error | undefined, known: readonly string[] = []): never {
  if (error !== undefined && isPerfDbError(error)) throw error;
  const text = message ?? error?.message ?? 'bad arguments';
  throw usageError('E_USAGE', text, didYouMean(text, known) ?? 'run with --help for the options and their defaults');
}

/**
 * What every command line here shares: unknown options are errors (with the
 * closest known one), an option given twice is an error unless it is
 * `repeatable`, flags take no value, valued options need one (a leading dash
 * included: `--prompts -5..10`), --help, no --version, one-line usage errors.
 */
export function commandLine<T>(parser: Argv<T>, args: readonly string[], repeatable: readonly string[] = []): Pick<Argv<T>, 'parseAsync'> {
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === '--') break;
    const match = /^--(?:no-)?([a-z][a-z0-9-]*)(?:=|$)/.exec(arg);
    if (match === null) continue;
    const name = match[1] as string;
    if (seen.has(name) && !repeatable.includes(name)) {
      throw usageError('E_REPEATED_OPTION', `--${name} is given more than once`, `give it once${repeatable.length > 0 ? `; only ${repeatable.map((r) => `--${r}`).join(', ')} may be repeated` : ''}`);
    }
    seen.add(name);
  }
  // getOptions() is public in yargs but missing from its typings.
  const kinds = (parser as unknown as { getOptions(): OptionKinds }).getOptions();
  const normalized = normalizeArgs(args, kinds);
  const known = Object.keys(kinds.key).filter((k) => k !== 'version');
  const ready = parser
    .strict()
    .version(false)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => failUsage(message, error, known));
  return { parseAsync: () => ready.parseAsync(normalized) };
}
