import { usageError } from '../core/errors.js';
import { FITTED_METRICS } from '../core/columns.js';
import type { FittedMetric, MethodChoice } from '../types.js';

/** A value as it appears in a message: as given, quoted only when empty or holding spaces. */
export function shown(value: unknown): string {
  const text = String(value);
  return text === '' || /\s/.test(text) ? JSON.stringify(text) : text;
}

export const METHOD_CHOICES: readonly MethodChoice[] = ['linear', 'pchip', 'isotonic', 'loglog', 'auto'];

/** A whole-number option from its text (or a number): usage error naming the option, the value as given and the allowed range. */
export function integerOption(value: string | number, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value).trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError('E_BAD_OPTION', `--${option} ${shown(value)} is not allowed`, `expected a whole number from ${min} to ${max}`);
  }
  return n;
}

/** --max-extrapolation: a factor >= 1. */
export function factorOption(value: string | number, option: string): number {
  const text = String(value).trim();
  const n = /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(Number.isFinite(n) && n >= 1)) {
    throw usageError('E_BAD_OPTION', `--${option} ${shown(value)} is not allowed`, 'expected a factor >= 1, e.g. 4 for "up to four times beyond the measured range"');
  }
  return n;
}

/** An option that takes one of a few words. */
export function choiceOption<T extends string>(value: unknown, option: string, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw usageError('E_BAD_OPTION', `--${option} ${shown(value)} is not allowed`, `expected one of ${choices.join(', ')}`);
}

/** A flag: true or false, nothing else (`--strict=maybe` is refused). */
export function flagOption(value: unknown, option: string): boolean {
  if (typeof value === 'boolean') return value;
  throw usageError('E_BAD_OPTION', `--${option} ${shown(value)} is not allowed`, `--${option} is a flag: give it alone, or as --no-${option}`);
}

/**
 * `--method auto` or `--method prompt_time=pchip`, repeatable: later entries
 * win; unnamed metrics take the plain entry, else linear.
 */
export function parseMethods(entries: readonly string[]): Record<FittedMetric, MethodChoice> {
  const methods: Record<FittedMetric, MethodChoice> = { prompt_time: 'linear', token_time: 'linear', peak_power: 'linear', average_power: 'linear' };
  const bad = (entry: string, what: string) =>
    usageError('E_BAD_METHOD', `--method ${JSON.stringify(entry)}: ${what}`, `expected one of ${METHOD_CHOICES.join(', ')}, alone or as METRIC=METHOD with METRIC one of ${FITTED_METRICS.join(', ')}`);
  for (const entry of entries) {
    const cut = entry.indexOf('=');
    const [left, right] = cut === -1 ? [undefined, entry] : [entry.slice(0, cut), entry.slice(cut + 1)];
    if (!(METHOD_CHOICES as readonly string[]).includes(right)) throw bad(entry, `${JSON.stringify(right)} is not a method`);
    if (left === undefined) {
      for (const metric of FITTED_METRICS) methods[metric] = right as MethodChoice;
    } else if ((FITTED_METRICS as readonly string[]).includes(left)) {
      methods[left as FittedMetric] = right as MethodChoice;
    } else {
      throw bad(entry, `${JSON.stringify(left)} is not a fitted metric`);
    }
  }
  return methods;
}
