/** The findings of quality-report.md: one line per kind and severity that recurs across groups, and what is particular to each group. */
import { FINDINGS, FINDING_CODES, SEVERITIES_WORST_FIRST, type Finding, type FindingCode } from './findings.js';
import { badge, cell } from './markdown-text.js';
import type { GroupReport, Severity } from './types.js';

/** Findings of one code and severity, and the groups they occur in (in group order). */
interface Kind {
  code: FindingCode;
  severity: Severity;
  groups: string[];
}

/** Every kind of finding, worst severity first, then in the findings table's priority order. */
export function findingKinds(groups: readonly GroupReport[]): Kind[] {
  const kinds: Kind[] = [];
  for (const severity of SEVERITIES_WORST_FIRST) {
    for (const code of FINDING_CODES) {
      const having = groups.filter((g) => g.findings.some((f) => f.code === code && f.severity === severity)).map((g) => g.group);
      if (having.length > 0) kinds.push({ code, severity, groups: having });
    }
  }
  return kinds;
}

/** `in all 12 groups`, or `in 3 groups: a, b, c`. */
function where(kind: Kind, total: number): string {
  if (kind.groups.length === total && total > 1) return `in all ${total} groups`;
  return `in ${kind.groups.length} group${kind.groups.length === 1 ? '' : 's'}: ${kind.groups.map(cell).join(', ')}`;
}

/** The kinds that occur in two groups or more, one line each; a kind of one group is listed in full in that group's section. */
export function recurringMarkdown(groups: readonly GroupReport[], line: (...text: string[]) => void): void {
  const recurring = findingKinds(groups).filter((k) => k.groups.length > 1);
  if (recurring.length === 0) return;
  line('## Findings across groups', '');
  line("One line per kind of finding that occurs in more than one group; each group's own numbers for its failures and warnings are in its section below, and every finding with its numbers is in `quality-report.json`.", '');
  for (const k of recurring) line(`- ${badge(k.severity)} \`${k.code}\` ${where(k, groups.length)}: ${FINDINGS[k.code].meaning}`);
  line('');
}

/**
 * What a group's section lists in full: its failures and warnings (their
 * numbers are what a reviewer weighs), and every finding of a kind no other
 * group has.
 */
export function particularFindings(g: GroupReport, kinds: readonly Kind[]): Finding[] {
  const alone = new Set(kinds.filter((k) => k.groups.length === 1).map((k) => `${k.code} ${k.severity}`));
  return g.findings.filter((f) => f.severity === 'fail' || f.severity === 'warn' || alone.has(`${f.code} ${f.severity}`));
}

/** The codes of a group's findings at the severity that set its status: why it has the status it has. */
export function decidedBy(g: GroupReport): string {
  const severity: Severity | null = g.status === 'ok' ? null : g.status === 'quirks' ? 'quirk' : g.status;
  if (severity === null) return '—';
  return [...new Set(g.findings.filter((f) => f.severity === severity).map((f) => f.code))].map((c) => `\`${c}\``).join(', ');
}
