import { KEEP_VIOLATIONS } from '../checks/monotonicity.js';
import { FITTED_METRICS } from '../core/columns.js';
import type { FittedMetric } from '../types.js';
import { indexMeasured, unionKeys } from './measured-index.js';
import type { ClampSummary, EmitSummary, EmitTask } from './types.js';

/** Rows per slice, about: small enough that the slices in flight hold little memory, large enough that seeding one costs nothing. */
export const SLICE_ROWS = 1 << 15;

/**
 * Each group's prompt sizes cut into consecutive slices of about `rows` rows,
 * in output order: the units worker threads emit, so that every core is busy
 * whatever the number and the sizes of the groups, and the writer takes each
 * slice's bytes as they come, in order.
 */
export function sliceTasks(tasks: readonly EmitTask[], rows = SLICE_ROWS): EmitTask[] {
  return tasks.flatMap((task) => {
    const byPrompt = indexMeasured(task.configurations);
    const gridPrompts = new Set(task.grid.prompts);
    const perGridPrompt = task.grid.batches.length * task.grid.tokens.length;
    const prompts = unionKeys(task.grid.prompts, byPrompt);
    const slices: EmitTask[] = [];
    let from = 0;
    let count = 0;
    prompts.forEach((p, i) => {
      count += gridPrompts.has(p) ? perGridPrompt : 1;
      if (count >= rows || i === prompts.length - 1) {
        slices.push({ ...task, slice: [from, i + 1] });
        from = i + 1;
        count = 0;
      }
    });
    return slices.length === 0 ? [task] : slices;
  });
}

/** The summary of a whole group from its slices' summaries, in output order: what emitting it in one piece gives. */
export function mergeSummaries(parts: readonly EmitSummary[]): EmitSummary {
  const [first, ...rest] = parts as [EmitSummary, ...EmitSummary[]];
  return rest.reduce(mergeTwo, first);
}

function mergeTwo(a: EmitSummary, b: EmitSummary): EmitSummary {
  const sum = (key: 'rows' | 'skippedBeyondMax' | 'belowMinimum' | 'beyondValidated' | 'differsFromLinear') => a[key] + b[key];
  // In the order of the fields emitChecked gives, so that a merged summary reads (and serialises) as a whole one.
  return {
    group: a.group,
    rows: sum('rows'),
    bySource: { measured: a.bySource.measured + b.bySource.measured, interpolated: a.bySource.interpolated + b.bySource.interpolated, extrapolated: a.bySource.extrapolated + b.bySource.extrapolated },
    // The first point of the largest factor, as one pass keeps it.
    maxExtrapolation: b.maxExtrapolation !== null && (a.maxExtrapolation === null || b.maxExtrapolation.factor > a.maxExtrapolation.factor) ? b.maxExtrapolation : a.maxExtrapolation,
    clamped: Object.fromEntries(FITTED_METRICS.map((m) => [m, mergeClamps(a.clamped[m], b.clamped[m])])) as Record<FittedMetric, ClampSummary>,
    skippedBeyondMax: sum('skippedBeyondMax'),
    replaced: [...a.replaced, ...b.replaced],
    belowMinimum: sum('belowMinimum'),
    beyondValidated: sum('beyondValidated'),
    differsFromLinear: sum('differsFromLinear'),
    monotonicity: {
      count: a.monotonicity.count + b.monotonicity.count,
      first: [...a.monotonicity.first, ...b.monotonicity.first].slice(0, KEEP_VIOLATIONS),
      betweenExtrapolated: a.monotonicity.betweenExtrapolated + b.monotonicity.betweenExtrapolated,
    },
  };
}

function mergeClamps(a: ClampSummary, b: ClampSummary): ClampSummary {
  return { points: a.points + b.points, rows: a.rows + b.rows, first: a.first ?? b.first };
}
