import { usageError } from '../pipeline/core/errors.js';
import { closest } from '../pipeline/core/suggest.js';

/** What the command line knows of its options, as yargs' getOptions() lists them. */
export interface OptionKinds {
  boolean: readonly string[];
  key: Readonly<Record<string, unknown>>;
}

/**
 * Checks and normalises the words of a command line before yargs reads them,
 * for what yargs gets wrong on its own:
 * - a flag given a value (`--strict=maybe`) is refused; only true or false may follow `=`;
 * - an option that takes a value but has none (`--input` last, or before another option) is refused;
 * - a value that starts with a dash (`--prompts -5..10`, `--input -`) is the option's value, not an option;
 * - `--name=` is the empty value, as `--name ''` is (an array option would lose it);
 * - options npm took for itself (`npm run generate --prompts ...`, without `--`) are named, with the fix.
 */
export function normalizeArgs(args: readonly string[], kinds: OptionKinds, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const flags = new Set(kinds.boolean);
  const known = Object.keys(kinds.key);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const match = /^--(no-)?([a-z][a-z0-9-]*)(=(.*))?$/s.exec(arg);
    if (match === null || !known.includes(match[2] as string)) {
      out.push(arg);
      continue;
    }
    const [, negated, name, withValue, value] = match as unknown as [string, string | undefined, string, string | undefined, string];
    if (flags.has(name)) {
      if (withValue !== undefined && value !== 'true' && value !== 'false') {
        throw usageError('E_BAD_OPTION', `--${negated ?? ''}${name} is a flag and takes no value; got ${JSON.stringify(value)}`, `give it alone (--${name}), or as --no-${name}`);
      }
      out.push(arg);
      continue;
    }
    // `--name=` gives the empty value, as `--name ''` does: yargs would drop it from an array option.
    if (withValue !== undefined && value === '' && negated === undefined) {
      out.push(`--${name}`, '');
      continue;
    }
    if (withValue !== undefined || negated !== undefined) {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    // A dash followed by a digit or nothing is a value (a negative number, standard input), never an option.
    if (next !== undefined && (next === '-' || /^-\d/.test(next))) {
      out.push(`--${name}=${next}`);
      i++;
      continue;
    }
    if (next === undefined || (next.startsWith('-') && next !== '')) {
      throw usageError('E_BAD_OPTION', `--${name} needs a value`, `give it one, e.g. --${name} VALUE; run with --help for what it takes`);
    }
    out.push(arg);
  }
  checkNpmTookOptions(out, known, env);
  return out;
}

/**
 * `npm run generate --prompts 128..8192` (no `--`) makes npm take --prompts
 * as its own setting (npm_config_prompts=true) and pass only the values on.
 */
function checkNpmTookOptions(args: readonly string[], known: readonly string[], env: NodeJS.ProcessEnv): void {
  if (env.npm_lifecycle_event === undefined) return;
  const taken = known.filter((name) => name !== 'help' && name !== 'version' && env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined && !args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)));
  if (taken.length === 0) return;
  throw usageError(
    'E_USAGE',
    `npm took ${taken.map((n) => `--${n}`).join(', ')} for its own settings: options meant for this command must come after \`--\``,
    `write \`npm run ${env.npm_lifecycle_event} -- ${taken.map((n) => `--${n} ...`).join(' ')}\``,
  );
}

/** The hint for an unknown option: the closest known one, when there is one. */
export function didYouMean(message: string, known: readonly string[]): string | undefined {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (match === null) return undefined;
  const words = (match[1] as string).split(', ').map((w) => w.replace(/^-+/, ''));
  const guesses = words.map((w) => closest(w, known)).filter((g): g is string => g !== undefined);
  return guesses.length === 0 ? undefined : `did you mean ${[...new Set(guesses)].map((g) => `--${g}`).join(', ')}? run with --help for the options`;
}
