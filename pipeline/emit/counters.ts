import { extrapolationFactor } from '../core/extrapolation.js';
import type { Clamp } from '../fit/predict.js';
import { FITTED_METRICS } from '../core/columns.js';
import type { ExcludedConfiguration, FittedMetric, Source } from '../types.js';
import type { ClampSummary, EmitSummary } from './types.js';

/** A group's counters; the emitted-row monotonicity check is added by whoever observed the rows. */
export type EmitCounts = Omit<EmitSummary, 'monotonicity'>;

/**
 * What the report learns from emitting one group, counted apart from the
 * rows themselves: rows by source, the furthest extrapolation, clamped
 * predictions, skipped and replaced rows.
 */
export class EmitCounters {
  private readonly bySource: Record<Source, number> = { measured: 0, interpolated: 0, extrapolated: 0 };
  private maxExtrapolation: EmitSummary['maxExtrapolation'] = null;
  private readonly clamped = Object.fromEntries(FITTED_METRICS.map((m) => [m, { points: 0, rows: 0, first: null }])) as Record<FittedMetric, ClampSummary>;
  private skippedBeyondMax = 0;
  private readonly replaced: ExcludedConfiguration[] = [];
  private belowMinimum = 0;
  private beyondValidated = 0;
  private differsFromLinear = 0;

  constructor(
    private readonly group: string,
    private readonly range: readonly [number, number],
  ) {}

  row(source: Source): void {
    // By name, not by a computed key: this runs for every row.
    if (source === 'extrapolated') this.bySource.extrapolated++;
    else if (source === 'interpolated') this.bySource.interpolated++;
    else this.bySource.measured++;
  }

  /** A (prompt, batch) point predicted for `rows` rows (every token size emitted there). */
  point(prompt: number, batch: number, rows: number, prediction: { values: Readonly<Record<FittedMetric, number | null>>; clamped: readonly Clamp[] }): void {
    const factor = extrapolationFactor(prompt * batch, this.range);
    if (factor > 1 && (this.maxExtrapolation === null || factor > this.maxExtrapolation.factor)) {
      this.maxExtrapolation = { factor, prompt_size: prompt, batch_size: batch };
    }
    // Indexed: this runs for every point, and the list is almost always the same frozen empty one.
    const { clamped } = prediction;
    for (let i = 0; i < clamped.length; i++) {
      const { metric, raw } = clamped[i] as Clamp;
      const clamp = this.clamped[metric];
      clamp.points++;
      clamp.rows += rows;
      clamp.first ??= { prompt_size: prompt, batch_size: batch, linear: raw, clampedTo: prediction.values[metric] as number };
    }
  }

  /** What is wrong or new about a predicted point, counted for its `rows` rows. */
  flags(rows: number, flags: { belowMinimum: boolean; beyondValidated: boolean; differsFromLinear: boolean }): void {
    if (flags.belowMinimum) this.belowMinimum += rows;
    if (flags.beyondValidated) this.beyondValidated += rows;
    if (flags.differsFromLinear) this.differsFromLinear += rows;
  }

  skipped(): void {
    this.skippedBeyondMax++;
  }

  replacedRow(entry: ExcludedConfiguration): void {
    this.replaced.push(entry);
  }

  summary(): EmitCounts {
    const { measured, interpolated, extrapolated } = this.bySource;
    return {
      group: this.group,
      rows: measured + interpolated + extrapolated,
      bySource: { ...this.bySource },
      maxExtrapolation: this.maxExtrapolation,
      clamped: this.clamped,
      skippedBeyondMax: this.skippedBeyondMax,
      replaced: this.replaced,
      belowMinimum: this.belowMinimum,
      beyondValidated: this.beyondValidated,
      differsFromLinear: this.differsFromLinear,
    };
  }
}
