import { beyondFactor } from '../core/extrapolation.js';
import { configKey } from '../core/keys.js';
import type { Configuration } from '../types.js';
import { EmitCounters, type EmitCounts } from './counters.js';
import type { ChunkPool } from './chunk-pool.js';
import { ChunkWriter } from './csv-out.js';
import { GroupRows, prepareGroup, type PreparedGroup } from './group.js';
import { unionKeys } from './measured-index.js';
import { writeMeasured, writePredicted } from './row-text.js';
import type { EmitTask } from './types.js';

/** Called for every emitted row, in output order. */
export type RowObserver = (p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number, extrapolated: boolean) => void;

export interface ChunkOptions {
  /** Bytes per yielded chunk, about; raised where needed so that a chunk holds at least four rows. */
  chunkBytes?: number;
  /** Yield the same buffer each time: the consumer must be done with a chunk before the next is asked for. */
  reuseChunks?: boolean;
  /** A writer shared by the groups emitted one after the other: a group's last rows stay in it for the next group to fill on, and the caller takes the last chunk. */
  writer?: ChunkWriter;
  /** Written chunks given back, filled again before any new one is made (not with `writer`). */
  spare?: ChunkPool;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Streams one group's rows of perf_db.csv (no header) as UTF-8 chunks, in
 * output order. Every measured configuration is emitted once with its medians
 * (`measured`), unless the task replaces it; every other grid point is
 * predicted (see predictPoint) at its x: `interpolated` inside the measured
 * batch_tokens range, `extrapolated` outside, with e2e_time = prompt_time +
 * (token_size - 1) * token_time. Returns the group's counters when done;
 * monotonicity is checked by whoever observes the rows.
 */
export function* emitGroup(
  task: EmitTask,
  onRow: RowObserver,
  chunks: ChunkOptions = {},
  onSeed: RowObserver = () => undefined,
  prepared: PreparedGroup = prepareGroup(task),
): Generator<Uint8Array, EmitCounts, undefined> {
  const g = new GroupRows(prepared, task);
  const reuse = chunks.reuseChunks === true;
  const shared = chunks.writer;
  const out = shared ?? new ChunkWriter(chunks.chunkBytes ?? DEFAULT_CHUNK_BYTES, g.rowBytes, chunks.spare);
  if (shared !== undefined && shared.bound(g.rowBytes)) yield shared.take(reuse);
  const counters = new EmitCounters(task.fit.id, task.fit.range);
  const [from, to] = task.slice ?? [0, g.prompts.length];
  if (from > 0) seed(g, from, onSeed);
  for (let i = from; i < to; i++) yield* promptRows(g, g.prompts[i] as number, out, counters, onRow, reuse, false);
  const last = shared === undefined ? out.finish() : null;
  if (last !== null) yield last;
  return counters.summary();
}

/**
 * The rows at one prompt size, in output order. `offGridOnly` keeps only the
 * rows whose (batch, token) pair is not on the grid: the seed of a slice needs
 * no more from the prompts before the last grid prompt (see seed).
 */
function* promptRows(g: GroupRows, p: number, out: ChunkWriter, counters: EmitCounters, onRow: RowObserver, reuse: boolean, offGridOnly: boolean): Generator<Uint8Array, void, undefined> {
  const { at, skipBeyond, range } = g;
  const measuredB = g.byPrompt.get(p);
  const onGridP = g.gridPrompts.has(p);
  const batches = onGridP ? unionKeys(g.batches, measuredB) : unionKeys([], measuredB);
  // Indexed loops: an iterator held across a yield would be allocated for every point.
  for (let j = 0; j < batches.length; j++) {
    const b = batches[j] as number;
    const measuredT = measuredB?.get(b);
    // Batches taken as the grid gives them are all on it: no lookup.
    const onGridB = batches === g.batches || g.gridBatches.has(b);
    const tokens = onGridP && onGridB ? unionKeys(g.tokens, measuredT) : unionKeys([], measuredT);
    at.p = p;
    at.b = b;
    at.measured = measuredT;
    at.offGridOnly = offGridOnly && onGridB;
    at.beyond = skipBeyond !== null && beyondFactor(p * b, range, skipBeyond);
    at.started = false;
    let k = 0;
    do {
      k = pointRows(g, tokens, k, out, counters, onRow);
      if (out.full) yield out.take(reuse);
    } while (k < tokens.length);
  }
}

/**
 * The point's rows at token sizes tokens[from], tokens[from + 1], ... until
 * the last or until the chunk is full; returns the index after the last row
 * written. A plain function, not a generator, so that its loop is compiled
 * as one.
 */
function pointRows(g: GroupRows, tokens: readonly number[], from: number, out: ChunkWriter, counters: EmitCounters, onRow: RowObserver): number {
  const { format, point, replaced, at } = g;
  const { p, b } = at;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k] as number;
    if (at.offGridOnly && g.gridTokens.has(t)) continue;
    const measured = at.measured?.get(t);
    // Never skip a measured configuration, even one emitted as a prediction.
    if (measured === undefined && at.beyond) {
      counters.skipped();
      continue;
    }
    const c = measured === undefined || replaced.size === 0 ? measured : unlessReplaced(measured, replaced, counters);
    if (c !== undefined) {
      out.bytes(format.lead);
      out.integer(p);
      out.integer(b);
      const [pt, tt, e2e] = writeMeasured(out, format, c, t);
      counters.row('measured');
      onRow(p, b, t, pt, tt, e2e, false);
    } else {
      if (at.started) point.row(t);
      else {
        point.start(p, b, t);
        counters.point(p, b, tokens.length, point);
        at.started = true;
      }
      const e2e = writePredicted(out, g.last, format.lead, point, p, b, t);
      counters.row(point.source);
      counters.flags(1, point);
      onRow(p, b, t, point.promptTime, point.tokenTime, e2e, point.source === 'extrapolated');
    }
    if (out.full) return k + 1;
  }
  return tokens.length;
}

/**
 * Before a slice that starts at prompt index `from`, the rows whose values
 * the monotonicity check carries into it, observed by `onSeed`, neither
 * written nor counted: along prompt_size each row is compared with the last
 * row at the same (batch, token), which is at the last grid prompt before the
 * slice for a pair on the grid (every grid prompt has it, and a row skipped
 * there beyond --max-extrapolation is skipped at every larger prompt too), or
 * at an earlier prompt with measurements for a pair off it.
 */
function seed(g: GroupRows, from: number, onSeed: RowObserver): void {
  let last = from - 1;
  while (last >= 0 && !g.gridPrompts.has(g.prompts[last] as number)) last--;
  const out = new ChunkWriter(1 << 16, g.rowBytes);
  const counters = new EmitCounters(g.task.fit.id, g.task.fit.range);
  for (let i = 0; i < from; i++) {
    const p = g.prompts[i] as number;
    if (i !== last && !g.byPrompt.has(p)) continue;
    // The seed's bytes and counts are the previous slice's: they are dropped here.
    for (const _ of promptRows(g, p, out, counters, onSeed, true, i < last));
  }
}

/** A measured configuration, or undefined when --exclude-anomalies emits the prediction instead (counted). */
function unlessReplaced(c: Configuration, replaced: ReadonlyMap<string, string>, counters: EmitCounters): Configuration | undefined {
  const rule = replaced.get(configKey(c.prompt_size, c.batch_size, c.token_size));
  if (rule === undefined) return c;
  counters.replacedRow({ prompt_size: c.prompt_size, batch_size: c.batch_size, token_size: c.token_size, rule });
  return undefined;
}

