import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PerfDbError, quoteValue } from '../core/errors.js';
import { QualityReportSchema as schema } from '../report/schema.js';
import type { QualityReport } from '../report/types.js';
import { compare } from './compare.js';
import { HEADING, render } from './markdown.js';
import { evaluate, formatFailRule, uniqueRules, type FailRule } from './rules.js';

export { formatFailRule, parseFailRule, RULE_FORMS, type FailRule } from './rules.js';

export interface ReportDiff {
  /** For a pull-request comment; starts with `### Quality report diff`. */
  markdown: string;
  /** false exactly when the two reports are deep-equal. */
  changed: boolean;
  /** One line per rule that fired, saying why. */
  failures: string[];
}

/** The report version this diff understands: the schema's `schemaVersion` const. */
const SCHEMA_VERSION: number = schema.properties.schemaVersion.const;

type Side = 'base' | 'head';

/**
 * Compares two quality reports (parsed quality-report.json) for a pull-request
 * comment and evaluates the `failOn` rules. Both are validated against
 * quality-report.schema.json first; `files` only names them in errors.
 */
export function diffReports(base: unknown, head: unknown, failOn: readonly FailRule[], files: Partial<Record<Side, string>> = {}): ReportDiff {
  checkVersions(base, head, files);
  const b = checkReport(base, 'base', files.base);
  const h = checkReport(head, 'head', files.head);
  if (isDeepStrictEqual(b, h)) return { markdown: `${HEADING}\n\nNo changes.\n`, changed: false, failures: [] };
  const diff = compare(b, h);
  const rules = uniqueRules(failOn);
  const failures = rules.flatMap((rule) => {
    const why = evaluate(rule, diff);
    return why === null ? [] : [`${formatFailRule(rule)}: ${why}`];
  });
  return { markdown: render(diff, rules, failures), changed: true, failures };
}

// ---------------------------------------------------------------- validation

let validator: ValidateFunction | undefined;

function validate(value: unknown): ErrorObject | null {
  // Union types such as ["number", "null"] are how the schema says "may be null".
  validator ??= new Ajv({ allowUnionTypes: true }).compile(schema);
  return validator(value) ? null : (validator.errors?.[0] ?? null);
}

function checkVersions(base: unknown, head: unknown, files: Partial<Record<Side, string>>): void {
  const version = (value: unknown) => (typeof value === 'object' && value !== null && 'schemaVersion' in value && typeof value.schemaVersion === 'number' ? value.schemaVersion : null);
  const vb = version(base);
  const vh = version(head);
  const hint = 'regenerate both reports with the same version of the project (`npm run generate`)';
  if (vb !== null && vh !== null && vb !== vh) {
    // Name the report this tool cannot read (the one of another version than its own), else the head.
    const odd: Side = vb !== SCHEMA_VERSION ? 'base' : 'head';
    const hintFor = `regenerate the ${odd} report with this version of the project (\`npm run generate\`), or compare it with the version that wrote it`;
    throw new PerfDbError('E_SCHEMA_VERSION', `the base report has schemaVersion ${vb} and the head report ${vh}; reports of different versions cannot be compared (this tool reads ${SCHEMA_VERSION})`, { hint: hintFor, ...fileOf(files[odd]) });
  }
  for (const [side, v] of [['base', vb], ['head', vh]] as const) {
    if (v !== null && v !== SCHEMA_VERSION) {
      throw new PerfDbError('E_SCHEMA_VERSION', `the ${side} report has schemaVersion ${v}; this tool reads schemaVersion ${SCHEMA_VERSION}`, { hint, ...fileOf(files[side]) });
    }
  }
}

function checkReport(value: unknown, side: Side, file: string | undefined): QualityReport {
  const error = validate(value);
  if (error !== null) {
    throw new PerfDbError('E_NOT_A_REPORT', `the ${side} report is not a valid quality report: ${describeSchemaError(error)}`, {
      hint: 'pass the quality-report.json written by `npm run generate` (its shape is pipeline/report/quality-report.schema.json)',
      ...fileOf(file),
    });
  }
  return value as QualityReport;
}

function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath === '' ? 'the top level' : e.instancePath;
  const params = e.params as Record<string, unknown>;
  let detail = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') detail += ` ${quoteValue(String(params.additionalProperty))}`;
  if (e.keyword === 'enum') detail += ` (${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
  if (e.keyword === 'const') detail += ` (${JSON.stringify(params.allowedValue)})`;
  return `${at} ${detail}`;
}

function fileOf(file: string | undefined): { file?: string } {
  return file === undefined ? {} : { file };
}
