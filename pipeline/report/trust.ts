/**
 * The report's trust section: how much of the database is predicted, how far
 * beyond the measurements, how well each region predicts out of sample (the
 * backtests), how wide the calibrated intervals are and how often they hold,
 * and what to measure next. Every number rounded.
 */
import type { MetricTrust, SideTrust } from '../fit/trust.js';
import type { Band } from '../fit/calibration.js';
import type { Grid, PipelineResult } from '../types.js';
import { bestSuggestions, measureNext, offCross, type Bands } from './measure-next.js';
import { round } from './numbers.js';
import type { QualityReport } from './types.js';

const STUDIED = ['prompt_time', 'token_time'] as const;

export function trustSection(result: PipelineResult, grid: Grid): QualityReport['trust'] {
  const sum = (pick: (e: PipelineResult['groups'][number]['emitted']) => number) => result.groups.reduce((s, g) => s + pick(g.emitted), 0);
  const rows = {
    total: result.rows,
    measured: sum((e) => e.bySource.measured),
    interpolated: sum((e) => e.bySource.interpolated),
    extrapolated: sum((e) => e.bySource.extrapolated),
    beyondValidated: sum((e) => e.beyondValidated),
    belowMinimum: sum((e) => e.belowMinimum),
    fallingTail: sum((e) => e.monotonicity.betweenExtrapolated),
    differsFromSplitwise: sum((e) => e.differsFromLinear),
  };
  const far = result.groups
    .flatMap((g) => (g.emitted.maxExtrapolation === null ? [] : [{ group: g.fit.id, ...g.emitted.maxExtrapolation }]))
    .reduce<{ group: string; factor: number; prompt_size: number; batch_size: number } | null>((best, m) => (best === null || m.factor > best.factor ? m : best), null);
  const metrics = STUDIED.flatMap((m) => {
    const t = result.trust.metrics[m];
    return t === undefined ? [] : [{ metric: m, ...metricSection(t) }];
  });
  const bands = studiedBands(result.trust);
  const cross = result.groups.map(offCross).find((c) => c !== null) ?? null;
  return {
    coverage: result.trust.coverage,
    rows,
    largestFactor: far === null ? null : { ...far, factor: round(far.factor) },
    metrics,
    measureNext: nextMeasurements(result, grid, bands).map((s) => ({ ...s, before: round(s.before), after: round(s.after) })),
    offCross: cross === null ? null : { crossPrompt: cross.crossPrompt, points: cross.points },
  };
}

/** What to measure next: from the candidates worked out while the rows were emitted, where they were. */
function nextMeasurements(result: PipelineResult, grid: Grid, bands: Bands) {
  const familyOf = result.trust.metrics.prompt_time?.familyOf ?? {};
  return result.suggestions === undefined ? measureNext(result.groups, grid, bands, familyOf) : bestSuggestions(result.suggestions, familyOf);
}

/** The calibrated bands of the two studied metrics, as the stated uncertainty uses them. */
export function studiedBands(trust: PipelineResult['trust']): Bands {
  return { prompt_time: trust.metrics.prompt_time?.bands ?? null, token_time: trust.metrics.token_time?.bands ?? null };
}

function metricSection(t: MetricTrust) {
  return {
    families: t.representatives.length,
    interior: { meanError: round(t.interiorError), band: band(t.bands.interior), coverage: t.coverage.interior.map(roundCoverage) },
    upper: sideSection(t.upper, t.bands.upper, t.coverage.upper),
    lower: sideSection(t.lower, t.bands.lower, t.coverage.lower),
  };
}

function sideSection(side: SideTrust, b: Band | null, coverage: MetricTrust['coverage']['upper']) {
  const used = side.scores.find((s) => s.tail === side.used);
  return {
    chosen: side.chosen,
    used: side.used,
    meanError: round(used?.error ?? null),
    byK: (used?.byK ?? []).map((v) => round(v)),
    band: band(b),
    coverage: coverage.map(roundCoverage),
    candidates: side.scores.map((s) => ({ tail: s.tail, error: round(s.error), byK: s.byK.map((v) => round(v)), families: s.families })),
  };
}

function band(b: Band | null) {
  return b === null ? null : { gamma: round(b.gamma), q: round(b.q), maxFactor: round(b.maxFactor), residuals: b.residuals };
}

function roundCoverage(c: { nominal: number; achieved: number | null; residuals: number }) {
  return { nominal: c.nominal, achieved: round(c.achieved), residuals: c.residuals };
}
