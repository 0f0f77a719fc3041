import { STUDIED, type Finding, type GroupReport, type QualityReport } from '../stages/report.js';

/** quality-report.md: the report for people, rendered for GitHub. */
export function renderMarkdown(report: QualityReport): string {
  const out: string[] = [];
  const line = (...text: string[]) => out.push(...text);
  const s = report.output.bySource;
  line('# Quality report', '');
  line(`Produced by \`${report.command}\`. Numbers are rounded to ${report.significantDigits} significant digits; thresholds are listed at the end.`, '');
  line('## Summary', '');
  line(`Overall status: **${report.summary.status}**. ${report.output.rows} rows in \`${report.output.file}\`: ${s.measured} measured, ${s.interpolated} interpolated, ${s.extrapolated} extrapolated.`, '');
  line('| group | status | fail | warn | info | LOO error prompt_time | LOO error token_time | rows extrapolated |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const g of report.groups) {
    const c = report.summary.groups.find((x) => x.group === g.group);
    line(`| [${cell(g.group)}](#${anchor(g.group)}) | ${badge(g.status)} | ${c?.fail ?? 0} | ${c?.warn ?? 0} | ${c?.info ?? 0} | ${percent(g.fitQuality.prompt_time?.mape)} | ${percent(g.fitQuality.token_time?.mape)} | ${g.coverage.bySource.extrapolated} |`);
  }
  line('');
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
  for (const g of report.groups) groupSection(g, line);

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

function groupSection(g: GroupReport, line: (...text: string[]) => void): void {
  line(`### ${cell(g.group)}`, '');
  line(`Status: ${badge(g.status)}. ${g.repetitions.configurations} configurations measured, ${g.repetitions.perConfiguration.min}–${g.repetitions.perConfiguration.max} repetitions each (median ${g.repetitions.perConfiguration.median}); ${g.inputs.rowsKept} rows kept, ${g.inputs.duplicatesDropped} exact duplicates dropped.`, '');
  for (const metric of STUDIED) {
    const plot = g.plots[metric];
    if (plot !== undefined) line(`![${cell(g.group)} ${metric}](${encodeURI(plot)})`, '');
  }
  if (g.findings.length > 0) {
    line('Findings:', '');
    for (const f of g.findings) line(`- ${findingLine(f, false)}`);
    line('');
  }
  line('| metric | method | LOO mean error | LOO worst error | worst at x | median CV | max CV | max/min |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const metric of STUDIED) {
    const q = g.fitQuality[metric];
    const sp = g.repetitions.spread[metric as 'prompt_time'];
    line(`| ${metric} | ${q === null || q === undefined ? '—' : `${q.method} on ${q.key}`} | ${percent(q?.mape)} | ${percent(q?.maxApe)} | ${q?.worstX ?? '—'} | ${percent(sp.medianCv)} | ${percent(sp.maxCv)} | ${sp.maxRatio ?? '—'} |`);
  }
  line('');
  const c = g.coverage;
  line(
    `Coverage: measured batch_tokens ${c.batchTokensRange[0]} to ${c.batchTokensRange[1]}; emitted ${c.rows} rows (${c.bySource.measured} measured, ${c.bySource.interpolated} interpolated, ${c.bySource.extrapolated} extrapolated)` +
      (c.maxExtrapolation === null ? '.' : `; furthest extrapolation ${c.maxExtrapolation.factor}x at prompt ${c.maxExtrapolation.prompt_size} x batch ${c.maxExtrapolation.batch_size}.`),
    '',
  );
  line(`Emitted-row checks: ${g.emittedChecks.monotonicity.count} monotonicity violations; power: peak ${g.anomalies.power.peak_power}, average ${g.anomalies.power.average_power}; e2e consistency: ${g.anomalies.e2e.inconsistent} of ${g.anomalies.e2e.checked} configurations off; ${g.outliers.count} outlying repetitions.`, '');
}

export function findingLine(f: Finding, withGroup: boolean): string {
  return `${badge(f.severity)}${withGroup ? ` ${cell(f.group)}` : ''} \`${f.code}\` ${cell(f.message)}`;
}

export function badge(level: string): string {
  return level === 'fail' ? '**fail**' : level === 'warn' ? '**warn**' : level;
}

export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? '—' : `${Number((fraction * 100).toPrecision(3))}%`;
}

/** GitHub's heading anchor: lower case, spaces to dashes, punctuation other than - and _ dropped. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Escapes text for a Markdown table cell or list item. */
export function cell(text: string): string {
  // Names and messages come from the data: none of it may become markup (a table break, a code span, a link, HTML).
  return text
    .replace(/[\\`[\]|]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/[\r\n]+/g, ' ');
}
