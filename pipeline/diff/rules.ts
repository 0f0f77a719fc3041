import { quoteValue, usageError } from '../core/errors.js';
import type { Severity, Status } from '../report/types.js';
import { byFinding, byMagnitude, byPrediction, byText, countChange } from './order.js';
import type { Diff, NumberChange } from './types.js';
import { percent } from '../report/markdown-text.js';

/** A check that makes `report:diff` fail (exit 1) when it fires. */
export type FailRule =
  | { kind: 'new-fail' }
  | { kind: 'new-warn' }
  | { kind: 'status-worse' }
  | { kind: 'rows-removed' }
  /** A group's leave-one-out mean error rose by more than `points` percentage points. */
  | { kind: 'loo-increase'; points: number }
  /** A probe prediction changed by more than `percent` percent. */
  | { kind: 'prediction-change'; percent: number };

export const RULE_FORMS = ['new-fail', 'new-warn', 'status-worse', 'loo-increase=PP', 'prediction-change=PCT', 'rows-removed'] as const;

const RULE_HINT = 'PP is percentage points and PCT percent, plain non-negative numbers: --fail-on loo-increase=2 --fail-on prediction-change=0.5';
/** How many items a list or a failure line names before "and N more". */
const NAMED = 3;
const STATUS_RANK: Record<Status, number> = { ok: 0, quirks: 1, warn: 2, fail: 3 };

/** Parses one `--fail-on` value; a usage error (exit 2) lists the accepted forms. */
export function parseFailRule(text: string): FailRule {
  const match = /^([a-z-]+)(?:=(.*))?$/.exec(text.trim());
  const name = match?.[1];
  const value = match?.[2];
  if (value === undefined) {
    if (name === 'new-fail' || name === 'new-warn' || name === 'status-worse' || name === 'rows-removed') return { kind: name };
  } else if (name === 'loo-increase' || name === 'prediction-change') {
    // A plain non-negative decimal: "5", "0.5"; no sign, exponent or unit.
    if (/^\d+(\.\d+)?$/.test(value)) return name === 'loo-increase' ? { kind: name, points: Number(value) } : { kind: name, percent: Number(value) };
    throw usageError('E_BAD_RULE', `--fail-on ${quoteValue(text)}: ${quoteValue(value)} is not a non-negative number; accepted forms: ${RULE_FORMS.join(', ')}`, RULE_HINT);
  }
  throw usageError('E_BAD_RULE', `--fail-on ${quoteValue(text)} is not a rule; accepted forms: ${RULE_FORMS.join(', ')}`, RULE_HINT);
}

/** The rule as written on the command line. */
export function formatFailRule(rule: FailRule): string {
  if (rule.kind === 'loo-increase') return `${rule.kind}=${rule.points}`;
  if (rule.kind === 'prediction-change') return `${rule.kind}=${rule.percent}`;
  return rule.kind;
}

export function uniqueRules(rules: readonly FailRule[]): FailRule[] {
  return [...new Map(rules.map((r) => [formatFailRule(r), r])).values()];
}

/** Why the rule fires, or null when it does not. */
export function evaluate(rule: FailRule, diff: Diff): string | null {
  switch (rule.kind) {
    case 'new-fail':
    case 'new-warn': {
      const severity: Severity = rule.kind === 'new-fail' ? 'fail' : 'warn';
      const found = [...diff.appeared.filter((f) => f.severity === severity), ...diff.severity.filter((s) => s.finding.severity === severity).map((s) => s.finding)].sort(byFinding);
      if (found.length === 0) return null;
      return `${plural(found.length, `finding of severity ${severity}`, `findings of severity ${severity}`)} appeared: ${named(found.map((f) => `${f.group} ${f.code} ${quoteValue(f.message, 160)}`))}`;
    }
    case 'status-worse': {
      const worse = [
        ...(worsened(diff.status) ? [`overall ${diff.status[0]} -> ${diff.status[1]}`] : []),
        ...diff.groups.filter((g) => worsened(g.status)).map((g) => `${g.group} ${g.status[0]} -> ${g.status[1]}`),
      ];
      return worse.length === 0 ? null : `status got worse: ${named(worse)}`;
    }
    case 'rows-removed': {
      const fell = diff.bySource.filter((s) => s.head < s.base);
      return fell.length === 0 ? null : `row count fell: ${fell.map((s) => `${s.source} ${countChange(s.base, s.head)}`).join(', ')}`;
    }
    case 'loo-increase': {
      const rose = diff.groups
        .flatMap((g) => g.fitError)
        .filter((c) => c.base !== null && c.head !== null && significant((c.head - c.base) * 100) > rule.points)
        .sort((x, y) => ((y.head ?? 0) - (y.base ?? 0)) - ((x.head ?? 0) - (x.base ?? 0)) || byText(x.group, y.group) || byText(x.metric, y.metric));
      if (rose.length === 0) return null;
      return `leave-one-out mean error rose by more than ${rule.points} pp in ${plural(rose.length, 'fit', 'fits')}: ${named(rose.map((c) => `${c.group} ${c.metric} ${fitErrorChange(c.base, c.head)}`))}`;
    }
    case 'prediction-change': {
      const moved = diff.groups
        .flatMap((g) => g.predictions.changes)
        .filter((c) => c.relative === null || significant(Math.abs(c.relative) * 100) > rule.percent)
        .sort((x, y) => byMagnitude(x, y) || byText(x.group, y.group) || byPrediction(x, y));
      if (moved.length === 0) return null;
      return `${plural(moved.length, 'probe prediction', 'probe predictions')} changed by more than ${rule.percent}%: ${named(moved.map((c) => `${c.group} ${c.metric} at prompt ${c.prompt_size} x batch ${c.batch_size} ${value(c.base)} -> ${value(c.head)} (${relativeText(c)})`))}`;
    }
  }
}

export function worsened([b, h]: [Status, Status]): boolean {
  return STATUS_RANK[h] > STATUS_RANK[b];
}

// ---------------------------------------------------------------- text

/** A leave-one-out error as a percentage, its change in percentage points: `4.35% -> 6.1% (+1.75 pp)`. */
export function fitErrorChange(b: number | null, h: number | null): string {
  const pp = b === null || h === null ? '' : ` (${h >= b ? '+' : ''}${significant((h - b) * 100, 3)} pp)`;
  return `${percent(b)} -> ${percent(h)}${pp}`;
}

export function relativeText(c: NumberChange): string {
  if (c.relative === null) return c.base === null ? 'new' : 'gone';
  if (!Number.isFinite(c.relative)) return 'from 0';
  return `${c.relative >= 0 ? '+' : ''}${significant(c.relative * 100, 3)}%`;
}

export function value(x: number | null): string {
  return x === null ? '—' : String(x);
}

/** The first few items, then "and N more". */
export function named(items: readonly string[], most = NAMED): string {
  const shown = items.slice(0, most).join('; ');
  return items.length > most ? `${shown}; and ${items.length - most} more` : shown;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Rounds to `digits` significant digits, so that 0.07 - 0.06 compares as 1 pp, not 1.0000000000000009. */
function significant(x: number, digits = 6): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(digits));
}
