/**
 * The run-wide verdict of the backtests, pooled over families: which tail
 * each metric gets on each side, and how wide its calibrated intervals are.
 *
 * Tail choice (auto): for each candidate, the mean relative error over every
 * frontier backtest point (k = 1, 2, 3) of each family's representative
 * group, then the mean over families; the lowest wins, ties going to the
 * earlier of line, proportional, model, clamp. The method's own extrapolation
 * (`own`, SplitwiseSim's line) is scored too but never chosen: it can fall.
 * Without any frontier point: line above the range, clamp below.
 */
import type { ExtrapolationPolicy, FittedMetric } from '../types.js';
import type { Residual } from './backtests.js';
import { calibrate, leaveFamilyOut, type Band, type CalibrationPoint, type Coverage } from './calibration.js';
import { TAIL_KINDS, type Side, type TailKind } from './tails.js';

export interface TailScore {
  tail: TailKind | 'own';
  /** Mean over families of the mean relative error; null without evidence. */
  error: number | null;
  /** Per k: the same over the points with that many knots held out. */
  byK: (number | null)[];
  families: number;
}

export interface SideTrust {
  scores: TailScore[];
  /** The candidate the backtests choose. */
  chosen: TailKind;
  /** The tail the database uses (the choice, or what --extrapolate asks for). */
  used: TailKind | 'own';
}

export interface MetricTrust {
  /** The groups that stand for their family (one each), and each group's representative. */
  representatives: string[];
  familyOf: Record<string, string>;
  /** Configuration leave-one-out: mean over families of the mean relative error. */
  interiorError: number | null;
  upper: SideTrust;
  lower: SideTrust;
  /** Interval widths at the run's coverage. */
  bands: { interior: Band | null; upper: Band | null; lower: Band | null };
  /** Leave-one-family-out coverage of nominal 0.8 and 0.95 intervals. */
  coverage: { interior: Coverage[]; upper: Coverage[]; lower: Coverage[] };
}

export interface Trust {
  /** --coverage: the nominal coverage of the err columns. */
  coverage: number;
  metrics: Partial<Record<FittedMetric, MetricTrust>>;
}

/** One group's residuals of one metric, with its family's representative. */
export interface Evidence {
  group: string;
  family: string;
  residuals: readonly Residual[];
}

export const CHECKED_COVERAGES = [0.8, 0.95] as const;

/** The verdict for one metric from every group's evidence; representatives only (one group per family). */
export function metricTrust(evidence: readonly Evidence[], policy: ExtrapolationPolicy, coverage: number): MetricTrust {
  const reps = evidence.filter((e) => e.group === e.family);
  const upper = side(reps, 'upper', policy);
  const lower = side(reps, 'lower', policy);
  const points = {
    interior: calibrationPoints(reps, (r) => r.kind === 'interior'),
    upper: calibrationPoints(reps, (r) => r.kind === 'upper' && r.tail === upper.used),
    lower: calibrationPoints(reps, (r) => r.kind === 'lower' && r.tail === lower.used),
  };
  const interior = reps.flatMap((e) => {
    const errors = e.residuals.filter((r) => r.kind === 'interior').map(relativeError);
    return errors.length === 0 ? [] : [errors.reduce((a, v) => a + v, 0) / errors.length];
  });
  return {
    representatives: reps.map((e) => e.group),
    familyOf: Object.fromEntries(evidence.map((e) => [e.group, e.family])),
    interiorError: interior.length === 0 ? null : interior.reduce((a, v) => a + v, 0) / interior.length,
    upper,
    lower,
    bands: { interior: calibrate(points.interior, coverage), upper: calibrate(points.upper, coverage), lower: calibrate(points.lower, coverage) },
    coverage: {
      interior: CHECKED_COVERAGES.map((p) => leaveFamilyOut(points.interior, p)),
      upper: CHECKED_COVERAGES.map((p) => leaveFamilyOut(points.upper, p)),
      lower: CHECKED_COVERAGES.map((p) => leaveFamilyOut(points.lower, p)),
    },
  };
}

function side(reps: readonly Evidence[], which: Side, policy: ExtrapolationPolicy): SideTrust {
  const scores = (['own', ...TAIL_KINDS] as const).map((tail) => score(reps, which, tail));
  const candidates = scores.filter((s): s is TailScore & { tail: TailKind; error: number } => s.tail !== 'own' && s.error !== null);
  const best = candidates.reduce<(typeof candidates)[number] | null>((b, s) => (b === null || s.error < b.error ? s : b), null);
  const chosen: TailKind = best?.tail ?? (which === 'upper' ? 'line' : 'clamp');
  return { scores, chosen, used: usedTail(policy, chosen) };
}

/** What --extrapolate makes of the backtests' choice. */
export function usedTail(policy: ExtrapolationPolicy, chosen: TailKind): TailKind | 'own' {
  return policy === 'auto' ? chosen : policy === 'linear' || policy === 'error' ? 'own' : policy;
}

function score(reps: readonly Evidence[], which: Side, tail: TailKind | 'own'): TailScore {
  const perFamily = (k: number | null) =>
    reps.flatMap((e) => {
      const errors = e.residuals.filter((r) => r.kind === which && r.tail === tail && (k === null || r.k === k)).map(relativeError);
      return errors.length === 0 ? [] : [errors.reduce((s, v) => s + v, 0) / errors.length];
    });
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);
  const all = perFamily(null);
  return { tail, error: mean(all), byK: [1, 2, 3].map((k) => mean(perFamily(k))), families: all.length };
}

export function relativeError(r: Residual): number {
  return Math.abs(r.predicted - r.measured) / r.measured;
}

function calibrationPoints(reps: readonly Evidence[], keep: (r: Residual) => boolean): CalibrationPoint[] {
  return reps.flatMap((e) => e.residuals.filter(keep).map((r) => ({ family: e.family, f: r.f, error: Math.abs(r.measured / r.predicted - 1) })));
}

/** The largest factor beyond the range the backtests reached on each side, for both studied metrics (null: none). */
export function validatedFactors(trust: Trust): { upper: number | null; lower: number | null } {
  const side = (which: 'upper' | 'lower') => {
    const factors = (['prompt_time', 'token_time'] as const).map((m) => trust.metrics[m]?.bands[which]?.maxFactor ?? null);
    return factors.some((f) => f === null) ? null : Math.min(...(factors as number[]));
  };
  return { upper: side('upper'), lower: side('lower') };
}
