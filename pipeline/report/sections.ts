/** One group's section of the quality report, built from its facts and findings: every number rounded. */
import { median } from '../core/stats.js';
import { parseConfigKey } from '../core/keys.js';
import type { MetricFit, MonotonicityViolation, TokenKeyComparison } from '../types.js';
import type { FitFacts, GroupFacts } from './facts.js';
import { statusOf, type Finding } from './findings.js';
import { round, roundText } from './numbers.js';
import { probePredictions } from './probes.js';
import type { GroupReport } from './types.js';

export function groupSection(facts: GroupFacts, findings: Finding[], extras: { duplicates: number; plots: GroupReport['plots'] }): GroupReport {
  const { fit, configurations, emitted, measurements } = facts.result;
  return {
    group: fit.id,
    model: fit.model,
    hardware: fit.hardware,
    tensor_parallel: fit.tensor_parallel,
    status: statusOf(findings),
    inputs: { rowsKept: measurements.length, duplicatesDropped: extras.duplicates },
    repetitions: repetitions(facts),
    outliers: {
      count: facts.outliers.length,
      list: facts.outliers.slice(0, 20).map((o) => ({ ...o, value: round(o.value), median: round(o.median), z: Number.isFinite(o.z) ? round(o.z) : null, relative: round(o.relative) })),
    },
    anomalies: anomalies(facts),
    measured: configurations.map((c) => ({
      prompt_size: c.prompt_size,
      batch_size: c.batch_size,
      token_size: c.token_size,
      count: c.count,
      prompt_time: round(c.metrics.prompt_time?.median ?? null),
      token_time: round(c.metrics.token_time?.median ?? null),
      e2e_time: round(c.metrics.e2e_time?.median ?? null),
    })),
    fitQuality: { prompt_time: fitQuality(facts.fitQuality.prompt_time ?? null), token_time: fitQuality(facts.fitQuality.token_time ?? null) },
    tokenKeys: tokenKeys(facts.result.tokenKeys),
    excluded: fit.excluded.map(roundRule),
    broken: facts.result.broken.map((k) => {
      const [prompt_size, batch_size, token_size] = parseConfigKey(k);
      return { prompt_size, batch_size, token_size };
    }),
    models: { prompt_time: modelOf(fit.fits.prompt_time), token_time: modelOf(fit.fits.token_time) },
    tails: { prompt_time: tailsOf(fit.fits.prompt_time), token_time: tailsOf(fit.fits.token_time) },
    predictions: probePredictions(fit, Math.min(...configurations.map((c) => c.token_size))),
    coverage: {
      batchTokensRange: fit.range,
      rows: emitted.rows,
      bySource: emitted.bySource,
      maxExtrapolation: emitted.maxExtrapolation === null ? null : { ...emitted.maxExtrapolation, factor: round(emitted.maxExtrapolation.factor) },
      skippedBeyondMax: emitted.skippedBeyondMax,
    },
    emittedChecks: emittedChecks(facts),
    plots: extras.plots,
    findings,
  };
}

function repetitions({ result, spread }: GroupFacts): GroupReport['repetitions'] {
  const counts = result.configurations.map((c) => c.count);
  const rounded = (s: GroupFacts['spread']['prompt_time']) => ({
    medianCv: round(s.medianCv),
    maxCv: round(s.maxCv),
    maxRatio: round(s.maxRatio),
    worst: s.worst.map((w) => ({ ...w, cv: round(w.cv), ratio: round(w.ratio) })),
  });
  return {
    configurations: result.configurations.length,
    perConfiguration: { min: Math.min(...counts), median: median(counts), max: Math.max(...counts) },
    spread: { prompt_time: rounded(spread.prompt_time), token_time: rounded(spread.token_time) },
  };
}

function anomalies({ result, e2e, copies, power }: GroupFacts): GroupReport['anomalies'] {
  const m = result.measuredMonotonicity;
  return {
    monotonicity: { count: m.count, list: m.first.map(roundViolation) },
    e2e: {
      checked: e2e.checked,
      inconsistent: e2e.inconsistent.length,
      worst: e2e.inconsistent.slice(0, 5).map((e) => ({ ...e, measured: round(e.measured), expected: round(e.expected), relative: round(e.relative) })),
    },
    copies: copies.map((c) => ({ metric: c.metric, of: c.of, factor: round(c.factor) })),
    power: { peak_power: power.peak_power.state, average_power: power.average_power.state },
  };
}

function fitQuality(q: FitFacts | null): GroupReport['fitQuality']['prompt_time'] {
  if (q === null) return null;
  const f = q.fit;
  return {
    method: f.method,
    key: f.key,
    knots: f.knots.x.length,
    mape: round(q.mape),
    maxApe: round(q.maxApe),
    worstX: q.worstX,
    candidates: f.candidates === null ? null : f.candidates.map((c) => ({ ...c, mape: round(c.mape), maxApe: round(c.maxApe) })),
  };
}

/** Each key's row names the method's score after linear's (one field when the method is linear). */
function tokenKeys(t: TokenKeyComparison | null): GroupReport['tokenKeys'] {
  if (t === null) return null;
  return { method: t.method, byKey: t.byKey.map((k) => ({ key: k.key, knots: k.knots, linear: round(k.linear), [t.method]: round(k.method) })) };
}

function emittedChecks({ result }: GroupFacts): GroupReport['emittedChecks'] {
  const { emitted } = result;
  const clamp = (c: (typeof emitted.clamped)['prompt_time']) => ({
    points: c.points,
    rows: c.rows,
    first: c.first === null ? null : { ...c.first, linear: round(c.first.linear), clampedTo: round(c.first.clampedTo) },
  });
  return {
    monotonicity: { count: emitted.monotonicity.count, betweenExtrapolated: emitted.monotonicity.betweenExtrapolated, first: emitted.monotonicity.first.slice(0, 5).map(roundViolation) },
    belowMinimum: emitted.belowMinimum,
    beyondValidated: emitted.beyondValidated,
    differsFromSplitwise: emitted.differsFromLinear,
    replaced: emitted.replaced.map(roundRule),
    clamped: { prompt_time: clamp(emitted.clamped.prompt_time), token_time: clamp(emitted.clamped.token_time), peak_power: clamp(emitted.clamped.peak_power), average_power: clamp(emitted.clamped.average_power) },
  };
}

function modelOf(f: MetricFit | null): GroupReport['models']['prompt_time'] {
  return f === null || f.model === null ? null : { kind: f.model.kind, coef: f.model.coef.map((c) => round(c)) };
}

function tailsOf(f: MetricFit | null): GroupReport['tails']['prompt_time'] {
  return f === null || f.tails === null ? null : { upper: f.tails.upper.kind, lower: f.tails.lower.kind };
}

function roundViolation(v: MonotonicityViolation) {
  return { metric: v.metric, along: v.along, from: { ...v.from, value: round(v.from.value) }, to: { ...v.to, value: round(v.to.value) }, drop: round(v.drop) };
}

/** A configuration and its rule, the rule's numbers rounded. */
function roundRule<T extends { rule: string }>(e: T): T {
  return { ...e, rule: roundText(e.rule) };
}
