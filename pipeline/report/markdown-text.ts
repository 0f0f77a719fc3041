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
