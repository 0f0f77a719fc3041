/**
 * The err columns (--uncertainty): prompt_time_err and token_time_err are the
 * relative half-width of a central interval of nominal coverage P
 * (--coverage): the measured median lies within v · (1 ± err) with
 * probability P. err_basis says where each row's numbers come from:
 *
 *   repetitions    a measured row: the standard error of its median from the
 *                  repetitions' spread, z · sqrt(pi/2) · CV / sqrt(n), with z the
 *                  normal quantile of (1 + P) / 2 (empty for one repetition);
 *   leave-one-out  an interpolated row: calibrated on configuration leave-one-out;
 *   backtest       an extrapolated row within the factor the frontier backtests
 *                  reached: calibrated on them at its factor (fit/calibration.ts);
 *   unvalidated    beyond that factor: no number is given.
 */
import { coefficientOfVariation } from '../core/stats.js';
import { extrapolationFactor } from '../core/extrapolation.js';
import { bandError, type Band } from './calibration.js';
import { xOf, type Predictor } from './predict.js';

export type ErrBasis = 'repetitions' | 'leave-one-out' | 'backtest' | 'unvalidated';

/** What a metric's errors come from: its three bands at the run's coverage. */
export interface MetricBands {
  interior: Band | null;
  upper: Band | null;
  lower: Band | null;
}

/** The relative half-width at a predicted (prompt, batch) point, and whether its factor was validated. */
export function predictedError(bands: MetricBands | null, predictor: Predictor, prompt: number, batch: number): { err: number | null; validated: boolean } {
  const x = xOf(predictor, prompt, batch);
  const [lo, hi] = predictor.range;
  const f = extrapolationFactor(x, predictor.range);
  if (bands === null) return { err: null, validated: f === 1 };
  if (f === 1) return { err: bandError(bands.interior, 1), validated: true };
  const band = x > hi ? bands.upper : x < lo ? bands.lower : null;
  const validated = band !== null && f <= band.maxFactor * (1 + 1e-12);
  return { err: validated ? bandError(band, f) : null, validated };
}

/** A measured median's relative half-width from its repetitions; null for fewer than two. */
export function measuredError(repetitions: readonly number[], coverage: number): number | null {
  const cv = coefficientOfVariation(repetitions);
  if (cv === null) return null;
  return (normalQuantile((1 + coverage) / 2) * Math.sqrt(Math.PI / 2) * cv) / Math.sqrt(repetitions.length);
}

/** An uncertainty as written to the CSV: three significant digits; empty when unknown. */
export function formatError(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : String(Number(value.toPrecision(3)));
}

/**
 * The standard normal quantile, by Acklam's rational approximation
 * (relative error below 1.15e-9 in (0, 1)).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile() needs 0 < p < 1; got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
