import { findCopies } from '../checks/measured.js';
import { findLookalikes } from '../checks/names.js';
import { compareStrings, groupedBy } from '../core/keys.js';
import { groupFacts } from '../report/facts.js';
import { finding, SEVERITY_RULE, topFindings, worst, type Finding } from '../report/findings.js';
import { round, SCHEMA_VERSION, SIGNIFICANT_DIGITS, STUDIED, THRESHOLDS } from '../report/numbers.js';
import { groupRules } from '../report/rules.js';
import { groupSection } from '../report/sections.js';
import { trustSection } from '../report/trust.js';
import type { GroupReport, QualityReport, Status } from '../report/types.js';
import type { PipelineResult, Source } from '../types.js';
import type { GenerateOptions } from '../options/types.js';

export type ReportOptions = Pick<GenerateOptions, 'command' | 'gridText' | 'grid' | 'methods' | 'tokenKey' | 'extrapolate' | 'coverage' | 'maxExtrapolation' | 'excludeAnomalies' | 'uncertainty'>;

/** Plot file per group id and metric, relative to the report, when plots are drawn. */
export type PlotFiles = ReadonlyMap<string, GroupReport['plots']>;

/**
 * The report stage: the quality report as a plain, deterministic object
 * (serialised to quality-report.json; rendered by report/markdown.ts).
 * Findings come from report/rules.ts, sections from report/sections.ts.
 */
/** `charted`: how many groups, the first in group order, have charts. */
export function buildReport(result: PipelineResult, options: ReportOptions, plots: PlotFiles = new Map(), charted = result.groups.length): QualityReport {
  const copies = findCopies(
    result.groups.map((g) => ({ id: g.fit.id, configurations: g.configurations })),
    ['prompt_time', 'token_time', 'e2e_time', 'peak_power', 'average_power'],
  );
  const lookalikes = findLookalikes(result.groups.map((g) => ({ id: g.fit.id, model: g.fit.model, hardware: g.fit.hardware })));
  const copiesOf = groupedBy(copies, (c) => c.group);
  const lookalikesOf = groupedBy(lookalikes, (l) => l.group);
  const groups = result.groups.map((g) => {
    const facts = groupFacts(g, copiesOf.get(g.fit.id) ?? [], lookalikesOf.get(g.fit.id) ?? []);
    return groupSection(facts, groupRules(facts), { duplicates: result.duplicatesByGroup.get(g.fit.id) ?? 0, plots: plots.get(g.fit.id) ?? {} });
  });
  // Groups whose every row was rejected are not in the database: say so at the top.
  const rejectedGroups = rejectedOnly(result);
  const findings: Finding[] = [
    ...rejectedGroups.map((r) => finding('GROUP_ALL_REJECTED', 'fail', r.group, `every one of its ${r.rows} rows was rejected; the group is not in the database`)),
    ...groups.flatMap((g) => g.findings),
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    significantDigits: SIGNIFICANT_DIGITS,
    command: options.command,
    grid: options.gridText,
    method: {
      methods: { ...options.methods },
      tokenKey: options.tokenKey,
      extrapolate: { ...options.extrapolate },
      coverage: options.coverage,
      maxExtrapolation: options.maxExtrapolation?.factor ?? null,
      excludeAnomalies: options.excludeAnomalies,
      uncertainty: options.uncertainty,
    },
    thresholds: THRESHOLDS,
    inputs: inputs(result, rejectedGroups),
    output: { file: 'perf_db.csv', rows: result.rows, bySource: bySource(result), charts: { groups: charted, of: result.groups.length } },
    trust: trustSection(result, options.grid),
    summary: {
      status: worst([...groups.map((g) => g.status), ...(rejectedGroups.length > 0 ? (['fail'] as Status[]) : [])]),
      severityRule: SEVERITY_RULE,
      groups: groups.map((g) => ({ group: g.group, status: g.status, ...severityCounts(g.findings) })),
      looMape: looMean(groups),
      topFindings: topFindings(findings),
    },
    groups,
  };
}

function inputs(result: PipelineResult, rejectedGroups: { group: string; rows: number }[]): QualityReport['inputs'] {
  const rejectedByCode: Record<string, number> = {};
  for (const r of result.ingest.rejected) rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;
  return {
    files: result.ingest.files.map((f) => ({ file: f.file, sha256: f.sha256, bytes: f.bytes, rowsRead: f.rowsRead, rowsRejected: f.rowsRejected, unknownColumns: f.unknownColumns, missingOptionalColumns: f.missingOptionalColumns })),
    rowsRead: result.ingest.files.reduce((s, f) => s + f.rowsRead, 0),
    rowsRejected: result.ingest.rejected.length,
    rejectedByCode,
    rejected: result.ingest.rejected.slice(0, 20).map((r) => ({ file: r.file, line: r.line, code: r.code, reason: r.reason })),
    rejectedGroups,
    duplicatesDropped: result.duplicates,
    rowsKept: result.rowsKept,
  };
}

function bySource(result: PipelineResult): Record<Source, number> {
  const out: Record<Source, number> = { measured: 0, interpolated: 0, extrapolated: 0 };
  for (const g of result.groups) for (const k of Object.keys(out) as Source[]) out[k] += g.emitted.bySource[k];
  return out;
}

function severityCounts(findings: readonly Finding[]) {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  return { fail: count('fail'), warn: count('warn'), quirk: count('quirk'), info: count('info') };
}

/** Mean over groups of each studied metric's leave-one-out mean error (each group's already rounded). */
function looMean(groups: readonly GroupReport[]): QualityReport['summary']['looMape'] {
  const mean = (metric: 'prompt_time' | 'token_time') => {
    const mapes = groups.flatMap((g) => (g.fitQuality[metric]?.mape == null ? [] : [g.fitQuality[metric].mape]));
    return mapes.length === 0 ? null : round(mapes.reduce((s, v) => s + v, 0) / mapes.length);
  };
  return { prompt_time: mean(STUDIED[0] as 'prompt_time'), token_time: mean(STUDIED[1] as 'token_time') };
}

/** Groups seen only in rejected rows, with how many rows each lost. */
function rejectedOnly(result: PipelineResult): { group: string; rows: number }[] {
  const kept = new Set(result.groups.map((g) => g.fit.id));
  const counts = new Map<string, number>();
  for (const r of result.ingest.rejected) {
    if (r.group !== null && !kept.has(r.group)) counts.set(r.group, (counts.get(r.group) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => compareStrings(a, b)).map(([group, rows]) => ({ group, rows }));
}

