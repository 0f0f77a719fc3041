/** Types of the emit folder: one group's work order, and what a worker thread says back. */
import type { ResolvedGrid } from '../core/grid.js';
import type { MetricBands } from '../fit/uncertainty.js';
import type { Configuration, ExcludedConfiguration, FittedMetric, GroupFit, MonotonicitySummary, Source } from '../types.js';

/** One group to emit; plain data, so that it can be sent to a worker thread. */
export interface EmitTask {
  /** The group's place in output order. */
  index: number;
  fit: GroupFit;
  configurations: Configuration[];
  /** The sizes this group is emitted at (the grid, with open dimensions filled from the measurements). */
  grid: ResolvedGrid;
  /** Grid points further than this factor beyond the measured range are skipped and counted; null: none. */
  skipBeyond: number | null;
  /** With --uncertainty: the coverage and each studied metric's calibrated bands, for the err columns; null without. */
  errors: { coverage: number; bands: { prompt_time: MetricBands | null; token_time: MetricBands | null } } | null;
  /** The largest extrapolation factor the backtests validated above and below the range (null: none); rows beyond are counted. */
  validated: { upper: number | null; lower: number | null };
  /** Measured configurations emitted as predictions instead (--exclude-anomalies): configKey and reason. */
  replaced: [key: string, reason: string][];
  /** Only the prompt sizes from index `from` up to `to` (excluded) of the group's, in output order; absent: all. */
  slice?: [from: number, to: number];
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

/**
 * What a worker thread is sent: a slice to emit (its place among the slices,
 * and its prompt indices; with the group's task when the worker's last slice
 * was of another group), or chunks written since, to fill again.
 */
export type WorkerRequest = { type: 'slice'; index: number; slice: EmitTask['slice']; group?: EmitTask } | { type: 'spare'; buffers: ArrayBufferLike[] };

/** What a worker thread says of the slice it was given (its place among the slices). */
export type WorkerReply = { type: 'done'; index: number; summary: EmitSummary; chunks: Uint8Array[] } | { type: 'error'; index: number; error: SerializedError };

/** Counters and checks from emitting one group. */
export interface EmitSummary {
  group: string;
  rows: number;
  bySource: Record<Source, number>;
  monotonicity: MonotonicitySummary;
  /** Largest batch_tokens / nearest measured end among extrapolated rows. */
  maxExtrapolation: { factor: number; prompt_size: number; batch_size: number } | null;
  /** Predictions that extrapolated to an impossible value and were set to the nearest measured end's. */
  clamped: Record<FittedMetric, ClampSummary>;
  /** Grid rows not emitted because they lie beyond --max-extrapolation (with the skip action). */
  skippedBeyondMax: number;
  /** Measured configurations emitted as predictions (with --exclude-anomalies), and why. */
  replaced: ExcludedConfiguration[];
  /** Predicted rows below the group's smallest measured median of prompt_time or token_time. */
  belowMinimum: number;
  /** Extrapolated rows beyond the factor the backtests validated (no err there). */
  beyondValidated: number;
  /** Extrapolated rows whose prompt_time or token_time differs from what SplitwiseSim's model answers (its line, clamped where impossible). */
  differsFromLinear: number;
}

export interface ClampSummary {
  /** (prompt_size, batch_size) points clamped; each covers every token_size emitted there. */
  points: number;
  rows: number;
  /** The first one, with the value linear extrapolation gave. */
  first: { prompt_size: number; batch_size: number; linear: number; clampedTo: number } | null;
}
