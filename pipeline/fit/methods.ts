import type { InterpolatorName, MethodName } from '../types.js';
import { linear, loglog, type Interpolator } from './interpolate.js';
import { isotonic } from './isotonic.js';
import { pchip } from './pchip.js';

/** The fit methods, in the order auto breaks ties; `auto` picks one of them per group and metric. */
export const METHODS: readonly InterpolatorName[] = ['linear', 'pchip', 'isotonic', 'loglog'];

/**
 * Knots to interpolator, one signature for all. `weights` (repetitions per
 * knot) matter only to isotonic. Each method's own extrapolation: linear and
 * isotonic continue the outermost segment's line, loglog its power law,
 * pchip its outermost cubic piece (as scipy's extrapolate=True).
 */
export const FACTORIES: Record<InterpolatorName, (xs: readonly number[], ys: readonly number[], weights: readonly number[]) => Interpolator> = {
  linear: (xs, ys) => linear(xs, ys),
  pchip: (xs, ys) => pchip(xs, ys),
  isotonic: (xs, ys, weights) => isotonic(xs, ys, weights),
  loglog: (xs, ys) => loglog(xs, ys),
};

/** Whether a method can fit these knots: loglog needs every y > 0; decode fits token_time only. */
export function applicable(method: MethodName, ys: readonly number[], metric = 'token_time'): boolean {
  if (method === 'decode') return metric === 'token_time';
  return method !== 'loglog' || ys.every((y) => y > 0);
}

/**
 * The interpolator of a method on x. The decode method is keyed on the
 * configuration, not on x: its knots and interior fall back to linear (for
 * the report's knot figures); its values come from the model (see
 * makePredictor).
 */
export function interpolator(method: MethodName, xs: readonly number[], ys: readonly number[], weights: readonly number[]): Interpolator {
  return FACTORIES[method === 'decode' ? 'linear' : method](xs, ys, weights);
}
