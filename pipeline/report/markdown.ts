import { STATUSES } from './findings.js';
import { decidedBy, recurringMarkdown } from './markdown-findings.js';
import { groupsMarkdown } from './markdown-group.js';
import { trustMarkdown } from './markdown-trust.js';
import { badge, cell, headingAnchors, percent } from './markdown-text.js';
import type { QualityReport } from './types.js';

/**
 * quality-report.md: the report for people, rendered for GitHub. It is a
 * reading of quality-report.json, which keeps every fact: findings that
 * recur across groups are one line here, each group's section keeps what is
 * particular to it.
 */
export function renderMarkdown(report: QualityReport): string {
  const out: string[] = [];
  const line = (...text: string[]) => out.push(...text);
  line('# Quality report', '');
  line(`Produced by \`${report.command}\`. Numbers are rounded to ${report.significantDigits} significant digits; every fact, with its numbers, is in \`quality-report.json\`. The status rule and the thresholds are at the end.`, '');
  trustMarkdown(report.trust, line, statusLine(report));
  groupsTable(report, line);
  recurringMarkdown(report.groups, line);
  inputsMarkdown(report, line);
  groupsMarkdown(report.groups, line);
  rulesMarkdown(report, line);
  return `${linkGroups(out).join('\n').trimEnd()}\n`;
}

/** Where a link to group i goes, until the document's headings are known. */
const groupLink = (i: number) => `(#\u0000${i}\u0000)`;

/** The groups table's links pointed at their sections' anchors: the headings of ## Per group, one per group, in order. */
function linkGroups(lines: string[]): string[] {
  const anchors = headingAnchors(lines);
  const start = anchors.findIndex((h) => lines[h.line] === '## Per group');
  const sections = anchors.slice(start + 1).filter((h) => (lines[h.line] as string).startsWith('### '));
  return lines.map((text) => text.replace(/\(#\u0000(\d+)\u0000\)/g, (_, i: string) => `(#${sections[Number(i)]?.anchor ?? ''})`));
}

/** `Status: **fail**: 3 groups fail, 4 warn, 5 have known quirks only, 0 ok.` */
function statusLine(report: QualityReport): string {
  const n = (status: string) => report.summary.groups.filter((g) => g.status === status).length;
  const [ok, quirks, warn, fail] = STATUSES.map(n);
  const rejected = report.inputs.rejectedGroups.length;
  return `Status: ${badge(report.summary.status)}. Of ${report.groups.length} groups, ${fail} fail (do not use as they are), ${warn} warn (usable, some predictions poor), ${quirks} have known quirks of the data only (usable), ${ok} ok${rejected > 0 ? `; ${rejected} groups were rejected entirely` : ''}.`;
}

function groupsTable(report: QualityReport, line: (...text: string[]) => void): void {
  line('## Groups', '');
  line('| group | status | decided by | LOO error prompt_time (worst) | LOO error token_time (worst) | max CV prompt_time / token_time | rows extrapolated |', '| --- | --- | --- | ---: | ---: | ---: | ---: |');
  const loo = (q: QualityReport['groups'][number]['fitQuality']['prompt_time']) => (q?.mape == null ? '—' : `${percent(q.mape)} (${percent(q.maxApe)})`);
  for (const [i, g] of report.groups.entries()) {
    const sp = g.repetitions.spread;
    line(`| [${cell(g.group)}]${groupLink(i)} | ${badge(g.status)} | ${decidedBy(g)} | ${loo(g.fitQuality.prompt_time)} | ${loo(g.fitQuality.token_time)} | ${percent(sp.prompt_time.maxCv)} / ${percent(sp.token_time.maxCv)} | ${g.coverage.bySource.extrapolated.toLocaleString('en-US')} |`);
  }
  line('');
  const charts = report.output.charts;
  if (charts.groups < charts.of) line(`Charts are drawn for the first ${charts.groups} of the ${charts.of} groups (in group order): more would cost more than the run itself.`, '');
  line(`Mean leave-one-out error over groups: prompt_time ${percent(report.summary.looMape.prompt_time)}, token_time ${percent(report.summary.looMape.token_time)}.`, '');
}

function inputsMarkdown(report: QualityReport, line: (...text: string[]) => void): void {
  line('## Inputs', '');
  line('| file | sha256 | bytes | rows read | rejected | unknown columns | optional columns absent |', '| --- | --- | ---: | ---: | ---: | --- | --- |');
  for (const f of report.inputs.files) {
    line(`| ${cell(f.file)} | \`${f.sha256}\` | ${f.bytes} | ${f.rowsRead} | ${f.rowsRejected} | ${cell(f.unknownColumns.join(', ') || '—')} | ${cell(f.missingOptionalColumns.join(', ') || '—')} |`);
  }
  line('');
  line(`${report.inputs.rowsRead} rows read, ${report.inputs.rowsRejected} rejected, ${report.inputs.duplicatesDropped} exact duplicates dropped, ${report.inputs.rowsKept} kept.`);
  const codes = Object.entries(report.inputs.rejectedByCode);
  for (const r of report.inputs.rejectedGroups) line('', `**fail**: every one of the ${r.rows} rows of group ${cell(r.group)} was rejected; it is not in the database.`);
  if (codes.length > 0) line('', `Rejected rows by reason: ${codes.map(([c, n]) => `\`${c}\` ${n}`).join(', ')}. The first ones:`, '', ...report.inputs.rejected.map((r) => `- ${cell(r.file)}:${r.line} \`${r.code}\` ${cell(r.reason)}`));
  line('');
}

function rulesMarkdown(report: QualityReport, line: (...text: string[]) => void): void {
  line('## Status rule and thresholds', '');
  line("A group's status is the worst severity among its findings (info counts as ok, quirk as quirks); the overall status is the worst group's, and fail when a group's every row was rejected. `--fail-on-status warn` (or `fail`) makes the run exit 1 once the outputs are written when the overall status is at least that. The severities:", '');
  const rule = report.summary.severityRule;
  line(`- ${badge('fail')}: ${rule.fail}`, `- ${badge('warn')}: ${rule.warn}`, `- quirk: ${rule.quirk}`, `- info: ${rule.info}`, '');
  line('| threshold | value | meaning |', '| --- | --- | --- |');
  const t = report.thresholds;
  line(
    `| outlierZ | ${t.outlierZ} | a repetition is an outlier when its modified z-score, 0.6745 (x - median) / MAD, exceeds this ... |`,
    `| outlierMinRelative | ${t.outlierMinRelative} | ... and it is also this far from the median, relatively |`,
    `| e2eTolerance | ${t.e2eTolerance} | measured e2e_time may differ from prompt_time + (token_size - 1) * token_time by this fraction (more: a quirk) |`,
    `| monotoneWarnDrop | ${t.monotoneWarnDrop} | a measured median falling by less than this as a size grows is noise (info), more is a quirk |`,
    `| monotoneFailDrop | ${t.monotoneFailDrop} | ... and a fall this large or larger is a broken measurement: fail while the fit uses it, a quirk once --exclude-anomalies leaves it out (e2e_time along token_size, generation that ended early: a quirk) |`,
    `| spreadWarnCv | ${t.spreadWarnCv} | repetitions whose coefficient of variation (sample sd / mean) exceeds this disagree (a quirk) |`,
    `| looWarnMape, looWarnMaxApe | ${t.looWarnMape}, ${t.looWarnMaxApe} | leave-one-out mean and worst error above these make a warning |`,
    `| extrapolationWarnFactor | ${t.extrapolationWarnFactor} | extrapolating further than this many times beyond the measured batch_tokens range is a quirk (the rows say so: err_basis unvalidated) |`,
  );
}
