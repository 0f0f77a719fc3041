import type { Finding } from '../report/findings.js';
import type { Severity, Status } from '../report/types.js';
import { describeConfig } from '../core/format.js';
import { MEDIAN_METRICS } from './compare.js';
import { byFinding, code, countChange } from './order.js';
import type { Diff, GroupDiff } from './types.js';
import { fitErrorChange, formatFailRule, named, plural, relativeText, value, worsened, type FailRule } from './rules.js';
import { badge, cell, findingLine } from '../report/markdown-text.js';

export const HEADING = '### Quality report diff';
/** How many of the largest changes each table names. */
const LARGEST = 5;

/** The pull-request comment: what changed, then the checks that failed and passed. */
export function render(diff: Diff, rules: readonly FailRule[], failures: readonly string[]): string {
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
        ...g.findings.filter((f) => f.severity !== 'info').sort(byFinding).map((f) => `  - ${findingLine(f, false)}`),
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
  if (m.removed.length > 0) para(`Configurations no longer measured: ${named(m.removed.map(describeConfig), 10)}`);
  if (m.added.length > 0) para(`Configurations newly measured: ${named(m.added.map(describeConfig), 10)}`);
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
  if (g.appeared.length > 0) para('**Findings appeared**', ...g.appeared.map((f) => `- ${findingLine(f, false)}`));
  if (g.disappeared.length > 0) para('**Findings disappeared**', ...g.disappeared.map((f) => `- ${findingLine(f, false)}`));
  if (g.severity.length > 0) para('**Findings that changed severity**', ...g.severity.map((s) => `- ${badge(s.from)} -> ${findingLine(s.finding, false)}`));
}

function statusChange(status: [Status, Status]): string {
  return `${badge(status[0])} -> ${badge(status[1])} (${worsened(status) ? 'worse' : 'better'})`;
}

function severityCounts(findings: readonly Finding[]): string {
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return `${n('fail')} fail, ${n('warn')} warn, ${n('quirk')} quirk, ${n('info')} info`;
}

