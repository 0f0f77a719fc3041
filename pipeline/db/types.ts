/** Types of the db folder: fits.json, a lookup's question and its answer. */
import type { ExtrapolationPolicy, GroupKey, MetricFit, Source } from '../types.js';

/** fits.json: what is needed to predict any configuration exactly as the database was written. */
export interface FitsFile {
  fitsVersion: number;
  extrapolate: ExtrapolationPolicy;
  /** Grid points further than this factor beyond the measured range were refused or skipped; null: no limit. */
  maxExtrapolation: number | null;
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
  /** Relative uncertainties; null where unknown. */
  prompt_time_err: number | null;
  token_time_err: number | null;
  /** Where the answer came from: a row of perf_db.csv, or the fit. */
  from: 'row' | 'fit';
}

export interface Database {
  fits: FitsFile;
  /** perf_db.csv, read row by row on demand. */
  csvPath: string;
}
