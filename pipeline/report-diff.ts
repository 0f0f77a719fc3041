import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PerfDbError, quoteValue, usageError } from './errors.js';
import schema from './quality-report.schema.json' with { type: 'json' };
import type { Finding, GroupReport, QualityReport, Severity, Status } from './report.js';

/** A check that makes `report:diff` fail (exit 1) when it fires. */
export type FailRule =
  | { kind: 'new-fail' }
  | { kind: 'new-warn' }
  | { kind: 'status-worse' }
  | { kind: 'rows-removed' }
  /** A group's leave-one-out mean error rose by more than `points` percentage points. */
  | { kind: 'loo-increase'; points: number }
  /** A probe prediction changed by more than `percent` percent. */
  | { kind: 'prediction-change'; percent: number };

export interface ReportDiff {
  /** For a pull-request comment; starts with `### Quality report diff`. */
  markdown: string;
  /** false exactly when the two reports are deep-equal. */
  changed: boolean;
  /** One line per rule that fired, saying why. */
  failures: string[];
}

export const RULE_FORMS = ['new-fail', 'new-warn', 'status-worse', 'loo-increase=PP', 'prediction-change=PCT', 'rows-removed'] as const;

const RULE_HINT = 'PP is percentage points and PCT percent, plain non-negative numbers: --fail-on loo-increase=2 --fail-on prediction-change=0.5';
const HEADING = '### Quality report diff';
/** How many of the largest changes each table names. */
const LARGEST = 5;
/** How many items a list or a failure line names before "and N more". */
const NAMED = 3;
const SOURCES = ['measured', 'interpolated', 'extrapolated'] as const;
const MEDIAN_METRICS = ['prompt_time', 'token_time', 'e2e_time'] as const;
const STATUS_RANK: Record<Status, number> = { ok: 0, warn: 1, fail: 2 };
const SEVERITY_RANK: Record<Severity, number> = { info: 0, warn: 1, fail: 2 };
/** The report version this diff understands: the schema's `schemaVersion` const. */
const SCHEMA_VERSION: number = schema.properties.schemaVersion.const;

type Side = 'base' | 'head';
type Sizes = { prompt_size: number; batch_size: number; token_size: number };

/** Parses one `--fail-on` value; a usage error (exit 2) lists the accepted forms. */
export function parseFailRule(text: string): FailRule {
  const match = /^([a-z-]+)(?:=(.*))?$/.exec(text.trim());
  const name = match?.[1];
  const value = match?.[2];
  if (value === undefined) {
    if (name === 'new-fail' || name === 'new-warn' || name === 'status-worse' || name === 'rows-removed') return { kind: name };
  } else if (name === 'loo-increase' || name === 'prediction-change') {
    // A plain non-negative decimal: "5", "0.5"; no sign, exponent or unit.
    if (/^\d+(\.\d+)?$/.test(value)) return name === 'loo-increase' ? { kind: name, points: Number(value) } : { kind: name, percent: Number(value) };
    throw usageError('E_BAD_RULE', `--fail-on ${quoteValue(text)}: ${quoteValue(value)} is not a non-negative number; accepted forms: ${RULE_FORMS.join(', ')}`, RULE_HINT);
  }
  throw usageError('E_BAD_RULE', `--fail-on ${quoteValue(text)} is not a rule; accepted forms: ${RULE_FORMS.join(', ')}`, RULE_HINT);
}

/** The rule as written on the command line. */
export function formatFailRule(rule: FailRule): string {
  if (rule.kind === 'loo-increase') return `${rule.kind}=${rule.points}`;
  if (rule.kind === 'prediction-change') return `${rule.kind}=${rule.percent}`;
  return rule.kind;
}

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
    throw new PerfDbError('E_SCHEMA_VERSION', `the base report has schemaVersion ${vb} and the head report ${vh}; reports of different versions cannot be compared`, { hint, ...fileOf(files.head) });
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
      hint: 'pass the quality-report.json written by `npm run generate` (its shape is pipeline/quality-report.schema.json)',
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

// ---------------------------------------------------------------- comparison

/** A number in both reports; `relative` = (head - base) / |base|, Infinity from 0, null when either side is null. */
interface NumberChange {
  base: number | null;
  head: number | null;
  relative: number | null;
}

interface MedianChange extends NumberChange, Sizes {
  metric: string;
}

interface PredictionChange extends NumberChange {
  group: string;
  metric: string;
  /** The probe point. */
  prompt_size: number;
  batch_size: number;
}

interface FitErrorChange {
  group: string;
  metric: string;
  base: number | null;
  head: number | null;
  /** How the metric is fitted, `pchip on batch_tokens`, when that changed too. */
  fit: [string, string] | null;
}

interface SeverityChange {
  finding: Finding;
  from: Severity;
}

interface GroupDiff {
  group: string;
  status: [Status, Status];
  bySource: { source: string; base: number; head: number }[];
  medians: { changes: MedianChange[]; values: number; shared: number; added: Sizes[]; removed: Sizes[] };
  predictions: { changes: PredictionChange[]; values: number };
  fitError: FitErrorChange[];
  appeared: Finding[];
  disappeared: Finding[];
  severity: SeverityChange[];
}

interface Diff {
  status: [Status, Status];
  bySource: { source: string; base: number; head: number }[];
  rows: [number, number];
  settings: string[];
  added: GroupReport[];
  removed: GroupReport[];
  groups: GroupDiff[];
  appeared: Finding[];
  disappeared: Finding[];
  severity: SeverityChange[];
}

function compare(b: QualityReport, h: QualityReport): Diff {
  const baseGroups = new Map(b.groups.map((g) => [g.group, g]));
  const headGroups = new Map(h.groups.map((g) => [g.group, g]));
  const findings = compareFindings(b.groups.flatMap((g) => g.findings), h.groups.flatMap((g) => g.findings));
  const groups: GroupDiff[] = [];
  for (const id of [...headGroups.keys()].filter((id) => baseGroups.has(id)).sort(byText)) {
    const gb = baseGroups.get(id) as GroupReport;
    const gh = headGroups.get(id) as GroupReport;
    groups.push({
      group: id,
      status: [gb.status, gh.status],
      bySource: sourceChanges(gb.coverage.bySource, gh.coverage.bySource),
      medians: compareMedians(gb, gh),
      predictions: comparePredictions(gb, gh),
      fitError: compareFitError(gb, gh),
      appeared: findings.appeared.filter((f) => f.group === id),
      disappeared: findings.disappeared.filter((f) => f.group === id),
      severity: findings.severity.filter((s) => s.finding.group === id),
    });
  }
  return {
    status: [b.summary.status, h.summary.status],
    bySource: sourceChanges(b.output.bySource, h.output.bySource),
    rows: [b.output.rows, h.output.rows],
    settings: compareSettings(b, h),
    added: h.groups.filter((g) => !baseGroups.has(g.group)).sort((x, y) => byText(x.group, y.group)),
    removed: b.groups.filter((g) => !headGroups.has(g.group)).sort((x, y) => byText(x.group, y.group)),
    groups,
    ...findings,
  };
}

function sourceChanges(b: Record<(typeof SOURCES)[number], number>, h: Record<(typeof SOURCES)[number], number>) {
  return SOURCES.filter((s) => b[s] !== h[s]).map((source) => ({ source, base: b[source], head: h[source] }));
}

/** What changed in how the reports were made: command, fit options, thresholds, input files and row counts. */
function compareSettings(b: QualityReport, h: QualityReport): string[] {
  const out: string[] = [];
  if (b.command !== h.command) out.push(`command: \`${code(b.command)}\` -> \`${code(h.command)}\``);
  for (const metric of Object.keys(h.method.methods).sort(byText) as (keyof QualityReport['method']['methods'])[]) {
    if (b.method.methods[metric] !== h.method.methods[metric]) out.push(`fit method of ${metric}: ${b.method.methods[metric]} -> ${h.method.methods[metric]}`);
  }
  for (const key of ['tokenKey', 'extrapolate', 'maxExtrapolation', 'excludeAnomalies', 'uncertainty'] as const) {
    if (b.method[key] !== h.method[key]) out.push(`${key}: ${String(b.method[key])} -> ${String(h.method[key])}`);
  }
  for (const key of Object.keys(h.thresholds).sort(byText) as (keyof QualityReport['thresholds'])[]) {
    if (b.thresholds[key] !== h.thresholds[key]) out.push(`threshold ${key}: ${b.thresholds[key]} -> ${h.thresholds[key]}`);
  }
  const baseFiles = new Map(b.inputs.files.map((f) => [f.file, f]));
  const headFiles = new Map(h.inputs.files.map((f) => [f.file, f]));
  for (const file of [...new Set([...baseFiles.keys(), ...headFiles.keys()])].sort(byText)) {
    const fb = baseFiles.get(file);
    const fh = headFiles.get(file);
    if (fb === undefined) out.push(`input added: \`${code(file)}\``);
    else if (fh === undefined) out.push(`input removed: \`${code(file)}\``);
    else if (fb.sha256 !== fh.sha256) out.push(`input \`${code(file)}\` changed: sha256 ${fb.sha256.slice(0, 12)}… -> ${fh.sha256.slice(0, 12)}…, ${fb.bytes} -> ${fh.bytes} bytes`);
  }
  for (const key of ['rowsRead', 'rowsRejected', 'duplicatesDropped', 'rowsKept'] as const) {
    if (b.inputs[key] !== h.inputs[key]) out.push(`${key}: ${countChange(b.inputs[key], h.inputs[key])}`);
  }
  return out;
}

/** Measured medians keyed by (prompt, batch, token). */
function compareMedians(gb: GroupReport, gh: GroupReport): GroupDiff['medians'] {
  const baseByKey = new Map(gb.measured.map((m) => [sizeKey(m), m]));
  const headByKey = new Map(gh.measured.map((m) => [sizeKey(m), m]));
  const changes: MedianChange[] = [];
  let shared = 0;
  for (const mh of gh.measured) {
    const mb = baseByKey.get(sizeKey(mh));
    if (mb === undefined) continue;
    shared++;
    for (const metric of MEDIAN_METRICS) {
      if (mb[metric] !== mh[metric]) changes.push({ ...sizesOf(mh), metric, ...numberChange(mb[metric], mh[metric]) });
    }
  }
  changes.sort((x, y) => byMagnitude(x, y) || bySizes(x, y) || MEDIAN_METRICS.indexOf(x.metric as 'prompt_time') - MEDIAN_METRICS.indexOf(y.metric as 'prompt_time'));
  return {
    changes,
    values: shared * MEDIAN_METRICS.length,
    shared,
    added: gh.measured.filter((m) => !baseByKey.has(sizeKey(m))).map(sizesOf).sort(bySizes),
    removed: gb.measured.filter((m) => !headByKey.has(sizeKey(m))).map(sizesOf).sort(bySizes),
  };
}

/** Predictions matched by probe point (prompt_size, batch_size), per studied metric. */
function comparePredictions(gb: GroupReport, gh: GroupReport): GroupDiff['predictions'] {
  const pb = gb.predictions as unknown as Record<string, (number | null)[]>;
  const ph = gh.predictions as unknown as Record<string, (number | null)[]>;
  const point = (p: { prompt_size: number; batch_size: number }) => `${p.prompt_size},${p.batch_size}`;
  const baseIndex = new Map(gb.predictions.points.map((p, i) => [point(p), i]));
  const changes: PredictionChange[] = [];
  let values = 0;
  for (const metric of Object.keys(ph).filter((k) => k !== 'points' && k in pb).sort(byText)) {
    gh.predictions.points.forEach((p, i) => {
      const j = baseIndex.get(point(p));
      if (j === undefined) return;
      values++;
      const vb = pb[metric]?.[j] ?? null;
      const vh = ph[metric]?.[i] ?? null;
      if (vb !== vh) changes.push({ group: gh.group, metric, prompt_size: p.prompt_size, batch_size: p.batch_size, ...numberChange(vb, vh) });
    });
  }
  changes.sort((x, y) => byMagnitude(x, y) || byPrediction(x, y));
  return { changes, values };
}

function compareFitError(gb: GroupReport, gh: GroupReport): FitErrorChange[] {
  const metrics = [...new Set([...Object.keys(gb.fitQuality), ...Object.keys(gh.fitQuality)])].sort(byText);
  return metrics.flatMap((metric) => {
    const qb = gb.fitQuality[metric] ?? null;
    const qh = gh.fitQuality[metric] ?? null;
    const how = (q: typeof qb) => (q === null ? 'not fitted' : `${q.method} on ${q.key}`);
    const fit: [string, string] | null = how(qb) === how(qh) ? null : [how(qb), how(qh)];
    const base = qb?.mape ?? null;
    const head = qh?.mape ?? null;
    return base === head && fit === null ? [] : [{ group: gh.group, metric, base, head, fit }];
  });
}

/** Findings are the same when group, code and message are; a repeated finding counts as often as it occurs. */
function compareFindings(base: readonly Finding[], head: readonly Finding[]) {
  const key = (f: Finding) => JSON.stringify([f.group, f.code, f.message]);
  const baseByKey = new Map<string, Finding[]>();
  for (const f of base) baseByKey.set(key(f), [...(baseByKey.get(key(f)) ?? []), f]);
  const appeared: Finding[] = [];
  const severity: SeverityChange[] = [];
  for (const f of head) {
    const earlier = baseByKey.get(key(f));
    const match = earlier?.shift();
    if (match === undefined) appeared.push(f);
    else if (match.severity !== f.severity) severity.push({ finding: f, from: match.severity });
  }
  const disappeared = [...baseByKey.values()].flat();
  return { appeared: appeared.sort(byFinding), disappeared: disappeared.sort(byFinding), severity: severity.sort((x, y) => byFinding(x.finding, y.finding)) };
}

function numberChange(base: number | null, head: number | null): NumberChange {
  if (base === null || head === null) return { base, head, relative: null };
  if (base === 0) return { base, head, relative: head === 0 ? 0 : Infinity };
  return { base, head, relative: (head - base) / Math.abs(base) };
}

// ---------------------------------------------------------------- rules

function uniqueRules(rules: readonly FailRule[]): FailRule[] {
  return [...new Map(rules.map((r) => [formatFailRule(r), r])).values()];
}

/** Why the rule fires, or null when it does not. */
function evaluate(rule: FailRule, diff: Diff): string | null {
  switch (rule.kind) {
    case 'new-fail':
    case 'new-warn': {
      const severity: Severity = rule.kind === 'new-fail' ? 'fail' : 'warn';
      const found = [...diff.appeared.filter((f) => f.severity === severity), ...diff.severity.filter((s) => s.finding.severity === severity).map((s) => s.finding)].sort(byFinding);
      if (found.length === 0) return null;
      return `${plural(found.length, `finding of severity ${severity}`, `findings of severity ${severity}`)} appeared: ${named(found.map((f) => `${f.group} ${f.code} ${quoteValue(f.message, 160)}`))}`;
    }
    case 'status-worse': {
      const worse = [
        ...(worsened(diff.status) ? [`overall ${diff.status[0]} -> ${diff.status[1]}`] : []),
        ...diff.groups.filter((g) => worsened(g.status)).map((g) => `${g.group} ${g.status[0]} -> ${g.status[1]}`),
      ];
      return worse.length === 0 ? null : `status got worse: ${named(worse)}`;
    }
    case 'rows-removed': {
      const fell = diff.bySource.filter((s) => s.head < s.base);
      return fell.length === 0 ? null : `row count fell: ${fell.map((s) => `${s.source} ${countChange(s.base, s.head)}`).join(', ')}`;
    }
    case 'loo-increase': {
      const rose = diff.groups
        .flatMap((g) => g.fitError)
        .filter((c) => c.base !== null && c.head !== null && significant((c.head - c.base) * 100) > rule.points)
        .sort((x, y) => ((y.head ?? 0) - (y.base ?? 0)) - ((x.head ?? 0) - (x.base ?? 0)) || byText(x.group, y.group) || byText(x.metric, y.metric));
      if (rose.length === 0) return null;
      return `leave-one-out mean error rose by more than ${rule.points} pp in ${plural(rose.length, 'fit', 'fits')}: ${named(rose.map((c) => `${c.group} ${c.metric} ${fitErrorChange(c.base, c.head)}`))}`;
    }
    case 'prediction-change': {
      const moved = diff.groups
        .flatMap((g) => g.predictions.changes)
        .filter((c) => c.relative === null || significant(Math.abs(c.relative) * 100) > rule.percent)
        .sort((x, y) => byMagnitude(x, y) || byText(x.group, y.group) || byPrediction(x, y));
      if (moved.length === 0) return null;
      return `${plural(moved.length, 'probe prediction', 'probe predictions')} changed by more than ${rule.percent}%: ${named(moved.map((c) => `${c.group} ${c.metric} at prompt ${c.prompt_size} x batch ${c.batch_size} ${value(c.base)} -> ${value(c.head)} (${relativeText(c)})`))}`;
    }
  }
}

function worsened([b, h]: [Status, Status]): boolean {
  return STATUS_RANK[h] > STATUS_RANK[b];
}

// ---------------------------------------------------------------- markdown

function render(diff: Diff, rules: readonly FailRule[], failures: readonly string[]): string {
  const out: string[] = [HEADING, ''];
  const para = (...text: string[]) => out.push(...text, '');
  const changedGroups = diff.groups.filter(groupChanged);
  para(
    `${changedGroups.length} of the ${plural(diff.groups.length, 'group', 'groups')} in both reports changed` +
      (diff.added.length + diff.removed.length > 0 ? `, ${diff.added.length} added, ${diff.removed.length} removed` : '') +
      `; ${plural(diff.appeared.length, 'finding', 'findings')} appeared, ${diff.disappeared.length} disappeared.`,
  );
  if (diff.status[0] !== diff.status[1]) para(`**Overall status:** ${statusChange(diff.status)}`);
  if (diff.bySource.length > 0) {
    para('**Rows per source**', ...diff.bySource.map((s) => `- ${s.source}: ${countChange(s.base, s.head)}`), `- total: ${countChange(diff.rows[0], diff.rows[1])}`);
  }
  if (diff.settings.length > 0) para('**Inputs and settings**', ...diff.settings.map((s) => `- ${s}`));
  if (diff.added.length > 0) {
    para(
      '**Groups added**',
      ...diff.added.flatMap((g) => [
        `- \`${code(g.group)}\`: status ${badge(g.status)}, ${g.repetitions.configurations} configurations, ${g.coverage.rows} rows; findings: ${severityCounts(g.findings)}`,
        ...g.findings.filter((f) => f.severity !== 'info').sort(byFinding).map((f) => `  - ${findingLine(f)}`),
      ]),
    );
  }
  if (diff.removed.length > 0) para('**Groups removed**', ...diff.removed.map((g) => `- \`${code(g.group)}\` (was ${badge(g.status)}, ${g.coverage.rows} rows)`));
  for (const g of changedGroups) renderGroup(g, para);
  const summarised = diff.status[0] !== diff.status[1] || diff.bySource.length > 0 || diff.settings.length > 0 || diff.added.length + diff.removed.length > 0 || changedGroups.length > 0;
  if (!summarised) para('The reports differ only in details this summary does not cover (spread, outliers, anomalies, coverage or emitted-row checks); compare the full reports.');
  if (failures.length > 0) para('**Failed checks**', ...failures.map((f) => `- ${cell(f)}`));
  const passed = rules.map(formatFailRule).filter((r) => !failures.some((f) => f.startsWith(`${r}: `)));
  if (passed.length > 0) para(`Checks passed: ${passed.map((r) => `\`${r}\``).join(', ')}.`);
  return `${out.join('\n').trimEnd()}\n`;
}

function groupChanged(g: GroupDiff): boolean {
  return (
    g.status[0] !== g.status[1] ||
    g.bySource.length + g.medians.changes.length + g.medians.added.length + g.medians.removed.length + g.predictions.changes.length + g.fitError.length > 0 ||
    g.appeared.length + g.disappeared.length + g.severity.length > 0
  );
}

function renderGroup(g: GroupDiff, para: (...text: string[]) => void): void {
  para(`#### ${cell(g.group)}`);
  if (g.status[0] !== g.status[1]) para(`Status: ${statusChange(g.status)}`);
  if (g.bySource.length > 0) para(`Rows per source: ${g.bySource.map((s) => `${s.source} ${countChange(s.base, s.head)}`).join(', ')}`);
  const m = g.medians;
  if (m.changes.length > 0) {
    const perMetric = MEDIAN_METRICS.map((metric) => [metric, m.changes.filter((c) => c.metric === metric).length] as const).filter(([, n]) => n > 0);
    para(
      `**Measured medians**: ${m.changes.length} of ${m.values} values changed in the ${plural(m.shared, 'configuration', 'configurations')} measured in both (${perMetric.map(([metric, n]) => `${metric} ${n}`).join(', ')})${m.changes.length > LARGEST ? `; the ${LARGEST} largest` : ''}:`,
      '',
      '| prompt | batch | tokens | metric | base | head | change |',
      '| ---: | ---: | ---: | --- | ---: | ---: | ---: |',
      ...m.changes.slice(0, LARGEST).map((c) => `| ${c.prompt_size} | ${c.batch_size} | ${c.token_size} | ${c.metric} | ${value(c.base)} | ${value(c.head)} | ${relativeText(c)} |`),
    );
  }
  if (m.removed.length > 0) para(`Configurations no longer measured: ${named(m.removed.map(sizesText), 10)}`);
  if (m.added.length > 0) para(`Configurations newly measured: ${named(m.added.map(sizesText), 10)}`);
  const p = g.predictions;
  if (p.changes.length > 0) {
    para(
      `**Predictions** at the probe points: ${p.changes.length} of ${p.values} values changed${p.changes.length > LARGEST ? `; the ${LARGEST} largest` : ''}:`,
      '',
      '| metric | prompt | batch | base | head | change |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...p.changes.slice(0, LARGEST).map((c) => `| ${c.metric} | ${c.prompt_size} | ${c.batch_size} | ${value(c.base)} | ${value(c.head)} | ${relativeText(c)} |`),
    );
  }
  if (g.fitError.length > 0) para('**Fit error** (leave-one-out mean error)', ...g.fitError.map((c) => `- ${c.metric}: ${fitErrorChange(c.base, c.head)}${c.fit === null ? '' : `; fit ${c.fit[0]} -> ${c.fit[1]}`}`));
  if (g.appeared.length > 0) para('**Findings appeared**', ...g.appeared.map((f) => `- ${findingLine(f)}`));
  if (g.disappeared.length > 0) para('**Findings disappeared**', ...g.disappeared.map((f) => `- ${findingLine(f)}`));
  if (g.severity.length > 0) para('**Findings that changed severity**', ...g.severity.map((s) => `- ${badge(s.from)} -> ${findingLine(s.finding)}`));
}

function findingLine(f: Finding): string {
  return `${badge(f.severity)} \`${f.code}\` ${cell(f.message)}`;
}

function statusChange([b, h]: [Status, Status]): string {
  return `${badge(b)} -> ${badge(h)} (${STATUS_RANK[h] > STATUS_RANK[b] ? 'worse' : 'better'})`;
}

function badge(level: string): string {
  return level === 'fail' || level === 'warn' ? `**${level}**` : level;
}

function severityCounts(findings: readonly Finding[]): string {
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return `${n('fail')} fail, ${n('warn')} warn, ${n('info')} info`;
}

/** `6 -> 5 (-1)` */
function countChange(b: number, h: number): string {
  return `${b} -> ${h} (${h >= b ? '+' : ''}${h - b})`;
}

/** A leave-one-out error as a percentage, its change in percentage points: `4.35% -> 6.1% (+1.75 pp)`. */
function fitErrorChange(b: number | null, h: number | null): string {
  const pct = (x: number | null) => (x === null ? '—' : `${significant(x * 100, 3)}%`);
  const pp = b === null || h === null ? '' : ` (${h >= b ? '+' : ''}${significant((h - b) * 100, 3)} pp)`;
  return `${pct(b)} -> ${pct(h)}${pp}`;
}

function relativeText(c: NumberChange): string {
  if (c.relative === null) return c.base === null ? 'new' : 'gone';
  if (!Number.isFinite(c.relative)) return 'from 0';
  return `${c.relative >= 0 ? '+' : ''}${significant(c.relative * 100, 3)}%`;
}

function value(x: number | null): string {
  return x === null ? '—' : String(x);
}

function sizesText(s: Sizes): string {
  return `(prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size})`;
}

/** The first few items, then "and N more". */
function named(items: readonly string[], most = NAMED): string {
  const shown = items.slice(0, most).join('; ');
  return items.length > most ? `${shown}; and ${items.length - most} more` : shown;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Rounds to `digits` significant digits, so that 0.07 - 0.06 compares as 1 pp, not 1.0000000000000009. */
function significant(x: number, digits = 6): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(digits));
}

/** Escapes text for a Markdown list item or table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Text inside backticks: a backtick would end the code span. */
function code(text: string): string {
  return text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
}

// ---------------------------------------------------------------- ordering

/** Code-point order: the same on every machine, unlike localeCompare. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Largest change first; a value that appeared, disappeared or left 0 counts as the largest. */
function byMagnitude(x: NumberChange, y: NumberChange): number {
  const size = (c: NumberChange) => (c.relative === null ? Infinity : Math.abs(c.relative));
  const d = size(y) - size(x);
  return Number.isNaN(d) ? 0 : d;
}

function bySizes(x: Sizes, y: Sizes): number {
  return x.prompt_size - y.prompt_size || x.batch_size - y.batch_size || x.token_size - y.token_size;
}

function byFinding(x: Finding, y: Finding): number {
  return byText(x.group, y.group) || SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] || byText(x.code, y.code) || byText(x.message, y.message);
}

function byPrediction(x: PredictionChange, y: PredictionChange): number {
  return byText(x.metric, y.metric) || x.prompt_size - y.prompt_size || x.batch_size - y.batch_size;
}

function sizeKey(s: Sizes): string {
  return `${s.prompt_size},${s.batch_size},${s.token_size}`;
}

function sizesOf(s: Sizes): Sizes {
  return { prompt_size: s.prompt_size, batch_size: s.batch_size, token_size: s.token_size };
}
