import { STUDIED } from './numbers.js';
import { findingKinds, particularFindings } from './markdown-findings.js';
import { badge, cell, findingLine } from './markdown-text.js';
import type { GroupReport } from './types.js';

const count = (n: number) => n.toLocaleString('en-US');

/** The per-group part of quality-report.md: what is particular to each group (the rest is merged across groups). */
export function groupsMarkdown(groups: readonly GroupReport[], line: (...text: string[]) => void): void {
  const kinds = findingKinds(groups);
  line('## Per group', '');
  for (const g of groups) {
    line(`### ${cell(g.group)}`, '');
    line(`${badge(g.status)}: ${repetitionsText(g)}; ${coverageText(g)}.`);
    const plots = STUDIED.flatMap((metric) => (g.plots[metric] === undefined ? [] : [`![${cell(g.group)} ${metric}](${encodeURI(g.plots[metric] as string)})`]));
    if (plots.length > 0) line(plots.join(' '));
    line('');
    const own = particularFindings(g, kinds);
    if (own.length > 0) line(...own.map((f) => `- ${findingLine(f, false)}`), '');
  }
}

/** `19 configurations measured, 5 repetitions each (95 rows kept, 10 exact duplicates dropped)`. */
function repetitionsText(g: GroupReport): string {
  const { min, max, median } = g.repetitions.perConfiguration;
  const each = min === max ? `${min} repetition${min === 1 ? '' : 's'} each` : `${min} to ${max} repetitions each (median ${median})`;
  return `${g.repetitions.configurations} configurations measured, ${each} (${count(g.inputs.rowsKept)} rows kept, ${count(g.inputs.duplicatesDropped)} exact duplicates dropped)`;
}

/** Measured range, emitted rows by source and the furthest extrapolation. */
function coverageText(g: GroupReport): string {
  const c = g.coverage;
  const far = c.maxExtrapolation === null ? '' : `, up to ${c.maxExtrapolation.factor}x beyond the range at prompt ${c.maxExtrapolation.prompt_size} x batch ${c.maxExtrapolation.batch_size}`;
  return `batch_tokens ${count(c.batchTokensRange[0])} to ${count(c.batchTokensRange[1])} measured; ${count(c.rows)} rows emitted (${count(c.bySource.measured)} measured, ${count(c.bySource.interpolated)} interpolated, ${count(c.bySource.extrapolated)} extrapolated${far})`;
}
