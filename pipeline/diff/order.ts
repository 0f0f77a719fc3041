/** Orders and small formatters shared by the diff's comparison, rules and Markdown. */
import { configKey } from '../core/keys.js';
import type { Finding } from '../report/findings.js';
import type { Severity } from '../report/types.js';
import type { NumberChange, PredictionChange, Sizes } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, quirk: 1, warn: 2, fail: 3 };

export function numberChange(base: number | null, head: number | null): NumberChange {
  if (base === null || head === null) return { base, head, relative: null };
  if (base === 0) return { base, head, relative: head === 0 ? 0 : Infinity };
  return { base, head, relative: (head - base) / Math.abs(base) };
}

// ---------------------------------------------------------------- text

/** `6 -> 5 (-1)` */
export function countChange(b: number, h: number): string {
  return `${b} -> ${h} (${h >= b ? '+' : ''}${h - b})`;
}

/** Text inside backticks: a backtick would end the code span. */
export function code(text: string): string {
  return text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
}

// ---------------------------------------------------------------- ordering

/** Code-point order: the same on every machine, unlike localeCompare. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Largest change first; a value that appeared, disappeared or left 0 counts as the largest. */
export function byMagnitude(x: NumberChange, y: NumberChange): number {
  const size = (c: NumberChange) => (c.relative === null ? Infinity : Math.abs(c.relative));
  const d = size(y) - size(x);
  return Number.isNaN(d) ? 0 : d;
}

export function bySizes(x: Sizes, y: Sizes): number {
  return x.prompt_size - y.prompt_size || x.batch_size - y.batch_size || x.token_size - y.token_size;
}

export function byFinding(x: Finding, y: Finding): number {
  return byText(x.group, y.group) || SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] || byText(x.code, y.code) || byText(x.message, y.message);
}

export function byPrediction(x: PredictionChange, y: PredictionChange): number {
  return byText(x.metric, y.metric) || x.prompt_size - y.prompt_size || x.batch_size - y.batch_size;
}

export function sizeKey(s: Sizes): string {
  return configKey(s.prompt_size, s.batch_size, s.token_size);
}

/** A probe point's key: predictions are matched by (prompt_size, batch_size). */
export function pointKey(p: { prompt_size: number; batch_size: number }): string {
  return `${p.prompt_size},${p.batch_size}`;
}

export function sizesOf(s: Sizes): Sizes {
  return { prompt_size: s.prompt_size, batch_size: s.batch_size, token_size: s.token_size };
}
