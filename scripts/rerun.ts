import { isAbsolute, resolve } from 'node:path';
import { shellQuote } from '../pipeline/core/format.js';

/** Options whose values are paths, resolved against the working folder. */
const PATH_OPTIONS = new Set(['out', 'input']);

/**
 * The command that repeats a run as the user wrote it, without --check: every
 * other option kept, in their order, each word quoted for the shell. npm runs
 * a script from the project root, so a relative path given from another
 * folder is written absolute.
 */
export function rerunCommand(script: string, args: readonly string[], cwd: string, root: string): string {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (/^--(no-)?check(=.*)?$/s.test(arg)) continue;
    const joined = /^--([a-z][a-z0-9-]*)=(.*)$/s.exec(arg);
    const name = joined?.[1] ?? /^--([a-z][a-z0-9-]*)$/.exec(arg)?.[1];
    if (name !== undefined && PATH_OPTIONS.has(name)) {
      const value = joined === null ? args[++i] : joined[2];
      words.push(`--${name}`, ...(value === undefined ? [] : [pathFrom(value, cwd, root)]));
      continue;
    }
    words.push(arg);
  }
  return ['npm', 'run', script, ...(words.length === 0 ? [] : ['--', ...words.map(shellQuote)])].join(' ');
}

function pathFrom(value: string, cwd: string, root: string): string {
  if (value === '-' || isAbsolute(value) || resolve(cwd) === resolve(root)) return value;
  return resolve(cwd, value);
}
