import {
  E2E_TOLERANCE,
  OUTLIER_MIN_RELATIVE,
  OUTLIER_Z,
  e2eConsistency,
  findCopies,
  findOutliers,
  powerRecording,
  repetitionSpread,
  type SeriesCopy,
} from '../checks/measured.js';
import { resolveGrid } from '../emit/grid.js';
import { leaveOneOut } from '../fit/loo.js';
import { makePredictors, predictedValue, xOf } from '../fit/predict.js';
import { median } from '../core/stats.js';
import { knotsFor } from '../fit/knots.js';
import { FACTORIES } from '../fit/methods.js';
import type { ClampSummary, ConfigKeySizes, ExtrapolationPolicy, FitKey, FittedMetric, Grid, GroupResult, MonotonicityViolation, PipelineResult, Source } from '../types.js';

export const SCHEMA_VERSION = 1;
/** Numbers in the report are rounded to this many significant digits. */
export const SIGNIFICANT_DIGITS = 6;

/** Every threshold a finding depends on, echoed into the report. */
export const THRESHOLDS = {
  outlierZ: OUTLIER_Z,
  outlierMinRelative: OUTLIER_MIN_RELATIVE,
  e2eTolerance: E2E_TOLERANCE,
  /** A measured median that falls by less than this as a size grows is noise (info). */
  monotoneWarnDrop: 0.02,
  /** ... by this much or more, a broken measurement (fail). */
  monotoneFailDrop: 0.2,
  /** Coefficient of variation above which a configuration's repetitions disagree (warn). */
  spreadWarnCv: 0.05,
  /** Leave-one-out: warn when the mean error or the worst error exceeds these. */
  looWarnMape: 0.1,
  looWarnMaxApe: 0.25,
  /** Extrapolating further than this factor beyond the measured range (warn). */
  extrapolationWarnFactor: 8,
} as const;

/** The metrics the report studies in depth and plots. */
export const STUDIED: readonly FittedMetric[] = ['prompt_time', 'token_time'];

export type Severity = 'info' | 'warn' | 'fail';
export type Status = 'ok' | 'warn' | 'fail';

export interface Finding {
  severity: Severity;
  code: string;
  group: string;
  message: string;
}

export interface ReportContext {
  /** The command that reproduces the outputs. */
  command: string;
  grid: Grid;
  gridText: { prompts: string; batches: string; tokens: string };
  output: string;
  /** Plot file per group id and metric, relative to the report, when plots are drawn. */
  plots: Map<string, Partial<Record<FittedMetric, string>>>;
  /** How the fits were made, echoed into the report. */
  method: { methods: Record<FittedMetric, string>; tokenKey: FitKey; extrapolate: ExtrapolationPolicy; maxExtrapolation: number | null; excludeAnomalies: boolean; uncertainty: boolean };
}

interface Sized extends ConfigKeySizes {
  value: number;
}

/** Rounds to SIGNIFICANT_DIGITS so that reruns never differ in the last bits. */
export function round(value: number): number;
export function round(value: number | null): number | null;
export function round(value: number | null): number | null {
  if (value === null || !Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(SIGNIFICANT_DIGITS));
}

/** A fraction as a percentage with three significant digits, for messages. */
const pct = (fraction: number) => `${Number((fraction * 100).toPrecision(3))}%`;
const at = (s: ConfigKeySizes) => `(prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size})`;

/** The quality report as a plain, deterministic object (serialised to quality-report.json). */
export function buildReport(result: PipelineResult, context: ReportContext) {
  const copies = findCopies(
    result.groups.map((g) => ({ id: g.fit.id, configurations: g.configurations })),
    ['prompt_time', 'token_time', 'e2e_time', 'peak_power', 'average_power'],
  );
  const groups = result.groups.map((g) => groupReport(g, result.duplicatesByGroup.get(g.fit.id) ?? 0, copies, context));
  const rejectedByCode: Record<string, number> = {};
  for (const r of result.ingest.rejected) rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;
  const bySource: Record<Source, number> = { measured: 0, interpolated: 0, extrapolated: 0 };
  for (const g of result.groups) for (const k of Object.keys(bySource) as Source[]) bySource[k] += g.emitted.bySource[k];
  // Groups whose every row was rejected are not in the database: say so at the top.
  const rejectedGroups = rejectedOnly(result);
  const findings = [
    ...rejectedGroups.map((r): Finding => ({ severity: 'fail', code: 'GROUP_ALL_REJECTED', group: r.group, message: `every one of its ${r.rows} rows was rejected; the group is not in the database` })),
    ...groups.flatMap((g) => g.findings),
  ];
  const looMean = Object.fromEntries(
    STUDIED.map((metric) => {
      const mapes = groups.flatMap((g) => {
        const mape = g.fitQuality[metric]?.mape;
        return mape === null || mape === undefined ? [] : [mape];
      });
      return [metric, mapes.length === 0 ? null : round(mapes.reduce((s, v) => s + v, 0) / mapes.length)];
    }),
  ) as Record<string, number | null>;
  return {
    schemaVersion: SCHEMA_VERSION,
    significantDigits: SIGNIFICANT_DIGITS,
    command: context.command,
    grid: context.gridText,
    method: context.method,
    thresholds: THRESHOLDS,
    inputs: {
      files: result.ingest.files.map((f) => ({
        file: f.file,
        sha256: f.sha256,
        bytes: f.bytes,
        rowsRead: f.rowsRead,
        rowsRejected: f.rowsRejected,
        unknownColumns: f.unknownColumns,
        missingOptionalColumns: f.missingOptionalColumns,
      })),
      rowsRead: result.ingest.files.reduce((s, f) => s + f.rowsRead, 0),
      rowsRejected: result.ingest.rejected.length,
      rejectedByCode,
      rejected: result.ingest.rejected.slice(0, 20).map((r) => ({ file: r.file, line: r.line, code: r.code, reason: r.reason })),
      rejectedGroups,
      duplicatesDropped: result.duplicates,
      rowsKept: result.rowsKept,
    },
    output: { file: context.output, rows: result.rows, bySource },
    summary: {
      status: worst([...groups.map((g) => g.status), ...(rejectedGroups.length > 0 ? (['fail'] as Status[]) : [])]),
      groups: groups.map((g) => ({
        group: g.group,
        status: g.status,
        fail: count(g.findings, 'fail'),
        warn: count(g.findings, 'warn'),
        info: count(g.findings, 'info'),
      })),
      looMape: looMean,
      topFindings: topFindings(findings),
    },
    groups,
  };
}

export type QualityReport = ReturnType<typeof buildReport>;

/** Groups seen only in rejected rows, with how many rows each lost. */
function rejectedOnly(result: PipelineResult): { group: string; rows: number }[] {
  const kept = new Set(result.groups.map((g) => g.fit.id));
  const counts = new Map<string, number>();
  for (const r of result.ingest.rejected) {
    if (r.group !== null && !kept.has(r.group)) counts.set(r.group, (counts.get(r.group) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([group, rows]) => ({ group, rows }));
}
export type GroupReport = QualityReport['groups'][number];

function groupReport(g: GroupResult, duplicates: number, copies: readonly SeriesCopy[], context: ReportContext) {
  const { fit, configurations, emitted, measuredMonotonicity } = g;
  const id = fit.id;
  const findings: Finding[] = [];
  const add = (severity: Severity, code: string, message: string) => findings.push({ severity, code, group: id, message });

  // Repetitions and their spread.
  const counts = configurations.map((c) => c.count);
  const spread = Object.fromEntries(
    STUDIED.map((metric) => {
      const s = repetitionSpread(configurations, metric);
      return [metric, { medianCv: round(s.medianCv), maxCv: round(s.maxCv), maxRatio: round(s.maxRatio), worst: s.worst.map((w) => ({ ...w, cv: round(w.cv), ratio: round(w.ratio) })) }];
    }),
  ) as Record<'prompt_time' | 'token_time', { medianCv: number | null; maxCv: number | null; maxRatio: number | null; worst: (ConfigKeySizes & { cv: number; ratio: number | null })[] }>;
  for (const metric of STUDIED) {
    const s = spread[metric as 'prompt_time'];
    const w = s.worst[0];
    if (s.maxCv !== null && s.maxCv > THRESHOLDS.spreadWarnCv && w !== undefined) {
      add('warn', 'HIGH_SPREAD', `${metric} repetitions disagree: coefficient of variation ${pct(w.cv)} at ${at(w)} (max/min ${w.ratio})`);
    }
  }

  // Outliers among repetitions.
  const outliers = STUDIED.flatMap((metric) => findOutliers(configurations, metric));
  if (outliers.length > 0) {
    const o = [...outliers].sort((a, b) => b.relative - a.relative)[0] as (typeof outliers)[number];
    add('info', 'OUTLIERS', `${outliers.length} repetitions lie far from their configuration's median; the largest: ${o.metric} ${round(o.value)} vs median ${round(o.median)} (${pct(o.relative)}) at ${at(o)}`);
  }

  // Measured anomalies.
  for (const v of measuredMonotonicity.first) {
    // A measured e2e_time that stops growing with token_size is generation ending early (see E2E_INCONSISTENT),
    // not a broken timing: at most a warning.
    const e2e = v.metric === 'e2e_time';
    const size: Severity = v.drop >= THRESHOLDS.monotoneFailDrop ? 'fail' : v.drop >= THRESHOLDS.monotoneWarnDrop ? 'warn' : 'info';
    const severity: Severity = e2e && size === 'fail' ? 'warn' : size;
    const why = e2e && size !== 'info' ? '; generation probably ended before token_size tokens' : size === 'fail' ? '; a drop this large points to a broken measurement' : '';
    add(severity, 'MEASURED_NOT_MONOTONE', `measured ${v.metric} falls by ${pct(v.drop)} as ${v.along} grows: ${round(v.from.value)} ms at ${at(v.from)} -> ${round(v.to.value)} ms at ${at(v.to)}${why}`);
  }
  const e2e = e2eConsistency(configurations);
  const e2eWorst = e2e.inconsistent[0];
  if (e2eWorst !== undefined) {
    add('warn', 'E2E_INCONSISTENT', `${e2e.inconsistent.length} of ${e2e.checked} configurations have e2e_time off prompt_time + (token_size - 1) * token_time by more than ${pct(THRESHOLDS.e2eTolerance)}; worst ${pct(e2eWorst.relative)} at ${at(e2eWorst)} (measured ${round(e2eWorst.measured)} ms, expected ${round(e2eWorst.expected)} ms): generation probably stopped before token_size tokens`);
  }
  const ownCopies = copies.filter((c) => c.group === id);
  for (const c of ownCopies) {
    add('warn', 'SERIES_COPY', c.factor === 1 ? `${c.metric} medians are an exact copy of ${c.of}'s: not an independent measurement` : `${c.metric} medians are exactly ${round(c.factor)} x ${c.of}'s, every one of them: one series was derived from the other, not measured independently`);
  }
  const power = {
    peak_power: powerRecording(configurations, 'peak_power'),
    average_power: powerRecording(configurations, 'average_power'),
  };
  for (const [metric, p] of Object.entries(power)) {
    if (p.state === 'not recorded') add('info', 'POWER_NOT_RECORDED', `${metric} is 0 in every configuration: not recorded; predicted ${metric} is 0 too`);
    if (p.state === 'partly recorded') add('warn', 'POWER_PARTLY_RECORDED', `${metric} is 0 (not recorded) in ${p.zero} of ${p.total} configurations; those zeros are pulled into the fitted medians`);
  }

  // Fit quality: leave-one-out over the interior knots, for the method used and, with auto, every candidate.
  const fitQuality = Object.fromEntries(
    STUDIED.map((metric) => {
      const f = fit.fits[metric];
      if (f === null) return [metric, null];
      const worstAt = f.loo.ape.length === 0 ? -1 : f.loo.ape.indexOf(Math.max(...f.loo.ape));
      const mape = f.loo.ape.length === 0 ? null : f.loo.ape.reduce((s, v) => s + v, 0) / f.loo.ape.length;
      return [
        metric,
        {
          method: f.method,
          key: f.key,
          knots: f.knots.x.length,
          mape: round(mape),
          maxApe: worstAt < 0 ? null : round(f.loo.ape[worstAt] as number),
          worstX: worstAt < 0 ? null : (f.loo.x[worstAt] as number),
          candidates: f.candidates === null ? null : f.candidates.map((c) => ({ ...c, mape: round(c.mape), maxApe: round(c.maxApe) })),
        },
      ];
    }),
  ) as Record<string, { method: string; key: FitKey; knots: number; mape: number | null; maxApe: number | null; worstX: number | null; candidates: { method: string; applicable: boolean; mape: number | null; maxApe: number | null; monotone: boolean | null }[] | null } | null>;
  for (const metric of STUDIED) {
    const q = fitQuality[metric];
    if (q === null || q === undefined || q.mape === null) continue;
    const bad = q.mape > THRESHOLDS.looWarnMape || (q.maxApe ?? 0) > THRESHOLDS.looWarnMaxApe;
    add(bad ? 'warn' : 'info', 'FIT_ERROR', `${metric}: leaving each interior knot out, the ${q.method} fit misses it by ${pct(q.mape)} on average, at worst ${pct(q.maxApe ?? 0)} (${q.key} ${q.worstX})`);
  }
  const tokenKeys = tokenKeyComparison(g);
  for (const e of fit.excluded) add('info', 'EXCLUDED_FROM_FIT', `${at(e)} is left out of the fit: ${e.rule}`);

  // Emitted rows.
  if (emitted.monotonicity.count > 0) {
    const v = emitted.monotonicity.first[0] as MonotonicityViolation;
    add('warn', 'EMITTED_NOT_MONOTONE', `${emitted.monotonicity.count} emitted rows fall below a row with a smaller size; first: ${v.metric} ${round(v.from.value)} at ${at(v.from)} -> ${round(v.to.value)} at ${at(v.to)}`);
  }
  for (const [metric, clamp] of Object.entries(emitted.clamped) as [FittedMetric, ClampSummary][]) {
    if (clamp.first === null) continue;
    add('warn', 'EXTRAPOLATION_CLAMPED', `${metric}: linear extrapolation gives an impossible value at ${clamp.points} (prompt, batch) points (${clamp.rows} rows), e.g. ${round(clamp.first.linear)} at prompt ${clamp.first.prompt_size} x batch ${clamp.first.batch_size}; those rows take the value at the nearest measured end, ${round(clamp.first.clampedTo)}`);
  }
  for (const r of emitted.replaced) add('info', 'ANOMALY_REPLACED', `the row at ${at(r)} is a prediction, not the measured median: ${r.rule}`);
  if (emitted.skippedBeyondMax > 0) add('info', 'SKIPPED_BEYOND_MAX', `${emitted.skippedBeyondMax} grid rows lie beyond --max-extrapolation and were not emitted`);
  const far = emitted.maxExtrapolation;
  if (far !== null) {
    add(far.factor > THRESHOLDS.extrapolationWarnFactor ? 'warn' : 'info', 'EXTRAPOLATION', `${emitted.bySource.extrapolated} rows are extrapolated, up to ${round(far.factor)}x beyond the measured batch_tokens range (prompt ${far.prompt_size} x batch ${far.batch_size})`);
  }

  const status = worst(findings.map((f): Status => (f.severity === 'info' ? 'ok' : f.severity)));
  return {
    group: id,
    model: fit.model,
    hardware: fit.hardware,
    tensor_parallel: fit.tensor_parallel,
    status,
    inputs: { rowsKept: g.measurements.length, duplicatesDropped: duplicates },
    repetitions: {
      configurations: configurations.length,
      perConfiguration: { min: Math.min(...counts), median: median(counts), max: Math.max(...counts) },
      spread,
    },
    outliers: {
      count: outliers.length,
      list: outliers.slice(0, 20).map((o) => ({ ...o, value: round(o.value), median: round(o.median), z: Number.isFinite(o.z) ? round(o.z) : null, relative: round(o.relative) })),
    },
    anomalies: {
      monotonicity: { count: measuredMonotonicity.count, list: measuredMonotonicity.first.map(roundViolation) },
      e2e: {
        checked: e2e.checked,
        inconsistent: e2e.inconsistent.length,
        worst: e2e.inconsistent.slice(0, 5).map((e) => ({ ...e, measured: round(e.measured), expected: round(e.expected), relative: round(e.relative) })),
      },
      copies: ownCopies.map((c) => ({ metric: c.metric, of: c.of, factor: round(c.factor) })),
      power: { peak_power: power.peak_power.state, average_power: power.average_power.state },
    },
    measured: configurations.map((c) => ({
      prompt_size: c.prompt_size,
      batch_size: c.batch_size,
      token_size: c.token_size,
      count: c.count,
      prompt_time: round(c.metrics.prompt_time?.median ?? null),
      token_time: round(c.metrics.token_time?.median ?? null),
      e2e_time: round(c.metrics.e2e_time?.median ?? null),
    })),
    fitQuality,
    tokenKeys,
    excluded: fit.excluded,
    predictions: probePredictions(g, context.method.extrapolate),
    coverage: {
      batchTokensRange: fit.range,
      rows: emitted.rows,
      bySource: emitted.bySource,
      maxExtrapolation: far === null ? null : { ...far, factor: round(far.factor) },
      skippedBeyondMax: emitted.skippedBeyondMax,
    },
    emittedChecks: {
      monotonicity: { count: emitted.monotonicity.count, first: emitted.monotonicity.first.slice(0, 5).map(roundViolation) },
      replaced: emitted.replaced,
      clamped: Object.fromEntries(
        Object.entries(emitted.clamped).map(([m, c]) => [m, { points: c.points, rows: c.rows, first: c.first === null ? null : { ...c.first, linear: round(c.first.linear), clampedTo: round(c.first.clampedTo) } }]),
      ),
    },
    plots: context.plots.get(id) ?? {},
    findings,
  };
}

/**
 * (prompt_size, batch_size) points at which every report records the
 * predictions, so that two reports can be compared point by point: the
 * measured star (prompts 128..8192 at batch 1, batches 1..64 at prompt 512)
 * and two points far beyond it.
 */
export const PROBES: readonly [number, number][] = [
  ...[128, 256, 512, 1024, 2048, 4096, 8192].map((p): [number, number] => [p, 1]),
  ...[2, 4, 8, 16, 32, 64].map((b): [number, number] => [512, b]),
  [8192, 16],
  [8192, 64],
];

/** The emitted value of each studied metric at the probe points (what grid rows there get). */
function probePredictions(g: GroupResult, policy: ExtrapolationPolicy) {
  const predictors = makePredictors(g.fit);
  const at = (metric: FittedMetric) => {
    const p = predictors[metric];
    return PROBES.map(([prompt, batch]) => (p === null ? null : round(predictedValue(p, metric, xOf(p, prompt, batch), policy))));
  };
  return { points: PROBES.map(([prompt_size, batch_size]) => ({ prompt_size, batch_size })), prompt_time: at('prompt_time'), token_time: at('token_time') };
}

/**
 * token_time keyed by batch_tokens (SplitwiseSim) against batch_size: the
 * leave-one-out mean error of linear and of the method in use, for each key,
 * so that the report shows which predicts decode time better on this data.
 */
function tokenKeyComparison(g: GroupResult) {
  const f = g.fit.fits.token_time;
  if (f === null) return null;
  const row = (key: FitKey) => {
    const knots = knotsFor(g.measurements.filter((m) => !g.fit.excluded.some((e) => e.prompt_size === m.prompt_size && e.batch_size === m.batch_size && e.token_size === m.token_size)), 'token_time', key);
    const score = (method: 'linear' | typeof f.method) => {
      const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
      return loo.worstX === null ? null : round(loo.mape);
    };
    return { key, knots: knots.x.length, linear: score('linear'), [f.method]: score(f.method) };
  };
  return { method: f.method, byKey: [row('batch_tokens'), row('batch_size')] };
}

function roundViolation(v: MonotonicityViolation) {
  return { metric: v.metric, along: v.along, from: { ...v.from, value: round(v.from.value) }, to: { ...v.to, value: round(v.to.value) }, drop: round(v.drop) };
}

/** Warning codes from the most to the least consequential for someone using the database. */
const WARN_PRIORITY = [
  'EXTRAPOLATION_CLAMPED',
  'SERIES_COPY',
  'EMITTED_NOT_MONOTONE',
  'MEASURED_NOT_MONOTONE',
  'FIT_ERROR',
  'EXTRAPOLATION',
  'E2E_INCONSISTENT',
  'HIGH_SPREAD',
  'POWER_PARTLY_RECORDED',
];

/**
 * The handful of findings that matter most: every failure, then the first
 * warning of each kind in WARN_PRIORITY order, saying in how many other groups
 * the same kind occurs; ten at most.
 */
function topFindings(findings: readonly Finding[]): Finding[] {
  const fails = findings.filter((f) => f.severity === 'fail');
  const warns = findings.filter((f) => f.severity === 'warn');
  const order = (code: string) => {
    const i = WARN_PRIORITY.indexOf(code);
    return i === -1 ? WARN_PRIORITY.length : i;
  };
  const codes = [...new Set(warns.map((f) => f.code))].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfEach = codes.map((code) => {
    const same = warns.filter((f) => f.code === code);
    const first = same[0] as Finding;
    const others = new Set(same.map((f) => f.group)).size - 1;
    return others > 0 ? { ...first, message: `${first.message} (the same in ${others} other group${others === 1 ? '' : 's'})` } : first;
  });
  return [...fails, ...firstOfEach].slice(0, 10);
}

function count(findings: readonly Finding[], severity: Severity): number {
  return findings.filter((f) => f.severity === severity).length;
}


function worst(statuses: readonly Status[]): Status {
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'ok';
}

/** Distinct x of a group's grid, thinned to about `most` points spread evenly on a log scale. */
function sampleX(g: GroupResult, grid: Grid, most: number, key: FitKey): number[] {
  const { prompts, batches } = resolveGrid(grid, g.configurations);
  const all = new Set<number>();
  for (const p of prompts) for (const b of batches) all.add(key === 'batch_tokens' ? p * b : b);
  const sorted = [...all].sort((a, b) => a - b);
  if (sorted.length <= most) return sorted;
  const lo = Math.log(sorted[0] as number);
  const hi = Math.log(sorted[sorted.length - 1] as number);
  const picked = new Set<number>();
  let i = 0;
  for (let k = 0; k < most; k++) {
    const target = Math.exp(lo + ((hi - lo) * k) / (most - 1));
    while (i < sorted.length - 1 && (sorted[i] as number) < target) i++;
    picked.add(sorted[i] as number);
  }
  return [...picked];
}

/** What a chart of one group and metric shows, computed from the run (see plots.ts). */
export function plotData(g: GroupResult, grid: Grid, metric: FittedMetric, policy: ExtrapolationPolicy = 'linear') {
  const f = g.fit.fits[metric];
  if (f === null) return null;
  const predictor = makePredictors(g.fit)[metric];
  if (predictor === null) return null;
  const range = predictor.range;
  const repetitions: { x: number; y: number }[] = [];
  const byX = new Map<number, number[]>();
  for (const m of g.measurements) {
    const y = m.metrics[metric];
    if (y === null) continue;
    const x = xOf(predictor, m.prompt_size, m.batch_size);
    repetitions.push({ x, y });
    const list = byX.get(x);
    if (list === undefined) byX.set(x, [y]);
    else list.push(y);
  }
  repetitions.sort((a, b) => a.x - b.x || a.y - b.y);
  const medians = f.knots.x.map((x, i) => {
    const ys = byX.get(x) ?? [];
    return { x, y: f.knots.y[i] as number, min: Math.min(...ys), max: Math.max(...ys) };
  });
  const emitted = sampleX(g, grid, 240, f.key).map((x) => ({
    x,
    y: predictedValue(predictor, metric, x, policy),
    source: (x >= range[0] && x <= range[1] ? 'interpolated' : 'extrapolated') as 'interpolated' | 'extrapolated',
  }));
  const xs = [...emitted.map((e) => e.x), ...f.knots.x];
  const extent: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const fitted = sampleLog(extent, 200, f.knots.x).map((x) => ({ x, y: predictor.f(x) }));
  const anomalies = g.measuredMonotonicity.first
    .filter((v) => v.metric === metric)
    .map((v) => ({ x: xOf(predictor, v.to.prompt_size, v.to.batch_size), y: v.to.value, label: `-${pct(v.drop)}` }));
  const xTitle = f.key === 'batch_tokens' ? 'batch_tokens = prompt_size × batch_size (tokens)' : 'batch_size (requests)';
  return { repetitions, medians, fitted, emitted, measuredRange: range, extent, anomalies, xTitle, method: f.method };
}

function sampleLog([lo, hi]: [number, number], n: number, include: readonly number[]): number[] {
  const points = new Set(include);
  for (let k = 0; k < n; k++) points.add(Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * k) / (n - 1)));
  return [...points].sort((a, b) => a - b);
}

export type { Sized };
