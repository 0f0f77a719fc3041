import { BROKEN_DROP } from '../checks/broken.js';
import { E2E_TOLERANCE, OUTLIER_MIN_RELATIVE, OUTLIER_Z } from '../checks/measured.js';
import type { FittedMetric } from '../types.js';

/** The quality report's schemaVersion: bump it when its shape changes incompatibly. */
export const SCHEMA_VERSION = 3;

/** Numbers in the report are rounded to this many significant digits. */
export const SIGNIFICANT_DIGITS = 6;

/** Rounds to SIGNIFICANT_DIGITS so that reruns never differ in the last bits; non-finite values stay as they are (and become null in JSON). */
export function round(value: number): number;
export function round(value: number | null): number | null;
export function round(value: number | null): number | null {
  if (value === null || !Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(SIGNIFICANT_DIGITS));
}

/** The metrics the report studies in depth and plots. */
export const STUDIED: readonly FittedMetric[] = ['prompt_time', 'token_time'];

/** Every threshold a finding depends on, echoed into the report. */
export const THRESHOLDS = {
  outlierZ: OUTLIER_Z,
  outlierMinRelative: OUTLIER_MIN_RELATIVE,
  e2eTolerance: E2E_TOLERANCE,
  /** A measured median that falls by less than this as a size grows is noise (info). */
  monotoneWarnDrop: 0.02,
  /** ... by this much or more, a broken measurement (fail). */
  monotoneFailDrop: BROKEN_DROP,
  /** Coefficient of variation above which a configuration's repetitions disagree (warn). */
  spreadWarnCv: 0.05,
  /** Leave-one-out: warn when the mean error or the worst error exceeds these. */
  looWarnMape: 0.1,
  looWarnMaxApe: 0.25,
  /** Extrapolating further than this factor beyond the measured range (warn). */
  extrapolationWarnFactor: 8,
} as const;

/** Digits from the first non-zero one to the last one of a number written in decimal (the exponent aside): 0.0012300 has 5. */
export function significantDigits(text: string): number {
  const mantissa = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '');
  return mantissa.replace(/^0+/, '').length;
}

/**
 * Text whose decimal numbers are rounded to SIGNIFICANT_DIGITS: messages
 * built elsewhere (a fit's exclusion rule) carry numbers as JavaScript prints
 * them. Integers (counts, sizes, names such as a100) and numbers already
 * short enough are left exactly as written.
 */
export function roundText(text: string): string {
  return text.replace(/(?<![\w.])-?\d+\.\d+(?:e[+-]?\d+)?(?![.\d])/gi, (m) => (significantDigits(m) > SIGNIFICANT_DIGITS ? String(round(Number(m))) : m));
}
