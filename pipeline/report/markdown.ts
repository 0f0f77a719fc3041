import { groupMarkdown } from './markdown-group.js';
import { trustMarkdown } from './markdown-trust.js';
import { cell, findingLine, percent, anchor, badge } from './markdown-text.js';
import type { QualityReport } from './types.js';

/** quality-report.md: the report for people, rendered for GitHub. */
export function renderMarkdown(report: QualityReport): string {
  const out: string[] = [];
  const line = (...text: string[]) => out.push(...text);
  const s = report.output.bySource;
  line('# Quality report', '');
  line(`Produced by \`${report.command}\`. Numbers are rounded to ${report.significantDigits} significant digits; thresholds are listed at the end.`, '');
  trustMarkdown(report.trust, line);
  line('## Summary', '');
  line(`Overall status: **${report.summary.status}**. ${report.output.rows} rows in \`${report.output.file}\`: ${s.measured} measured, ${s.interpolated} interpolated, ${s.extrapolated} extrapolated.`, '');
  line('| group | status | fail | warn | info | LOO error prompt_time | LOO error token_time | rows extrapolated |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const counts = new Map(report.summary.groups.map((x) => [x.group, x]));
  for (const g of report.groups) {
    const c = counts.get(g.group);
    line(`| [${cell(g.group)}](#${anchor(g.group)}) | ${badge(g.status)} | ${c?.fail ?? 0} | ${c?.warn ?? 0} | ${c?.info ?? 0} | ${percent(g.fitQuality.prompt_time?.mape)} | ${percent(g.fitQuality.token_time?.mape)} | ${g.coverage.bySource.extrapolated} |`);
  }
  line('');
  const charts = report.output.charts;
  if (charts.groups < charts.of) line(`Charts are drawn for the first ${charts.groups} of the ${charts.of} groups (in group order): more would cost more than the run itself.`, '');
  line(`Mean leave-one-out error over groups: prompt_time ${percent(report.summary.looMape.prompt_time)}, token_time ${percent(report.summary.looMape.token_time)}.`, '');
  if (report.summary.topFindings.length > 0) {
    line('Findings that matter most:', '');
    for (const f of report.summary.topFindings) line(`- ${findingLine(f, true)}`);
    line('');
  }

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

  line('## Groups', '');
  for (const g of report.groups) groupMarkdown(g, line);

  line('## Thresholds', '');
  line('| threshold | value | meaning |', '| --- | --- | --- |');
  const t = report.thresholds;
  line(
    `| outlierZ | ${t.outlierZ} | a repetition is an outlier when its modified z-score, 0.6745 (x - median) / MAD, exceeds this ... |`,
    `| outlierMinRelative | ${t.outlierMinRelative} | ... and it is also this far from the median, relatively |`,
    `| e2eTolerance | ${t.e2eTolerance} | measured e2e_time may differ from prompt_time + (token_size - 1) * token_time by this fraction |`,
    `| monotoneWarnDrop | ${t.monotoneWarnDrop} | a measured median falling by less than this as a size grows is noise (info), more is a warning |`,
    `| monotoneFailDrop | ${t.monotoneFailDrop} | ... and a fall this large or larger is a broken measurement (fail; for e2e_time along token_size, generation that ended early: a warning) |`,
    `| spreadWarnCv | ${t.spreadWarnCv} | repetitions whose coefficient of variation (sample sd / mean) exceeds this disagree |`,
    `| looWarnMape, looWarnMaxApe | ${t.looWarnMape}, ${t.looWarnMaxApe} | leave-one-out mean and worst error above these make a warning |`,
    `| extrapolationWarnFactor | ${t.extrapolationWarnFactor} | extrapolating further than this many times beyond the measured batch_tokens range is a warning |`,
  );
  return `${out.join('\n').trimEnd()}\n`;
}
