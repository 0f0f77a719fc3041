import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { isPerfDbError, usageError } from '../pipeline/core/errors.js';

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
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (error) {
    if (isPerfDbError(error)) {
      process.stderr.write(`${error.format()}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`internal error (a bug; please report it with the command that triggered it):\n${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 70;
    }
  }
}

/** yargs reports usage problems through `fail`; turn them into our usage error. */
export function failUsage(message: string | undefined, error: Error | undefined): never {
  if (error !== undefined && isPerfDbError(error)) throw error;
  throw usageError('E_USAGE', message ?? error?.message ?? 'bad arguments', 'run with --help for the options and their defaults');
}

/**
 * What every command line here shares: unknown options are errors, an option
 * given twice is an error unless it is `repeatable`, --help, no --version,
 * one-line usage errors.
 */
export function commandLine<T>(parser: Argv<T>, args: readonly string[], repeatable: readonly string[] = []): Argv<T> {
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
  return parser
    .strict()
    .version(false)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail(failUsage);
}
