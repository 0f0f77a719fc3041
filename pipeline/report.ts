import { median } from './stats.js';
import type { GroupResult, PipelineResult } from './run.js';
import type { MonotonicityViolation } from './types.js';

export const SCHEMA_VERSION = 1;
/** Numbers in the report are rounded to this many significant digits. */
export const SIGNIFICANT_DIGITS = 6;

export type Severity = 'info' | 'warn' | 'fail';

export interface Finding {
  severity: Severity;
  code: string;
  group: string | null;
  message: string;
}

/** Options echoed into the report so a reader knows what produced it. */
export interface ReportContext {
  command: string;
  grid: { prompts: string; batches: string; tokens: string };
  output: string;
}

/** Rounds to SIGNIFICANT_DIGITS so that reruns never differ in the last bits. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(SIGNIFICANT_DIGITS));
}

const pct = (fraction: number) => `${round(fraction * 100)}%`;

/** The quality report as a plain, deterministic object (serialised to quality-report.json). */
export function buildReport(result: PipelineResult, context: ReportContext) {
  const groups = result.groups.map((g) => groupReport(g, result.duplicatesByGroup.get(g.fit.id) ?? 0));
  const findings = groups.flatMap((g) => g.findings);
  const rejectedByCode: Record<string, number> = {};
  for (const r of result.ingest.rejected) rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;
  const bySource = { measured: 0, interpolated: 0, extrapolated: 0 };
  for (const g of result.groups) for (const k of Object.keys(bySource) as (keyof typeof bySource)[]) bySource[k] += g.emitted.bySource[k];
  return {
    schemaVersion: SCHEMA_VERSION,
    significantDigits: SIGNIFICANT_DIGITS,
    command: context.command,
    grid: context.grid,
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
      duplicatesDropped: result.duplicates,
      rowsKept: result.rowsKept,
    },
    output: { file: context.output, rows: result.rows, bySource },
    summary: {
      groups: groups.map((g) => ({ group: g.group, status: g.status, fail: count(g.findings, 'fail'), warn: count(g.findings, 'warn') })),
      topFindings: [...findings].sort((a, b) => rank(b.severity) - rank(a.severity)).slice(0, 8),
    },
    groups,
  };
}

export type QualityReport = ReturnType<typeof buildReport>;

function groupReport(g: GroupResult, duplicates: number) {
  const { fit, configurations, emitted, measuredMonotonicity } = g;
  const counts = configurations.map((c) => c.count);
  const findings: Finding[] = [];
  for (const v of measuredMonotonicity.first) {
    findings.push({ severity: 'warn', code: 'MEASURED_NOT_MONOTONE', group: fit.id, message: describe(v, 'measured median') });
  }
  if (measuredMonotonicity.count > measuredMonotonicity.first.length) {
    findings.push({ severity: 'warn', code: 'MEASURED_NOT_MONOTONE', group: fit.id, message: `${measuredMonotonicity.count - measuredMonotonicity.first.length} more measured drops not listed` });
  }
  if (emitted.monotonicity.count > 0) {
    findings.push({
      severity: 'warn',
      code: 'EMITTED_NOT_MONOTONE',
      group: fit.id,
      message: `${emitted.monotonicity.count} emitted rows are lower than a row with a smaller size; first: ${describe(emitted.monotonicity.first[0] as MonotonicityViolation, 'emitted')}`,
    });
  }
  for (const [metric, clamp] of Object.entries(emitted.clamped)) {
    if (clamp.points === 0 || clamp.first === null) continue;
    findings.push({
      severity: 'warn',
      code: 'EXTRAPOLATION_CLAMPED',
      group: fit.id,
      message: `${metric}: linear extrapolation gave an impossible value at ${clamp.points} (prompt, batch) points (${clamp.rows} rows), e.g. ${round(clamp.first.linear)} at prompt ${clamp.first.prompt_size} x batch ${clamp.first.batch_size}; those rows take the value at the nearest measured end, ${round(clamp.first.clampedTo)}`,
    });
  }
  const status = findings.some((f) => f.severity === 'fail') ? 'fail' : findings.some((f) => f.severity === 'warn') ? 'warn' : 'ok';
  return {
    group: fit.id,
    model: fit.model,
    hardware: fit.hardware,
    tensor_parallel: fit.tensor_parallel,
    status,
    duplicatesDropped: duplicates,
    configurations: configurations.length,
    repetitions: { min: Math.min(...counts), median: median(counts), max: Math.max(...counts) },
    batchTokensRange: fit.range,
    emitted: {
      rows: emitted.rows,
      bySource: emitted.bySource,
      maxExtrapolation:
        emitted.maxExtrapolation === null ? null : { ...emitted.maxExtrapolation, factor: round(emitted.maxExtrapolation.factor) },
      clamped: emitted.clamped,
    },
    monotonicity: {
      measured: { count: measuredMonotonicity.count, first: measuredMonotonicity.first.map(roundViolation) },
      emitted: { count: emitted.monotonicity.count, first: emitted.monotonicity.first.slice(0, 5).map(roundViolation) },
    },
    findings,
  };
}

function roundViolation(v: MonotonicityViolation): MonotonicityViolation {
  return { ...v, from: { ...v.from, value: round(v.from.value) }, to: { ...v.to, value: round(v.to.value) }, drop: round(v.drop) };
}

function describe(v: MonotonicityViolation, what: string): string {
  const at = (s: MonotonicityViolation['from']) => `(prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size})`;
  return `${what} ${v.metric} falls by ${pct(v.drop)} as ${v.along} grows: ${round(v.from.value)} ms at ${at(v.from)} -> ${round(v.to.value)} ms at ${at(v.to)}`;
}

function count(findings: readonly Finding[], severity: Severity): number {
  return findings.filter((f) => f.severity === severity).length;
}

function rank(severity: Severity): number {
  return severity === 'fail' ? 2 : severity === 'warn' ? 1 : 0;
}

/** quality-report.md: the same content for people. */
export function renderMarkdown(report: QualityReport): string {
  const out: string[] = [];
  out.push('# Quality report', '');
  out.push(`Produced by \`${report.command}\`. Numbers are rounded to ${report.significantDigits} significant digits.`, '');
  out.push('## Summary', '');
  out.push(`${report.output.rows} rows written to \`${report.output.file}\`: ${report.output.bySource.measured} measured, ${report.output.bySource.interpolated} interpolated, ${report.output.bySource.extrapolated} extrapolated.`, '');
  out.push('| group | status | fail | warn |', '| --- | --- | ---: | ---: |');
  for (const g of report.summary.groups) out.push(`| ${cell(g.group)} | ${g.status} | ${g.fail} | ${g.warn} |`);
  out.push('');
  if (report.summary.topFindings.length > 0) {
    out.push('Findings that matter most:', '');
    for (const f of report.summary.topFindings) out.push(`- **${f.severity}** ${cell(f.group ?? '')}: ${f.message}`);
    out.push('');
  }
  out.push('## Inputs', '');
  out.push('| file | sha256 | rows read | rejected | unknown columns |', '| --- | --- | ---: | ---: | --- |');
  for (const f of report.inputs.files) out.push(`| ${cell(f.file)} | \`${f.sha256.slice(0, 16)}…\` | ${f.rowsRead} | ${f.rowsRejected} | ${cell(f.unknownColumns.join(', ') || '—')} |`);
  out.push('');
  out.push(`${report.inputs.rowsRead} rows read, ${report.inputs.rowsRejected} rejected, ${report.inputs.duplicatesDropped} exact duplicates dropped, ${report.inputs.rowsKept} kept.`, '');
  out.push('## Groups', '');
  for (const g of report.groups) {
    out.push(`### ${cell(g.group)} — ${g.status}`, '');
    out.push(`- ${g.configurations} configurations, repetitions per configuration min ${g.repetitions.min} / median ${g.repetitions.median} / max ${g.repetitions.max}; ${g.duplicatesDropped} exact duplicates dropped.`);
    out.push(`- measured batch_tokens range: ${g.batchTokensRange[0]} to ${g.batchTokensRange[1]}.`);
    const e = g.emitted;
    out.push(`- emitted ${e.rows} rows: ${e.bySource.measured} measured, ${e.bySource.interpolated} interpolated, ${e.bySource.extrapolated} extrapolated.`);
    if (e.maxExtrapolation !== null) out.push(`- largest extrapolation: ${e.maxExtrapolation.factor}x beyond the measured range, at prompt ${e.maxExtrapolation.prompt_size} x batch ${e.maxExtrapolation.batch_size}.`);
    out.push(`- monotonicity: ${g.monotonicity.measured.count} drops among measured medians, ${g.monotonicity.emitted.count} among emitted rows.`);
    out.push('');
    for (const f of g.findings) out.push(`- **${f.severity}** \`${f.code}\` ${f.message}`);
    if (g.findings.length > 0) out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
