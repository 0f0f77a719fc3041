/**
 * Checks on the measured data, for the quality report. Pure functions over
 * aggregated configurations; each states its rule and threshold.
 */
import { compareStrings, configKey } from '../core/keys.js';
import { coefficientOfVariation, median, medianAbsoluteDeviation } from '../core/stats.js';
import type { ConfigKeySizes, Configuration, Metric } from '../types.js';

export const OUTLIER_Z = 3.5;
export const OUTLIER_MIN_RELATIVE = 0.01;
export const E2E_TOLERANCE = 0.005;

const sizes = (c: Configuration): ConfigKeySizes => ({ prompt_size: c.prompt_size, batch_size: c.batch_size, token_size: c.token_size });

export interface SpreadSummary {
  configurations: number;
  medianCv: number | null;
  maxCv: number | null;
  /** Largest max / min over a configuration's repetitions (positive values only). */
  maxRatio: number | null;
  worst: (ConfigKeySizes & { cv: number; ratio: number | null })[];
}

/** Spread of one metric's repetitions per configuration; the `keep` worst by coefficient of variation. */
export function repetitionSpread(configurations: readonly Configuration[], metric: Metric, keep = 3): SpreadSummary {
  const rows: (ConfigKeySizes & { cv: number; ratio: number | null })[] = [];
  for (const c of configurations) {
    const values = c.repetitions[metric];
    const cv = coefficientOfVariation(values);
    if (cv === null) continue;
    const lo = values[0] as number;
    const hi = values[values.length - 1] as number;
    rows.push({ ...sizes(c), cv, ratio: lo > 0 ? hi / lo : null });
  }
  const cvs = rows.map((r) => r.cv);
  const ratios = rows.flatMap((r) => (r.ratio === null ? [] : [r.ratio]));
  return {
    configurations: rows.length,
    medianCv: cvs.length === 0 ? null : median(cvs),
    maxCv: cvs.length === 0 ? null : Math.max(...cvs),
    maxRatio: ratios.length === 0 ? null : Math.max(...ratios),
    worst: [...rows].sort((a, b) => b.cv - a.cv || a.prompt_size - b.prompt_size || a.batch_size - b.batch_size || a.token_size - b.token_size).slice(0, keep),
  };
}

export interface Outlier extends ConfigKeySizes {
  metric: Metric;
  value: number;
  median: number;
  /** Modified z-score 0.6745 (value - median) / MAD; Infinity when MAD is 0. */
  z: number;
  relative: number;
}

/**
 * Repetitions far from their configuration's median by a robust rule
 * (Iglewicz–Hoaglin): |0.6745 (x - median) / MAD| > OUTLIER_Z, where MAD is the
 * median absolute deviation, and also more than OUTLIER_MIN_RELATIVE away from
 * the median relative to it, so that sub-percent jitter between near-identical
 * repetitions is not flagged. Needs at least three repetitions.
 */
export function findOutliers(configurations: readonly Configuration[], metric: Metric): Outlier[] {
  const out: Outlier[] = [];
  for (const c of configurations) {
    const values = c.repetitions[metric];
    if (values.length < 3) continue;
    const m = median(values);
    const mad = medianAbsoluteDeviation(values);
    for (const value of values) {
      const deviation = value - m;
      const relative = m === 0 ? (deviation === 0 ? 0 : Infinity) : Math.abs(deviation / m);
      const z = mad === 0 ? (deviation === 0 ? 0 : Infinity) : (0.6745 * deviation) / mad;
      if (Math.abs(z) > OUTLIER_Z && relative > OUTLIER_MIN_RELATIVE) out.push({ ...sizes(c), metric, value, median: m, z, relative });
    }
  }
  return out;
}

export interface E2eCheck {
  checked: number;
  inconsistent: (ConfigKeySizes & { measured: number; expected: number; relative: number })[];
}

/**
 * Measured e2e_time against prompt_time + (token_size - 1) * token_time, on
 * medians; inconsistent when |measured - expected| / measured > E2E_TOLERANCE.
 * Sorted worst first.
 */
export function e2eConsistency(configurations: readonly Configuration[]): E2eCheck {
  const inconsistent: E2eCheck['inconsistent'] = [];
  let checked = 0;
  for (const c of configurations) {
    const e2e = c.metrics.e2e_time?.median;
    const pt = c.metrics.prompt_time?.median;
    const tt = c.metrics.token_time?.median;
    if (e2e === undefined || pt === undefined || tt === undefined) continue;
    checked++;
    const expected = pt + (c.token_size - 1) * tt;
    const relative = (e2e - expected) / e2e;
    if (Math.abs(relative) > E2E_TOLERANCE) inconsistent.push({ ...sizes(c), measured: e2e, expected, relative });
  }
  inconsistent.sort((a, b) => Math.abs(b.relative) - Math.abs(a.relative));
  return { checked, inconsistent };
}

export interface SeriesCopy {
  metric: Metric;
  group: string;
  of: string;
  /** 1 for an exact copy; otherwise every median of `group` is exactly `factor` times `of`'s. */
  factor: number;
}

/**
 * Metric series that are copies of another group's: the same configurations
 * with medians identical (factor 1) or all in one constant ratio (to 1e-12
 * relative). All-zero series are skipped (see powerRecording). Each pair is
 * reported once: an exact copy on the later group (by id), a scaled copy on
 * the group with the larger values, so that the factor is above 1.
 */
export function findCopies(groups: readonly { id: string; configurations: readonly Configuration[] }[], metrics: readonly Metric[]): SeriesCopy[] {
  const out: SeriesCopy[] = [];
  const key = (c: Configuration) => configKey(c.prompt_size, c.batch_size, c.token_size);
  const ordered = [...groups].sort((a, b) => compareStrings(a.id, b.id));
  for (const metric of metrics) {
    // Earlier series by signature (their sizes, and their values exactly or as ratios to the first): a copy can only be among them.
    const earlier = new Map<string, { id: string; values: number[] }[]>();
    for (const g of ordered) {
      const keys = g.configurations.map(key).join(';');
      const b = { id: g.id, values: g.configurations.map((c) => c.metrics[metric]?.median ?? NaN) };
      if (b.values.every((v) => v === 0) || b.values.some((v) => !Number.isFinite(v))) continue;
      const signatures = seriesSignatures(keys, b.values);
      const a = firstCopy(signatures.map((s) => earlier.get(s) ?? []), b.values);
      if (a !== null) {
        const factor = constantRatio(b.values, a.values) as number;
        // A scaled copy is reported on the group with the larger values, with a factor > 1.
        out.push(factor >= 1 ? { metric, group: b.id, of: a.id, factor } : { metric, group: a.id, of: b.id, factor: (a.values[0] as number) / (b.values[0] as number) });
      }
      for (const s of signatures) {
        const list = earlier.get(s);
        if (list === undefined) earlier.set(s, [b]);
        else list.push(b);
      }
    }
  }
  return out;
}

/** A series' exact signature, and (when its first value is not 0) its ratios to the first value to 8 digits: equal for scaled copies. */
function seriesSignatures(keys: string, values: readonly number[]): string[] {
  const first = values[0] as number;
  const exact = `${keys}|=${values.join(',')}`;
  return first === 0 ? [exact] : [exact, `${keys}|x${values.map((v) => (v / first).toPrecision(8)).join(',')}`];
}

/** The earliest series (in group order) of the candidates that `values` copies exactly or scaled; null when none. */
function firstCopy(candidates: readonly (readonly { id: string; values: number[] }[])[], values: readonly number[]): { id: string; values: number[] } | null {
  let best: { id: string; values: number[] } | null = null;
  for (const list of candidates) {
    const match = list.find((a) => constantRatio(values, a.values) !== null);
    if (match !== undefined && (best === null || compareStrings(match.id, best.id) < 0)) best = match;
  }
  return best;
}

function constantRatio(values: readonly number[], base: readonly number[]): number | null {
  if (values.every((v, i) => v === base[i])) return 1;
  const first = base[0] as number;
  if (first === 0) return null;
  const factor = (values[0] as number) / first;
  const same = values.every((v, i) => {
    const b = base[i] as number;
    return b !== 0 && Math.abs(v / b - factor) <= 1e-12 * Math.abs(factor);
  });
  return same ? factor : null;
}

export type PowerState = 'recorded' | 'not recorded' | 'partly recorded' | 'absent';

/** Whether a power column was recorded: all medians zero means not recorded; some zero, partly. */
export function powerRecording(configurations: readonly Configuration[], metric: 'peak_power' | 'average_power'): { state: PowerState; zero: number; total: number } {
  const medians = configurations.flatMap((c) => (c.metrics[metric] === null ? [] : [c.metrics[metric].median]));
  const zero = medians.filter((v) => v === 0).length;
  const state: PowerState = medians.length === 0 ? 'absent' : zero === medians.length ? 'not recorded' : zero > 0 ? 'partly recorded' : 'recorded';
  return { state, zero, total: medians.length };
}
