/**
 * What to measure next: the configurations whose measurement would most
 * reduce the database's stated uncertainty, weighted by the rows they
 * inform. A measurement at batch_tokens x_c beyond a group's range makes the
 * rows between the old end and x_c interior, and brings every row beyond x_c
 * closer (its factor becomes x / x_c); its drop is the sum over those rows of
 * the fall in stated uncertainty (prompt_time_err + token_time_err, at the
 * run's coverage; an unvalidated row counts the largest validated factor's
 * err, a lower bound). Candidates double the range: x_c = x_end · 2, 4, 8, 16
 * (halve it below), measured at the group's largest batch with the prompt
 * that gives x_c, at its most common token size.
 */
import { PerfDbError } from '../core/errors.js';
import { resolveGrid, type ResolvedGrid } from '../core/grid.js';
import { bandError } from '../fit/calibration.js';
import type { MetricBands } from '../fit/uncertainty.js';
import type { Grid, GroupResult } from '../types.js';

export interface Suggestion {
  group: string;
  prompt_size: number;
  batch_size: number;
  token_size: number;
  /** Rows whose stated uncertainty falls. */
  rows: number;
  /** Mean over those rows of (prompt_time_err + token_time_err) / 2, before and after. */
  before: number;
  after: number;
}

export type Bands = { prompt_time: MetricBands | null; token_time: MetricBands | null };

/** The `most` best suggestions, one per family (`familyOf`: each group's representative; a copy of a group is not measured twice). */
export function measureNext(groups: readonly Suggested[], grid: Grid, bands: Bands, familyOf: Readonly<Record<string, string>>, most = 5): Suggestion[] {
  return bestSuggestions([...everySuggestion(groups, grid, bands)].flat(), familyOf, most);
}

/** What a suggestion needs of a group: its fit and measurements, not its rows (so that it can be worked out while they are emitted). */
export type Suggested = Pick<GroupResult, 'fit' | 'configurations'>;

/** Each group's candidate measurements, group by group (a caller may pause between them). */
export function* everySuggestion(groups: readonly Suggested[], grid: Grid, bands: Bands): Generator<Suggestion[]> {
  // Groups emitted on the same sizes with the same measured range get the same sums: each is computed once per call.
  const memo: Memo = { rows: new Map(), sums: new Map() };
  for (const g of groups) yield groupSuggestions(g, grid, bands, memo);
}

/** The `most` best of every group's candidates, one per family. */
export function bestSuggestions(all: readonly Suggestion[], familyOf: Readonly<Record<string, string>>, most = 5): Suggestion[] {
  const gain = (s: Suggestion) => (s.before - s.after) * s.rows;
  const order = (a: Suggestion, b: Suggestion) => gain(b) - gain(a) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0);
  const best = new Map<string, Suggestion>();
  for (const s of [...all].sort(order)) {
    const family = familyOf[s.group] ?? s.group;
    if (!best.has(family)) best.set(family, s);
  }
  return [...best.values()].sort(order).slice(0, most);
}

/** The stated uncertainty at a factor on one side (1: interior); the err at the largest validated factor beyond it. */
function stated(bands: Bands, side: Side, f: number): number | null {
  // Two calls, no closure or array: this runs for every row beyond the range.
  const pt = metricError(bands.prompt_time, side, f);
  const tt = metricError(bands.token_time, side, f);
  return pt === null || tt === null ? null : (pt + tt) / 2;
}

function metricError(b: MetricBands | null, side: Side, f: number): number | null {
  if (b === null) return null;
  if (f === 1) return bandError(b.interior, 1);
  const band = b[side];
  return band === null ? null : bandError(band, Math.min(f, band.maxFactor));
}

type Side = 'upper' | 'lower';
const SIDES: readonly Side[] = ['upper', 'lower'];
const STEPS = [2, 4, 8, 16] as const;

/** Rows of the grid per batch_tokens x, in the order the (prompt, batch) loop first meets each x. */
interface RowsAt {
  key: string;
  xs: Float64Array;
  ns: Float64Array;
}

/** Per candidate step: the rows whose stated uncertainty falls, and the sums of their err before and after (weighted by rows). */
type Sums = { rows: number; before: number; after: number }[];

interface Memo {
  rows: Map<string, RowsAt>;
  sums: Map<string, Sums>;
}

function groupSuggestions(g: Suggested, grid: Grid, bands: Bands, memo: Memo): Suggestion[] {
  const at = rowsAt(resolveGrid(grid, g.configurations), memo.rows);
  const [lo, hi] = g.fit.range;
  const maxBatch = Math.max(...g.configurations.map((c) => c.batch_size));
  const tokenCounts = new Map<number, number>();
  for (const c of g.configurations) tokenCounts.set(c.token_size, (tokenCounts.get(c.token_size) ?? 0) + 1);
  const token = [...tokenCounts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 1;
  const out: Suggestion[] = [];
  for (const side of SIDES) {
    const end = side === 'upper' ? hi : lo;
    const key = `${at.key}|${side}|${end}`;
    let sums = memo.sums.get(key);
    if (sums === undefined) memo.sums.set(key, (sums = sideSums(at, bands, side, end)));
    STEPS.forEach((k, i) => {
      const { rows, before, after } = sums[i] as Sums[number];
      const xc = side === 'upper' ? hi * k : lo / k;
      const batch = side === 'upper' ? maxBatch : 1;
      const prompt = Math.max(1, Math.round(xc / batch));
      if (rows > 0) out.push({ group: g.fit.id, prompt_size: prompt, batch_size: batch, token_size: token, rows, before: before / rows, after: after / rows });
    });
  }
  return out;
}

/** Products up to this are indexed by an array, not a Map (sizes are whole numbers; 4 MiB at most). */
const DIRECT_INDEX = 1 << 20;
/** From this many pairs on, the array is used up to this largest product (1 GiB): a Map may overflow. */
const MAP_ENTRIES = 1 << 24;
const LARGEST_INDEX = 1 << 28;

const isIndex = (v: number) => Number.isInteger(v) && v >= 0;

/** Rows per batch_tokens of the grid (prompts x batches, each at every token size); one per distinct grid. */
function rowsAt({ prompts, batches, tokens }: ResolvedGrid, cache: Map<string, RowsAt>): RowsAt {
  const key = `${prompts.join(',')};${batches.join(',')};${tokens.length}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const largest = prompts.reduce((m, v) => Math.max(m, v), 0) * batches.reduce((m, v) => Math.max(m, v), 0);
  const whole = prompts.every(isIndex) && batches.every(isIndex);
  // Each x's place in xs, plus one (0: not met yet).
  // A Map holds fewer than 2^24 entries: a grid of more (prompt, batch) pairs than that is indexed by an array where it can be.
  const manyPairs = prompts.length * batches.length >= MAP_ENTRIES;
  const direct = whole && (largest <= DIRECT_INDEX || (manyPairs && largest <= LARGEST_INDEX)) ? new Int32Array(largest + 1) : null;
  const index = direct === null ? new Map<number, number>() : null;
  const xs = new Float64Array(prompts.length * batches.length);
  const ns = new Float64Array(xs.length);
  let count = 0;
  for (const p of prompts) {
    for (const b of batches) {
      const x = p * b;
      const i = direct === null ? (index as Map<number, number>).get(x) : (direct[x] as number) - 1;
      if (i === undefined || i < 0) {
        if (direct === null && count === MAP_ENTRIES - 1) throw tooManyProducts(count, largest);
        if (direct === null) (index as Map<number, number>).set(x, count);
        else direct[x] = count + 1;
        xs[count] = x;
        ns[count++] = tokens.length;
      } else ns[i] = (ns[i] as number) + tokens.length;
    }
  }
  const out = { key, xs: xs.subarray(0, count), ns: ns.subarray(0, count) };
  cache.set(key, out);
  return out;
}

function tooManyProducts(count: number, largest: number): PerfDbError {
  return new PerfDbError('E_TOO_MANY_ROWS', `the grid has more than ${count.toLocaleString('en-US')} distinct batch_tokens, up to ${largest.toLocaleString('en-US')}: too many to weigh what to measure next`, { hint: 'narrow --prompts or --batches' });
}

/**
 * Each candidate's sums on one side, added in the order of rowsAt (so the
 * very sums of a loop over every row per candidate): a row's err before does
 * not depend on the candidate and is computed once; beyond every band's
 * largest validated factor the err no longer changes with the factor.
 * Unknown errs are NaN, which no comparison admits.
 */
function sideSums(at: RowsAt, bands: Bands, side: Side, end: number): Sums {
  const upper = side === 'upper';
  const beyond = new Int32Array(at.xs.length);
  let count = 0;
  for (let i = 0; i < at.xs.length; i++) {
    const x = at.xs[i] as number;
    if (upper ? x > end : x < end) beyond[count++] = i;
  }
  const largest = Math.max(1, ...[bands.prompt_time, bands.token_time].map((b) => b?.[side]?.maxFactor ?? 1));
  const held = stated(bands, side, Infinity) ?? NaN;
  const inside = stated(bands, side, 1) ?? NaN;
  const err = (f: number) => (f > largest ? held : (stated(bands, side, f) ?? NaN));
  const xs = new Float64Array(count);
  const ns = new Float64Array(count);
  const old = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const i = beyond[j] as number;
    const x = at.xs[i] as number;
    xs[j] = x;
    ns[j] = at.ns[i] as number;
    old[j] = err(upper ? x / end : end / x);
  }
  return STEPS.map((k) => {
    const xc = upper ? end * k : end / k;
    let rows = 0;
    let before = 0;
    let after = 0;
    for (let i = 0; i < count; i++) {
      const x = xs[i] as number;
      const was = old[i] as number;
      const now = (upper ? x <= xc : x >= xc) ? inside : err(upper ? x / xc : xc / x);
      if (!(now < was)) continue;
      const n = ns[i] as number;
      rows += n;
      before += was * n;
      after += now * n;
    }
    return { rows, before, after };
  });
}

/**
 * Whether the measured configurations form a cross: every configuration with
 * batch > 1 at one prompt size, every other one at batch 1. Then no
 * measurement tests the batch_tokens assumption off the cross, and the
 * returned points would: the group's largest batch_tokens split as (x/4, 4)
 * and (x/16, 16).
 */
export function offCross(g: GroupResult): { crossPrompt: number; points: { prompt_size: number; batch_size: number }[] } | null {
  const batched = g.configurations.filter((c) => c.batch_size > 1);
  const prompts = new Set(batched.map((c) => c.prompt_size));
  if (prompts.size !== 1) return null;
  const crossPrompt = [...prompts][0] as number;
  if (!g.configurations.every((c) => c.batch_size === 1 || c.prompt_size === crossPrompt)) return null;
  const x = g.fit.range[1];
  const points = [4, 16].filter((b) => Number.isInteger(x / b) && x / b !== crossPrompt).map((b) => ({ prompt_size: x / b, batch_size: b }));
  return { crossPrompt, points };
}
