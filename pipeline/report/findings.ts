/**
 * Every kind of finding the quality report makes, in one table: the
 * severities it may have, what it means, and its place in the summary's
 * priority order (the most consequential for someone using the database
 * first). A finding code that is not in this table does not type-check.
 */
import { roundText } from './numbers.js';
import type { Severity, Status } from './types.js';

export const FINDINGS = {
  GROUP_ALL_REJECTED: { severities: ['fail'], meaning: 'every row of a group was rejected; the group is not in the database' },
  IMPLAUSIBLE_ROWS: { severities: ['warn'], meaning: "predicted rows below anything measured in the group, or a tail that falls" },
  TAIL_ON_BROKEN_KNOT: { severities: ['quirk'], meaning: 'a tail starts from a knot made only of broken measurements' },
  BEYOND_VALIDATED: { severities: ['quirk'], meaning: 'rows beyond the factor the backtests validated: no interval there' },
  EXTRAPOLATION_CLAMPED: { severities: ['warn'], meaning: 'extrapolation gave impossible values; those rows take the nearest measured end' },
  NAME_LOOKALIKE: { severities: ['warn'], meaning: 'a model or hardware name differs from another only by surrounding spaces, invisible characters or Unicode normalisation' },
  SERIES_COPY: { severities: ['quirk'], meaning: "a metric series is an exact or scaled copy of another group's" },
  EMITTED_NOT_MONOTONE: { severities: ['quirk'], meaning: 'emitted rows fall as a size grows' },
  MEASURED_NOT_MONOTONE: { severities: ['info', 'quirk', 'fail'], meaning: 'measured medians fall as a size grows' },
  FIT_ERROR: { severities: ['info', 'warn'], meaning: 'leave-one-out error of the fit' },
  EXTRAPOLATION: { severities: ['info', 'quirk'], meaning: 'rows extrapolated beyond the measured range, and how far' },
  E2E_INCONSISTENT: { severities: ['quirk'], meaning: 'measured e2e_time off prompt_time + (token_size - 1) * token_time' },
  HIGH_SPREAD: { severities: ['quirk'], meaning: 'repetitions of a configuration disagree' },
  POWER_PARTLY_RECORDED: { severities: ['quirk'], meaning: 'a power column is zero in some configurations' },
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

/** A finding, its message's numbers rounded; a severity the table does not allow for the code is a bug. */
export function finding<C extends FindingCode>(code: C, severity: (typeof FINDINGS)[C]['severities'][number], group: string, message: string): Finding {
  if (!(FINDINGS[code].severities as readonly Severity[]).includes(severity)) throw new Error(`finding ${code} cannot be ${severity}`);
  return { severity, code, group, message: roundText(message) };
}

/**
 * What each severity means, and so each status: the rule the findings table
 * above follows, echoed into the report.
 */
export const SEVERITY_RULE = {
  fail: 'some emitted rows are known to be wrong: do not use the group as it is (a broken measurement the fit still uses, a group whose every row was rejected)',
  warn: 'the database is usable, but some predictions are measurably poor or had to be forced: check them before relying on them (leave-one-out error above looWarnMape or looWarnMaxApe, clamped extrapolation, implausible rows, lookalike names)',
  quirk: 'the raw data has a known defect that the database handles or flags row by row: usable as it is (e2e_time off its parts, copied series, power not recorded, spread, small falls, extrapolation beyond the validated factor)',
  info: 'a fact worth knowing, no defect',
} as const satisfies Record<Severity, string>;

const STATUS_OF: Record<Severity, Status> = { info: 'ok', quirk: 'quirks', warn: 'warn', fail: 'fail' };
/** Statuses best to worst. */
export const STATUSES: readonly Status[] = ['ok', 'quirks', 'warn', 'fail'];

/** Severities worst first. */
export const SEVERITIES_WORST_FIRST: readonly Severity[] = ['fail', 'warn', 'quirk', 'info'];

export function statusRank(status: Status): number {
  return STATUSES.indexOf(status);
}

/** The worst of some statuses; ok when there are none. */
export function worst(statuses: readonly Status[]): Status {
  return statuses.reduce<Status>((w, s) => (statusRank(s) > statusRank(w) ? s : w), 'ok');
}

/** A group's status: the worst severity among its findings, info counting as ok and quirk as quirks. */
export function statusOf(findings: readonly Finding[]): Status {
  return worst(findings.map((f) => STATUS_OF[f.severity]));
}

/**
 * The handful of findings that matter most: every failure, then the first
 * warning of each kind in priority order, then the first quirk of each kind,
 * saying in how many other groups the same kind occurs; ten at most.
 */
export function topFindings(findings: readonly Finding[]): Finding[] {
  const fails = findings.filter((f) => f.severity === 'fail');
  const firstOfEach = (severity: Severity) => {
    const same = findings.filter((f) => f.severity === severity);
    return FINDING_CODES.filter((code) => same.some((f) => f.code === code)).map((code) => {
      const ofCode = same.filter((f) => f.code === code);
      const first = ofCode[0] as Finding;
      const others = new Set(ofCode.map((f) => f.group)).size - 1;
      return others > 0 ? { ...first, message: `${first.message} (the same in ${others} other group${others === 1 ? '' : 's'})` } : first;
    });
  };
  return [...fails, ...firstOfEach('warn'), ...firstOfEach('quirk')].slice(0, 10);
}
