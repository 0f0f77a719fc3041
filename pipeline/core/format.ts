import type { ConfigKeySizes } from '../types.js';

/** `(prompt P, batch B, tokens T)`: how a configuration is named in messages. */
export function describeConfig(s: ConfigKeySizes): string {
  return `(prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size})`;
}

/** A fraction as a percentage with three significant digits: 0.12345 -> "12.3%". */
export function pct(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
