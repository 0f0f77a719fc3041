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
} from './anomalies.js';
import { resolveGrid } from './grid.js';
import { linear } from './interpolate.js';
import { leaveOneOut } from './loo.js';
import { makePredictors, predictedValue } from './predict.js';
import type { GroupResult, PipelineResult } from './run.js';
import { median } from './stats.js';
import type { ClampSummary, ConfigKeySizes, FittedMetric, Grid, MonotonicityViolation, Source } from './types.js';

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

const pct = (fraction: number) => `${round(fraction * 100)}%`;
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
  const findings = groups.flatMap((g) => g.findings);
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
      duplicatesDropped: result.duplicates,
      rowsKept: result.rowsKept,
    },
    output: { file: context.output, rows: result.rows, bySource },
    summary: {
      status: worst(groups.map((g) => g.status)),
      groups: groups.map((g) => ({
        group: g.group,
        status: g.status,
        fail: count(g.findings, 'fail'),
        warn: count(g.findings, 'warn'),
        info: count(g.findings, 'info'),
      })),
      looMape: looMean,
      topFindings: [...findings].sort((a, b) => rank(b.severity) - rank(a.severity)).slice(0, 10),
    },
    groups,
  };
}

export type QualityReport = ReturnType<typeof buildReport>;
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
    const severity: Severity = v.drop >= THRESHOLDS.monotoneFailDrop ? 'fail' : v.drop >= THRESHOLDS.monotoneWarnDrop ? 'warn' : 'info';
    add(severity, 'MEASURED_NOT_MONOTONE', `measured ${v.metric} falls by ${pct(v.drop)} as ${v.along} grows: ${round(v.from.value)} ms at ${at(v.from)} -> ${round(v.to.value)} ms at ${at(v.to)}${severity === 'fail' ? '; a drop this large points to a broken measurement' : ''}`);
  }
  const e2e = e2eConsistency(configurations);
  const e2eWorst = e2e.inconsistent[0];
  if (e2eWorst !== undefined) {
    add('warn', 'E2E_INCONSISTENT', `${e2e.inconsistent.length} of ${e2e.checked} configurations have e2e_time off prompt_time + (token_size - 1) * token_time by more than ${pct(THRESHOLDS.e2eTolerance)}; worst ${pct(e2eWorst.relative)} at ${at(e2eWorst)} (measured ${round(e2eWorst.measured)} ms, expected ${round(e2eWorst.expected)} ms): generation probably stopped before token_size tokens`);
  }
  const ownCopies = copies.filter((c) => c.group === id);
  for (const c of ownCopies) {
    add('warn', 'SERIES_COPY', c.factor === 1 ? `${c.metric} medians are an exact copy of ${c.of}'s: not an independent measurement` : `${c.metric} medians are exactly ${round(c.factor)} x ${c.of}'s: derived, not measured`);
  }
  const power = {
    peak_power: powerRecording(configurations, 'peak_power'),
    average_power: powerRecording(configurations, 'average_power'),
  };
  for (const [metric, p] of Object.entries(power)) {
    if (p.state === 'not recorded') add('info', 'POWER_NOT_RECORDED', `${metric} is 0 in every configuration: not recorded; predicted ${metric} is 0 too`);
    if (p.state === 'partly recorded') add('warn', 'POWER_PARTLY_RECORDED', `${metric} is 0 (not recorded) in ${p.zero} of ${p.total} configurations; those zeros are pulled into the fitted medians`);
  }

  // Fit quality: leave-one-out over the interior knots.
  const fitQuality = Object.fromEntries(
    STUDIED.map((metric) => {
      const f = fit.fits[metric];
      if (f === null) return [metric, null];
      const loo = leaveOneOut(f.knots.x, f.knots.y, f.knots.count, (xs, ys) => linear(xs, ys));
      const scored = loo.worstX !== null;
      return [metric, { method: f.method, knots: f.knots.x.length, mape: scored ? round(loo.mape) : null, maxApe: scored ? round(loo.maxApe) : null, worstBatchTokens: loo.worstX }];
    }),
  ) as Record<string, { method: string; knots: number; mape: number | null; maxApe: number | null; worstBatchTokens: number | null } | null>;
  for (const metric of STUDIED) {
    const q = fitQuality[metric];
    if (q === null || q === undefined || q.mape === null) continue;
    const bad = q.mape > THRESHOLDS.looWarnMape || (q.maxApe ?? 0) > THRESHOLDS.looWarnMaxApe;
    add(bad ? 'warn' : 'info', 'FIT_ERROR', `${metric}: leaving each interior knot out, the ${q.method} fit misses it by ${pct(q.mape)} on average, at worst ${pct(q.maxApe ?? 0)} (batch_tokens ${q.worstBatchTokens})`);
  }

  // Emitted rows.
  if (emitted.monotonicity.count > 0) {
    const v = emitted.monotonicity.first[0] as MonotonicityViolation;
    add('warn', 'EMITTED_NOT_MONOTONE', `${emitted.monotonicity.count} emitted rows fall below a row with a smaller size; first: ${v.metric} ${round(v.from.value)} at ${at(v.from)} -> ${round(v.to.value)} at ${at(v.to)}`);
  }
  for (const [metric, clamp] of Object.entries(emitted.clamped) as [FittedMetric, ClampSummary][]) {
    if (clamp.first === null) continue;
    add('warn', 'EXTRAPOLATION_CLAMPED', `${metric}: linear extrapolation gives an impossible value at ${clamp.points} (prompt, batch) points (${clamp.rows} rows), e.g. ${round(clamp.first.linear)} at prompt ${clamp.first.prompt_size} x batch ${clamp.first.batch_size}; those rows take the value at the nearest measured end, ${round(clamp.first.clampedTo)}`);
  }
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
    fitQuality,
    coverage: {
      batchTokensRange: fit.range,
      rows: emitted.rows,
      bySource: emitted.bySource,
      maxExtrapolation: far === null ? null : { ...far, factor: round(far.factor) },
    },
    emittedChecks: {
      monotonicity: { count: emitted.monotonicity.count, first: emitted.monotonicity.first.slice(0, 5).map(roundViolation) },
      clamped: Object.fromEntries(
        Object.entries(emitted.clamped).map(([m, c]) => [m, { points: c.points, rows: c.rows, first: c.first === null ? null : { ...c.first, linear: round(c.first.linear), clampedTo: round(c.first.clampedTo) } }]),
      ),
    },
    plots: context.plots.get(id) ?? {},
    findings,
  };
}

function roundViolation(v: MonotonicityViolation) {
  return { metric: v.metric, along: v.along, from: { ...v.from, value: round(v.from.value) }, to: { ...v.to, value: round(v.to.value) }, drop: round(v.drop) };
}

function count(findings: readonly Finding[], severity: Severity): number {
  return findings.filter((f) => f.severity === severity).length;
}

function rank(severity: Severity): number {
  return severity === 'fail' ? 2 : severity === 'warn' ? 1 : 0;
}

function worst(statuses: readonly Status[]): Status {
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'ok';
}

/** Distinct batch_tokens of a group's grid, thinned to about `most` points spread evenly on a log scale. */
function sampleBatchTokens(g: GroupResult, grid: Grid, most: number): number[] {
  const { prompts, batches } = resolveGrid(grid, g.configurations);
  const all = new Set<number>();
  for (const p of prompts) for (const b of batches) all.add(p * b);
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
export function plotData(g: GroupResult, grid: Grid, metric: FittedMetric) {
  const f = g.fit.fits[metric];
  if (f === null) return null;
  const range = g.fit.range;
  const predictor = makePredictors(g.fit)[metric];
  if (predictor === null) return null;
  const repetitions: { x: number; y: number }[] = [];
  const byX = new Map<number, number[]>();
  for (const m of g.measurements) {
    const y = m.metrics[metric];
    if (y === null) continue;
    const x = m.prompt_size * m.batch_size;
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
  const emitted = sampleBatchTokens(g, grid, 240).map((x) => ({
    x,
    y: predictedValue(predictor, metric, x, range),
    source: (x >= range[0] && x <= range[1] ? 'interpolated' : 'extrapolated') as 'interpolated' | 'extrapolated',
  }));
  const xs = [...emitted.map((e) => e.x), ...f.knots.x];
  const extent: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const fitted = sampleLog(extent, 200, f.knots.x).map((x) => ({ x, y: predictor.f(x) }));
  const anomalies = g.measuredMonotonicity.first
    .filter((v) => v.metric === metric)
    .map((v) => ({ x: v.to.prompt_size * v.to.batch_size, y: v.to.value, label: `-${pct(v.drop)}` }));
  return { repetitions, medians, fitted, emitted, measuredRange: range, extent, anomalies };
}

function sampleLog([lo, hi]: [number, number], n: number, include: readonly number[]): number[] {
  const points = new Set(include);
  for (let k = 0; k < n; k++) points.add(Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * k) / (n - 1)));
  return [...points].sort((a, b) => a - b);
}

export type { Sized };
