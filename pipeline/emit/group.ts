/**
 * One group's parts for its rows: what every slice of it shares (prepared
 * once), and the state of one emission of them.
 */
import type { Configuration, GroupFit } from '../types.js';
import { makePredictors } from '../fit/predict.js';
import { indexMeasured, unionKeys, type MeasuredIndex } from './measured-index.js';
import { PointRows, type GroupContext } from './point.js';
import { LastRow, rowFormat, type RowFormat } from './row-text.js';
import type { EmitTask } from './types.js';

/**
 * What every slice of a group shares, whichever part of it is emitted: built
 * once per group (a worker keeps it for the group's next slices), never
 * changed while rows are written.
 */
export interface PreparedGroup {
  format: RowFormat;
  context: GroupContext;
  rowBytes: number;
  replaced: ReadonlyMap<string, string>;
  gridPrompts: ReadonlySet<number>;
  gridBatches: ReadonlySet<number>;
  gridTokens: ReadonlySet<number>;
  byPrompt: MeasuredIndex;
  /** Every prompt size with a row, in output order: the grid's and the measured ones. */
  prompts: readonly number[];
}

export function prepareGroup(task: EmitTask): PreparedGroup {
  const { grid } = task;
  const format = rowFormat(task.fit, task.errors);
  const byPrompt = indexMeasured(task.configurations);
  return {
    format,
    context: groupContext(task, format),
    rowBytes: format.lead.length + 512,
    replaced: new Map(task.replaced),
    gridPrompts: new Set(grid.prompts),
    gridBatches: new Set(grid.batches),
    gridTokens: new Set(grid.tokens),
    byPrompt,
    prompts: unionKeys(grid.prompts, byPrompt),
  };
}

/**
 * The rows of one emission: the group's shared parts, the task's fields the
 * rows read, and the state of the rows being written. A class, not a spread
 * of the prepared group and the task: every group's then has one hidden
 * class, and the code compiled for one group's rows runs the next group's
 * (tasks a worker is sent arrive in shapes of their own).
 */
export class GroupRows {
  readonly format: RowFormat;
  readonly replaced: ReadonlyMap<string, string>;
  readonly gridPrompts: ReadonlySet<number>;
  readonly gridBatches: ReadonlySet<number>;
  readonly gridTokens: ReadonlySet<number>;
  readonly byPrompt: MeasuredIndex;
  readonly prompts: readonly number[];
  readonly rowBytes: number;
  readonly batches: readonly number[];
  readonly tokens: readonly number[];
  readonly range: readonly [number, number];
  readonly skipBeyond: number | null;
  readonly point: PointRows;
  readonly at = new PointAt();
  readonly last = new LastRow();

  constructor(prepared: PreparedGroup, readonly task: EmitTask) {
    this.format = prepared.format;
    this.replaced = prepared.replaced;
    this.gridPrompts = prepared.gridPrompts;
    this.gridBatches = prepared.gridBatches;
    this.gridTokens = prepared.gridTokens;
    this.byPrompt = prepared.byPrompt;
    this.prompts = prepared.prompts;
    this.rowBytes = prepared.rowBytes;
    this.batches = task.grid.batches;
    this.tokens = task.grid.tokens;
    this.range = task.fit.range;
    this.skipBeyond = task.skipBeyond;
    this.point = new PointRows(prepared.context);
  }
}

/** The point whose rows are being written, and what they share. */
export class PointAt {
  p = 0;
  b = 0;
  measured: Map<number, Configuration> | undefined = undefined;
  /** Only the rows at token sizes off the grid (see promptRows' offGridOnly). */
  offGridOnly = false;
  /** Beyond --max-extrapolation with skip: only measured rows are written. */
  beyond = false;
  /** Whether the point's prediction has been started (at its first predicted row). */
  started = false;
}

/** What every predicted row of the group shares, built once. */
function groupContext(task: EmitTask, format: RowFormat): GroupContext {
  const { fit } = task;
  const tailed = Object.values(fit.fits).some((f) => f !== null && f.tails !== null);
  const smallest = (m: 'prompt_time' | 'token_time') => Math.min(...task.configurations.flatMap((c) => (c.metrics[m] === null ? [] : [c.metrics[m].median])));
  const withoutTails = { ...fit, fits: Object.fromEntries(Object.entries(fit.fits).map(([m, f]) => [m, f === null ? null : { ...f, tails: null }])) as GroupFit['fits'] };
  return {
    fit,
    predictors: makePredictors(fit),
    own: tailed ? makePredictors(withoutTails) : null,
    minimum: { prompt_time: smallest('prompt_time'), token_time: smallest('token_time') },
    validated: task.validated,
    errors: task.errors,
    tails: format.tails,
    lineEnds: { measured: `${format.tails.measured}\n`, interpolated: `${format.tails.interpolated}\n`, extrapolated: `${format.tails.extrapolated}\n` },
  };
}
