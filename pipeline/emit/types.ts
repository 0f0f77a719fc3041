/** Types of the emit folder: one group's work order, and what a worker thread says back. */
import type { ResolvedGrid } from '../core/grid.js';
import type { Configuration, EmitSummary, ExtrapolationPolicy, GroupFit } from '../types.js';

/** One group to emit; plain data, so that it can be sent to a worker thread. */
export interface EmitTask {
  /** The group's place in output order. */
  index: number;
  fit: GroupFit;
  configurations: Configuration[];
  /** The sizes this group is emitted at (the grid, with open dimensions filled from the measurements). */
  grid: ResolvedGrid;
  extrapolate: ExtrapolationPolicy;
  /** Grid points further than this factor beyond the measured range are skipped and counted; null: none. */
  skipBeyond: number | null;
  /** Append prompt_time_err and token_time_err after source. */
  uncertainty: boolean;
  /** Measured configurations emitted as predictions instead (--exclude-anomalies): configKey and reason. */
  replaced: [key: string, reason: string][];
}

/** An error as it crosses from a worker: `known` only for the project's own PerfDbError. */
export interface SerializedError {
  known: boolean;
  message: string;
  stack?: string;
  code?: string;
  place?: object;
  hint?: string;
  exitCode?: number;
}

export type WorkerReply =
  | { type: 'progress'; group: number; rows: number }
  | { type: 'done'; group: number; summary: EmitSummary }
  | { type: 'error'; group: number; error: SerializedError };
