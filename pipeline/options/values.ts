import { usageError } from '../core/errors.js';
import { FITTED_METRICS } from '../core/columns.js';
import type { ExtrapolationPolicy, FittedMetric, MethodChoice } from '../types.js';

/** A value as it appears in a message: as given, quoted only when empty or holding spaces. */
export function shown(value: unknown): string {
  const text = String(value);
  return text === '' || /\s/.test(text) ? JSON.stringify(text) : text;
}

export const METHOD_CHOICES: readonly MethodChoice[] = ['linear', 'pchip', 'isotonic', 'loglog', 'decode', 'auto'];
export const EXTRAPOLATE_CHOICES: readonly ExtrapolationPolicy[] = ['auto', 'linear', 'line', 'proportional', 'model', 'clamp', 'error'];

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
 * `--method auto` or `--method prompt_time=pchip`, repeatable: a named metric
 * takes its own entry, the others the plain one, else linear, whatever the
 * order; two different entries for the same metric (or two plain ones) are
 * a contradiction, refused.
 */
export function parseMethods(entries: readonly string[]): Record<FittedMetric, MethodChoice> {
  const methods = perMetric(entries, 'method', METHOD_CHOICES, 'linear', (entry, what) =>
    usageError('E_BAD_METHOD', `--method ${JSON.stringify(entry)}: ${what}`, `expected one of ${METHOD_CHOICES.join(', ')}, alone or as METRIC=METHOD with METRIC one of ${FITTED_METRICS.join(', ')}`),
  );
  // The decode model is token_time's alone: asked of any other metric (a plain --method decode asks it of all), refused before any input is read.
  const other = FITTED_METRICS.find((m) => m !== 'token_time' && methods[m] === 'decode');
  if (other !== undefined) {
    const entry = entries.find((e) => e === 'decode' || e === `${other}=decode`) as string;
    throw usageError('E_BAD_METHOD', `--method ${JSON.stringify(entry)}: decode is the decode model of token_time and fits no other metric${entry === 'decode' ? ` (here it would fit ${other} too)` : ''}`, 'write --method token_time=decode; the other metrics keep their own method (linear unless given)');
  }
  return methods;
}

/** `--extrapolate auto`, `--extrapolate token_time=model`, ...: as --method; `error` only for every metric at once. */
export function parseExtrapolate(entries: readonly string[]): Record<FittedMetric, ExtrapolationPolicy> {
  const bad = (entry: string, what: string) =>
    usageError('E_BAD_OPTION', `--extrapolate ${JSON.stringify(entry)}: ${what}`, `expected one of ${EXTRAPOLATE_CHOICES.join(', ')}, alone or as METRIC=POLICY (not error) with METRIC one of ${FITTED_METRICS.join(', ')}`);
  const out = perMetric(entries, 'policy', EXTRAPOLATE_CHOICES, 'auto', bad);
  const errors = FITTED_METRICS.filter((m) => out[m] === 'error').length;
  if (errors > 0 && errors < FITTED_METRICS.length) throw bad(entries.join(' '), 'error refuses points outside the measured range for every metric or none');
  return out;
}

function perMetric<T extends string>(entries: readonly string[], what: string, choices: readonly T[], fallback: T, bad: (entry: string, what: string) => Error): Record<FittedMetric, T> {
  let plain: { entry: string; value: T } | null = null;
  const named = new Map<FittedMetric, { entry: string; value: T }>();
  for (const entry of entries) {
    const cut = entry.indexOf('=');
    const [left, right] = cut === -1 ? [undefined, entry] : [entry.slice(0, cut), entry.slice(cut + 1)];
    if (!(choices as readonly string[]).includes(right)) throw bad(entry, `${JSON.stringify(right)} is not a ${what}`);
    if (left !== undefined && !(FITTED_METRICS as readonly string[]).includes(left)) throw bad(entry, `${JSON.stringify(left)} is not a fitted metric`);
    const earlier: { entry: string; value: T } | null = left === undefined ? plain : (named.get(left as FittedMetric) ?? null);
    if (earlier !== null && earlier.value !== right) throw bad(entry, `it contradicts ${JSON.stringify(earlier.entry)} given before; give one ${what} ${left === undefined ? 'for every metric' : `for ${left}`}`);
    if (left === undefined) plain = { entry, value: right as T };
    else named.set(left as FittedMetric, { entry, value: right as T });
  }
  const out = {} as Record<FittedMetric, T>;
  for (const metric of FITTED_METRICS) out[metric] = named.get(metric)?.value ?? plain?.value ?? fallback;
  return out;
}

/** --coverage: a probability strictly between 0 and 1, at most six decimals. */
export function coverageOption(value: string | number): number {
  const text = String(value).trim();
  // Up to six decimals: closer to 1, (1 + P) / 2 rounds to 1 in doubles and no interval is defined.
  const n = /^(0?\.\d{1,6}|0|1)$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && n < 1)) throw usageError('E_BAD_OPTION', `--coverage ${shown(value)} is not allowed`, 'expected a probability between 0 and 1 with at most six decimals, e.g. 0.8 or 0.95');
  return n;
}
