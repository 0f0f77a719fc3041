import { usageError } from '../core/errors.js';
import { MAX_LIST, MAX_SIZE } from '../core/limits.js';

/**
 * Parses a size list: comma-separated items, each a whole number `N`, an
 * inclusive range `A..B` (stepping by `step`), or a range with its own step
 * `A..B:S`. Returns the values sorted ascending without repeats.
 */
export function parseSizeList(text: string, option: string, step = 1): number[] {
  const accepted = `expected whole numbers from 1 to ${MAX_SIZE} as a list (128,300,512), an inclusive range (128..8192, stepped by --step for --prompts) or a range with its own step (1..64:4)`;
  const fail = (what: string) => usageError('E_BAD_RANGE', `--${option} ${JSON.stringify(text)}: ${what}`, accepted);
  if (text.trim() === '') throw fail('is empty');
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^\s*(\S+?)(?:\.\.(\S+?))?(?::(\S+))?\s*$/.exec(item);
    if (match === null) throw fail(`${JSON.stringify(item)} is not a number or range`);
    const [, a, b, s] = match;
    const start = wholeNumber(a as string, fail);
    if (b === undefined) {
      if (s !== undefined) throw fail(`${JSON.stringify(item)} has a step but no range`);
      values.add(start);
      continue;
    }
    const end = wholeNumber(b, fail);
    const by = s === undefined ? step : wholeNumber(s, fail);
    if (end < start) throw fail(`the range ${start}..${end} runs backwards`);
    if (!Number.isInteger(by) || by < 1) throw fail(`the step ${by} must be a whole number >= 1`);
    if (Math.floor((end - start) / by) + 1 + values.size > MAX_LIST) throw fail(`it holds more than ${MAX_LIST.toLocaleString('en-US')} values`);
    for (let v = start; v <= end; v += by) values.add(v);
  }
  return [...values].sort((x, y) => x - y);
}

/** Whether a size list holds a range stepped by --step (`A..B` without its own `:S`). */
export function usesStep(text: string): boolean {
  return text.split(',').some((item) => /\.\./.test(item) && !/:/.test(item));
}

function wholeNumber(text: string, fail: (what: string) => Error): number {
  if (!/^\d+$/.test(text)) throw fail(`${JSON.stringify(text)} is not a whole number`);
  const n = Number(text);
  if (n < 1 || n > MAX_SIZE) throw fail(`${n} is outside 1..${MAX_SIZE}`);
  return n;
}
