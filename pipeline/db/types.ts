/** Types of the db folder: fits.json, a lookup's question and its answer. */
import type { ErrBasis, MetricBands } from '../fit/uncertainty.js';
import type { ExtrapolationPolicy, FittedMetric, GroupKey, MetricFit, Source } from '../types.js';

/** fits.json: what is needed to predict any configuration exactly as the database was written, with its intervals. */
export interface FitsFile {
  fitsVersion: number;
  /** Rows of the perf_db.csv written with it: a lookup that misses a row checks the file is whole. */
  rows: number;
  extrapolate: Record<FittedMetric, ExtrapolationPolicy>;
  /** Grid points further than this factor beyond the measured range were refused or skipped; null: no limit. */
  maxExtrapolation: number | null;
  /** The nominal coverage of the intervals, and each studied metric's calibrated bands. */
  coverage: number;
  bands: { prompt_time: MetricBands | null; token_time: MetricBands | null };
  groups: FitsGroup[];
}

export interface FitsGroup extends GroupKey {
  id: string;
  range: [number, number];
  fits: { prompt_time: MetricFit; token_time: MetricFit };
}

export interface Query extends GroupKey {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

export interface Answer {
  prompt_time: number;
  token_time: number;
  e2e_time: number;
  source: Source;
  /** Relative half-widths of the central interval of nominal coverage `coverage`; null where unknown or unvalidated. */
  prompt_time_err: number | null;
  token_time_err: number | null;
  coverage: number;
  err_basis: ErrBasis | null;
  /** How many times beyond the measured batch_tokens range the configuration lies (1 inside). */
  factor: number;
  /** Metrics whose own extrapolation was impossible and took the nearest end's value instead. */
  clamped: FittedMetric[];
  /** Where the answer came from: a row of perf_db.csv, or the fit. */
  from: 'row' | 'fit';
  /** The group's measured batch_tokens range, and on which side of it the configuration lies (null: inside). */
  range: [number, number];
  beyond: 'above' | 'below' | null;
  /** The furthest factor the frontier backtests reached on that side (null inside, or with no backtest there). */
  validatedFactor: number | null;
  /** Metrics whose tail held the value flat beyond the range. */
  held: HeldMetric[];
}

/** A value beyond the range that the tail held at the end knot's value, or (below the range) at the group's smallest measured median. */
export interface HeldMetric {
  metric: 'prompt_time' | 'token_time';
  at: 'end' | 'floor';
  value: number;
}

export interface Database {
  fits: FitsFile;
  /** perf_db.csv, read row by row on demand. */
  csvPath: string;
}
