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
import { resolveGrid } from '../core/grid.js';
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

type Bands = { prompt_time: MetricBands | null; token_time: MetricBands | null };

/** The `most` best suggestions, one per family (`familyOf`: each group's representative; a copy of a group is not measured twice). */
export function measureNext(groups: readonly GroupResult[], grid: Grid, bands: Bands, familyOf: Readonly<Record<string, string>>, most = 5): Suggestion[] {
  const gain = (s: Suggestion) => (s.before - s.after) * s.rows;
  const order = (a: Suggestion, b: Suggestion) => gain(b) - gain(a) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0);
  const best = new Map<string, Suggestion>();
  for (const s of groups.flatMap((g) => groupSuggestions(g, grid, bands)).sort(order)) {
    const family = familyOf[s.group] ?? s.group;
    if (!best.has(family)) best.set(family, s);
  }
  return [...best.values()].sort(order).slice(0, most);
}

/** The stated uncertainty at a factor on one side (1: interior); the err at the largest validated factor beyond it. */
function stated(bands: Bands, side: 'upper' | 'lower', f: number): number | null {
  const one = (b: MetricBands | null) => {
    if (b === null) return null;
    if (f === 1) return bandError(b.interior, 1);
    const band = b[side];
    return band === null ? null : bandError(band, Math.min(f, band.maxFactor));
  };
  const [pt, tt] = [one(bands.prompt_time), one(bands.token_time)];
  return pt === null || tt === null ? null : (pt + tt) / 2;
}

function groupSuggestions(g: GroupResult, grid: Grid, bands: Bands): Suggestion[] {
  const { prompts, batches, tokens } = resolveGrid(grid, g.configurations);
  const [lo, hi] = g.fit.range;
  const rowsAt = new Map<number, number>();
  for (const p of prompts) for (const b of batches) rowsAt.set(p * b, (rowsAt.get(p * b) ?? 0) + tokens.length);
  const maxBatch = Math.max(...g.configurations.map((c) => c.batch_size));
  const tokenCounts = new Map<number, number>();
  for (const c of g.configurations) tokenCounts.set(c.token_size, (tokenCounts.get(c.token_size) ?? 0) + 1);
  const token = [...tokenCounts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 1;
  const out: Suggestion[] = [];
  for (const side of ['upper', 'lower'] as const) {
    const beyond = [...rowsAt].filter(([x]) => (side === 'upper' ? x > hi : x < lo));
    if (beyond.length === 0) continue;
    for (const k of [2, 4, 8, 16]) {
      const xc = side === 'upper' ? hi * k : lo / k;
      const factor = (x: number, end: number) => (side === 'upper' ? x / end : end / x);
      let [rows, before, after] = [0, 0, 0];
      for (const [x, n] of beyond) {
        const old = stated(bands, side, factor(x, side === 'upper' ? hi : lo));
        const inside = side === 'upper' ? x <= xc : x >= xc;
        const now = stated(bands, side, inside ? 1 : factor(x, xc));
        if (old === null || now === null || !(now < old)) continue;
        [rows, before, after] = [rows + n, before + old * n, after + now * n];
      }
      const batch = side === 'upper' ? maxBatch : 1;
      const prompt = Math.max(1, Math.round(xc / batch));
      if (rows > 0) out.push({ group: g.fit.id, prompt_size: prompt, batch_size: batch, token_size: token, rows, before: before / rows, after: after / rows });
    }
  }
  return out;
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
