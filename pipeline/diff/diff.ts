import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PerfDbError, quoteValue } from '../core/errors.js';
import { describeConfig } from '../core/format.js';
import { QualityReportSchema as schema } from '../report/schema.js';
import type { QualityReport } from '../report/types.js';
import { compare } from './compare.js';
import { HEADING, render } from './markdown.js';
import { pointKey, sizeKey } from './order.js';
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
  const report = value as QualityReport;
  const repeat = firstRepeat(report);
  if (repeat !== null) {
    throw new PerfDbError('E_NOT_A_REPORT', `the ${side} report is not a valid quality report: ${repeat.at} must be unique: ${repeat.name} appears twice, at ${repeat.first} and ${repeat.second}`, {
      hint: 'a report lists each group once, and in a group each configuration and probe point once: the file was edited or merged by hand; regenerate it with `npm run generate`',
      ...fileOf(file),
      ...(repeat.group === undefined ? {} : { group: repeat.group }),
    });
  }
  return report;
}

/** A list whose entries compare() matches by a key: where it is, each entry's key and name, and its group. */
interface KeyedList {
  path: string;
  /** The field that holds the key, when the key is one field. */
  field?: string;
  entries: readonly { key: string; name: string }[];
  group?: string;
}

/**
 * The first key given twice in a list compare() matches by key: groups by id, a group's
 * measured medians by configuration, its predictions by probe point. A map keeps one of
 * the two entries, and the diff would count the other as added or removed.
 * (Findings are counted, not keyed: a repeated finding is no fault.)
 */
function firstRepeat(report: QualityReport): { at: string; name: string; first: string; second: string; group?: string } | null {
  const lists: KeyedList[] = [
    { path: '/groups', field: 'group', entries: report.groups.map((g) => ({ key: g.group, name: `group ${quoteValue(g.group)}` })) },
    ...report.groups.flatMap((g, n): KeyedList[] => [
      { path: `/groups/${n}/measured`, group: g.group, entries: g.measured.map((m) => ({ key: sizeKey(m), name: `configuration ${describeConfig(m)}` })) },
      { path: `/groups/${n}/predictions/points`, group: g.group, entries: g.predictions.points.map((p) => ({ key: pointKey(p), name: `probe point (prompt ${p.prompt_size}, batch ${p.batch_size})` })) },
    ]),
  ];
  for (const { path, field, entries, group } of lists) {
    const seen = new Map<string, number>();
    for (const [i, { key, name }] of entries.entries()) {
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, i);
        continue;
      }
      const at = field === undefined ? `${path}/${i}` : `${path}/${i}/${field}`;
      return { at, name, first: `${path}/${earlier}`, second: `${path}/${i}`, ...(group === undefined ? {} : { group }) };
    }
  }
  return null;
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
