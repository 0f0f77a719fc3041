import type { ConfigKeySizes } from '../types.js';

/** `(prompt P, batch B, tokens T)`: how a configuration is named in messages. */
export function describeConfig(s: ConfigKeySizes): string {
  return `(prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size})`;
}

/** A fraction as a percentage with three significant digits: 0.12345 -> "12.3%". */
export function pct(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

/** A word as a POSIX shell reads it back: bare when it is plain, else in single quotes ('\'' for a quote inside). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
