/** Markdown pieces shared by the report and the report diff: finding lines, badges, percentages, escaped cells. */
import type { Finding } from './findings.js';

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
export function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/**
 * The anchor of every heading of a Markdown document, in order, as GitHub
 * gives them: a heading whose anchor an earlier one took gets -1, then -2, ...
 * (two groups named apart only by punctuation or case link to their own sections).
 * The text is the heading as read, after cell()'s escapes.
 */
export function headingAnchors(lines: readonly string[]): { line: number; anchor: string }[] {
  const taken = new Map<string, number>();
  const out: { line: number; anchor: string }[] = [];
  lines.forEach((text, line) => {
    const heading = /^#{1,6} (.*)$/.exec(text);
    if (heading === null) return;
    const base = anchor((heading[1] as string).replace(/\\(.)/g, '$1').replace(/&lt;/g, '<'));
    let slug = base;
    while (taken.has(slug)) {
      const n = (taken.get(base) as number) + 1;
      taken.set(base, n);
      slug = `${base}-${n}`;
    }
    taken.set(slug, 0);
    out.push({ line, anchor: slug });
  });
  return out;
}

/** Escapes text for a Markdown table cell or list item. */
export function cell(text: string): string {
  // Names and messages come from the data: none of it may become markup (a table break, a code span, a link, HTML).
  return text
    .replace(/[\\`[\]|]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/[\r\n]+/g, ' ');
}
