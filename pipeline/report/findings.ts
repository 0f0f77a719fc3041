/**
 * Every kind of finding the quality report makes, in one table: the
 * severities it may have, what it means, and its place in the summary's
 * priority order (the most consequential for someone using the database
 * first). A finding code that is not in this table does not type-check.
 */
import type { Severity, Status } from './types.js';

export const FINDINGS = {
  GROUP_ALL_REJECTED: { severities: ['fail'], meaning: 'every row of a group was rejected; the group is not in the database' },
  IMPLAUSIBLE_ROWS: { severities: ['warn'], meaning: "predicted rows below anything measured in the group, or a tail that falls" },
  TAIL_ON_BROKEN_KNOT: { severities: ['warn'], meaning: 'a tail starts from a knot made only of broken measurements' },
  BEYOND_VALIDATED: { severities: ['warn'], meaning: 'rows beyond the factor the backtests validated: no interval there' },
  EXTRAPOLATION_CLAMPED: { severities: ['warn'], meaning: 'extrapolation gave impossible values; those rows take the nearest measured end' },
  NAME_LOOKALIKE: { severities: ['warn'], meaning: 'a model or hardware name differs from another only by surrounding spaces or Unicode normalisation' },
  SERIES_COPY: { severities: ['warn'], meaning: "a metric series is an exact or scaled copy of another group's" },
  EMITTED_NOT_MONOTONE: { severities: ['warn'], meaning: 'emitted rows fall as a size grows' },
  MEASURED_NOT_MONOTONE: { severities: ['info', 'warn', 'fail'], meaning: 'measured medians fall as a size grows' },
  FIT_ERROR: { severities: ['info', 'warn'], meaning: 'leave-one-out error of the fit' },
  EXTRAPOLATION: { severities: ['info', 'warn'], meaning: 'rows extrapolated beyond the measured range, and how far' },
  E2E_INCONSISTENT: { severities: ['warn'], meaning: 'measured e2e_time off prompt_time + (token_size - 1) * token_time' },
  HIGH_SPREAD: { severities: ['warn'], meaning: 'repetitions of a configuration disagree' },
  POWER_PARTLY_RECORDED: { severities: ['warn'], meaning: 'a power column is zero in some configurations' },
  OUTLIERS: { severities: ['info'], meaning: "repetitions far from their configuration's median" },
  POWER_NOT_RECORDED: { severities: ['info'], meaning: 'a power column is zero everywhere' },
  EXCLUDED_FROM_FIT: { severities: ['info'], meaning: 'a configuration left out of the fit (--exclude-anomalies)' },
  ANOMALY_REPLACED: { severities: ['info'], meaning: 'a measured row emitted as the prediction (--exclude-anomalies)' },
  SKIPPED_BEYOND_MAX: { severities: ['info'], meaning: 'grid rows beyond --max-extrapolation left out' },
  DIFFERS_FROM_SPLITWISE: { severities: ['info'], meaning: "extrapolated rows that differ from SplitwiseSim's line: the tails the backtests chose" },
} as const satisfies Record<string, { severities: readonly Severity[]; meaning: string }>;

export type FindingCode = keyof typeof FINDINGS;

/** Codes in priority order: the table's order. */
export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

export interface Finding {
  severity: Severity;
  code: FindingCode;
  group: string;
  message: string;
}

/** A finding; a severity the table does not allow for the code is a bug. */
export function finding<C extends FindingCode>(code: C, severity: (typeof FINDINGS)[C]['severities'][number], group: string, message: string): Finding {
  if (!(FINDINGS[code].severities as readonly Severity[]).includes(severity)) throw new Error(`finding ${code} cannot be ${severity}`);
  return { severity, code, group, message };
}

/** A status from findings: the worst severity, info counting as ok. */
export function worst(statuses: readonly Status[]): Status {
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'ok';
}

export function statusOf(findings: readonly Finding[]): Status {
  return worst(findings.map((f): Status => (f.severity === 'info' ? 'ok' : f.severity)));
}

/**
 * The handful of findings that matter most: every failure, then the first
 * warning of each kind in priority order, saying in how many other groups
 * the same kind occurs; ten at most.
 */
export function topFindings(findings: readonly Finding[]): Finding[] {
  const fails = findings.filter((f) => f.severity === 'fail');
  const warns = findings.filter((f) => f.severity === 'warn');
  const codes = FINDING_CODES.filter((code) => warns.some((f) => f.code === code));
  const firstOfEach = codes.map((code) => {
    const same = warns.filter((f) => f.code === code);
    const first = same[0] as Finding;
    const others = new Set(same.map((f) => f.group)).size - 1;
    return others > 0 ? { ...first, message: `${first.message} (the same in ${others} other group${others === 1 ? '' : 's'})` } : first;
  });
  return [...fails, ...firstOfEach].slice(0, 10);
}
