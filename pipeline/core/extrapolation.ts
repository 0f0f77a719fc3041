import { PerfDbError } from './errors.js';
import type { ExtrapolationPolicy } from '../types.js';
import type { MaxExtrapolation } from '../options/types.js';

/**
 * How many times beyond the measured range [lo, hi] x lies: x / hi above it,
 * lo / x below it, 1 inside. Emit, the report and lookups all measure
 * extrapolation with this one function.
 */
export function extrapolationFactor(x: number, [lo, hi]: readonly [number, number]): number {
  return x > hi ? x / hi : x < lo ? lo / x : 1;
}

/** Whether x lies beyond `factor` times the measured range (the --max-extrapolation skip test). */
export function beyondFactor(x: number, [lo, hi]: readonly [number, number], factor: number): boolean {
  return x > hi * factor || x * factor < lo;
}

/** Whether --extrapolate error is in force (for every metric, or none). */
export function refusesExtrapolation(extrapolate: Readonly<Record<string, ExtrapolationPolicy>>): boolean {
  return Object.values(extrapolate).includes('error');
}

export interface ReachPoint {
  prompt: number;
  batch: number;
  /** What the point is, for the message: 'grid point', 'the query', ... */
  what: string;
  /** A lookup in a written database: the hints say how to regenerate it, not how to change the grid. */
  lookup?: boolean;
}

const HINTS = {
  outside: { grid: 'narrow --prompts/--batches to the measured range, or choose --extrapolate linear or clamp', lookup: 'ask within the measured range, or regenerate the database with --extrapolate linear or clamp' },
  far: { grid: 'narrow the grid, raise --max-extrapolation, or pass --max-extrapolation-action skip to leave such rows out', lookup: 'ask closer to the measured range, or regenerate the database with a larger --max-extrapolation' },
} as const;

/**
 * The extrapolation gate: refuses a point outside the measured batch_tokens
 * range under --extrapolate error (`refuse`), and one beyond --max-extrapolation with
 * the error action (`checkFar` false skips that part, for points that are
 * never skipped). Shared by emit and lookups, so both refuse the same points
 * with the same words.
 */
export function checkReach(
  point: ReachPoint,
  range: readonly [number, number],
  refuse: boolean,
  max: MaxExtrapolation | null,
  group: string,
  checkFar = true,
): void {
  const bt = point.prompt * point.batch;
  const factor = extrapolationFactor(bt, range);
  const [lo, hi] = range;
  const at = `${point.what} (prompt ${point.prompt}, batch ${point.batch}) has batch_tokens ${bt}`;
  const audience = point.lookup === true ? 'lookup' : 'grid';
  if (refuse && factor > 1) {
    throw new PerfDbError('E_EXTRAPOLATION', `${at}, outside the measured range ${lo}..${hi}, and --extrapolate is error`, {
      group,
      hint: HINTS.outside[audience],
    });
  }
  if (checkFar && max !== null && max.action === 'error' && factor > max.factor) {
    throw new PerfDbError('E_TOO_FAR', `${at}, ${factor.toPrecision(3)} times beyond the measured range ${lo}..${hi}; --max-extrapolation is ${max.factor}`, {
      group,
      hint: HINTS.far[audience],
    });
  }
}
