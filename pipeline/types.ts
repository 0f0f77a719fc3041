/**
 * The data model shared between stages: what flows from ingest to the
 * report. The options every stage receives are in options/types.ts; types
 * used inside one folder only live in that folder's types.ts (emit/, report/,
 * plots/, diff/, db/). types.ts files hold no code: any module may import
 * their types.
 */

import type { FITTED_METRICS, METRICS, SIZE_COLUMNS } from './core/columns.js';
import type { EmitSummary } from './emit/types.js';
import type { Residual } from './fit/backtests.js';
import type { Trust } from './fit/trust.js';
import type { ConfigModel } from './fit/models.js';
import type { TailKind, TailSpec } from './fit/tails.js';
import type { Suggestion } from './report/measure-next.js';

export type Metric = (typeof METRICS)[number];
export type FittedMetric = (typeof FITTED_METRICS)[number];
export type SizeColumn = (typeof SIZE_COLUMNS)[number];

/** A metric value per metric; null where the column was absent from the input. */
export type Metrics = Record<Metric, number | null>;

export interface GroupKey {
  model: string;
  hardware: string;
  tensor_parallel: number;
}

export interface ConfigKey extends GroupKey {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

/** One validated input row. */
export interface Measurement extends ConfigKey {
  metrics: Metrics;
  /** Where the row came from, for messages and the report. */
  file: string;
  line: number;
}

/** A CSV text to read: its name for messages and its bytes, in chunks. */
export interface IngestSource {
  file: string;
  /** Its name in the outputs (the report, rejected.csv), the same from any working folder; `file` when not given. */
  recorded?: string;
  chunks: AsyncIterable<Uint8Array | string>;
}

/** What ingest learned about one input file. */
export interface InputFileSummary {
  file: string;
  sha256: string;
  bytes: number;
  rowsRead: number;
  rowsRejected: number;
  columns: string[];
  unknownColumns: string[];
  missingOptionalColumns: string[];
}

/** A row that was refused under `--on-invalid skip`. */
export interface RejectedRow {
  file: string;
  line: number;
  column: number | undefined;
  code: string;
  reason: string;
  /** `model/hardware/tp=N` as written in the row, when those fields could be read. */
  group: string | null;
}

export interface IngestResult {
  files: InputFileSummary[];
  rows: Measurement[];
  rejected: RejectedRow[];
}

export interface DedupeResult {
  rows: Measurement[];
  /** Exact duplicates dropped, per group id. */
  duplicatesByGroup: Map<string, number>;
  duplicates: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** One configuration: medians over its repetitions. */
export interface Configuration extends ConfigKey {
  count: number;
  metrics: Record<Metric, Spread | null>;
  /** The repetitions' values per metric, sorted ascending, for the report. */
  repetitions: Record<Metric, number[]>;
}

/** A knot series: sorted distinct x with one y each, and how many rows made each y. */
export interface Knots {
  x: number[];
  y: number[];
  count: number[];
  /** Coefficient of variation (sample sd / mean) of the rows pooled at each x; 0 for a single row. */
  spread: number[];
}

/** What a fit's x is: batch_tokens = prompt_size * batch_size (SplitwiseSim's key), or batch_size. */
export type FitKey = 'batch_tokens' | 'batch_size';
/** Interpolators on x, and `decode`: token_time from the decode model of the configuration (fit/models.ts). */
export type MethodName = InterpolatorName | 'decode';
export type InterpolatorName = 'linear' | 'pchip' | 'isotonic' | 'loglog';
/** A method choice per metric: a method, or `auto` (chosen per group by leave-one-out). */
export type MethodChoice = MethodName | 'auto';
/** Outside the measured range: the method's own extrapolation, the nearest end's value, or an error. */
export type ExtrapolationPolicy = 'auto' | 'linear' | 'error' | TailKind;

/** How one candidate method scored when `auto` chose. */
export interface CandidateScore {
  method: InterpolatorName;
  /** loglog needs positive values. */
  applicable: boolean;
  /** Leave-one-out mean / worst absolute percentage error over the interior knots. */
  mape: number | null;
  maxApe: number | null;
  /** Whether its emitted values never fall as x grows (null: not required for this metric). */
  monotone: boolean | null;
}

export interface MetricFit {
  metric: FittedMetric;
  method: MethodName;
  key: FitKey;
  knots: Knots;
  /** Leave-one-out of the method over the interior knots: x left out and the error there. */
  loo: { x: number[]; ape: number[] };
  /** With `auto`: every candidate's score (the chosen one is `method`); null for a fixed method. */
  candidates: CandidateScore[] | null;
  /** The hardware model of the metric (fit/models.ts) on the group's sound configurations; null when it has none. */
  model: ConfigModel | null;
  /** Beyond the measured range: a tail on each side, or null for the method's own extrapolation (SplitwiseSim's line). */
  tails: { upper: TailSpec; lower: TailSpec } | null;
}

/** A measured configuration left out of the fit. */
export interface ExcludedConfiguration extends ConfigKeySizes {
  rule: string;
}

export interface GroupFit extends GroupKey {
  id: string;
  /** Per fitted metric; null when the metric was not in the input. */
  fits: Record<FittedMetric, MetricFit | null>;
  /** Measured batch_tokens range of prompt_time: [min, max]; rows outside are extrapolated. */
  range: [number, number];
  /** Configurations left out of the fit (with --exclude-anomalies), with the rule that caught each. */
  excluded: ExcludedConfiguration[];
}

export interface Grid {
  /** null means "the group's measured values". */
  prompts: number[] | null;
  batches: number[] | null;
  tokens: number[] | null;
}

export type Source = 'measured' | 'interpolated' | 'extrapolated';

/** A monotonicity violation between two rows of one group. */
export interface MonotonicityViolation {
  group: string;
  metric: 'prompt_time' | 'token_time' | 'e2e_time';
  /** The size column that grew. */
  along: SizeColumn;
  from: ConfigKeySizes & { value: number };
  to: ConfigKeySizes & { value: number };
  /** (from - to) / from: how much the metric dropped, relative. */
  drop: number;
}

export interface ConfigKeySizes {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

export interface MonotonicitySummary {
  count: number;
  /** Of them, falls along prompt_size or batch_size between two extrapolated rows: a tail that falls. */
  betweenExtrapolated: number;
  /** The first few, in emission order. */
  first: MonotonicityViolation[];
}


/** A group after the fit stage: its fit, its configurations and rows, ready to emit. */
export interface GroupPlan {
  fit: GroupFit;
  /** The group's deduplicated input rows. */
  measurements: Measurement[];
  configurations: Configuration[];
  /** token_time's leave-one-out error keyed on batch_tokens and on batch_size, for the report. */
  tokenKeys: TokenKeyComparison | null;
  /** Configurations with a broken measurement (checks/broken.ts), left out of the backtests and models: configKeys. */
  broken: string[];
  /** The backtests of each fitted metric (fit/backtests.ts). */
  evidence: Partial<Record<FittedMetric, Residual[]>>;
}

export interface TokenKeyComparison {
  /** The method token_time is fitted with. */
  method: MethodName;
  byKey: { key: FitKey; knots: number; linear: number | null; method: number | null }[];
}

/** Everything the report needs to know about one run. */
export interface PipelineResult {
  ingest: Omit<IngestResult, 'rows'>;
  rowsKept: number;
  duplicates: number;
  duplicatesByGroup: Map<string, number>;
  groups: GroupResult[];
  trust: Trust;
  rows: number;
  /** Every group's candidate next measurements (report/measure-next.ts), worked out while the rows were emitted; absent: the report works them out. */
  suggestions?: Suggestion[];
  /** Milliseconds spent in each stage, in order (for --timings). */
  timings: [stage: string, ms: number][];
}

/** What the fit stage hands on: every group's plan, and the run-wide verdict of the backtests. */
export interface FitResult {
  plans: GroupPlan[];
  trust: Trust;
}

export interface GroupResult extends GroupPlan {
  measuredMonotonicity: MonotonicitySummary;
  emitted: EmitSummary;
}
