/**
 * The options: as the command line gives them (every field optional, numbers
 * possibly still text), and resolved (every field checked and defaulted,
 * frozen) by options/generate.ts and options/query.ts. Stages receive the
 * resolved ones only.
 */
import type { ExtrapolationPolicy, FitKey, FittedMetric, Grid, MethodChoice } from '../types.js';

/** --max-extrapolation: points further than `factor` times beyond the measured range stop the run, or are skipped. */
export interface MaxExtrapolation {
  factor: number;
  action: 'error' | 'skip';
}

/** What the stages from ingest to validate need: every field resolved, nothing left to default. */
export interface RunOptions {
  readonly grid: Grid;
  readonly onInvalid: 'error' | 'skip';
  /** A monotonicity violation in emitted rows stops the run. */
  readonly strict: boolean;
  /** Refuse grids that would emit more rows than this. */
  readonly maxRows: number;
  /** Groups emitted at once, in worker threads; 1 emits in this thread. The bytes written do not depend on it. */
  readonly concurrency: number;
  /** Grids of fewer rows are emitted in this thread: starting workers costs more than it saves. */
  readonly workerMinRows: number;
  readonly methods: Readonly<Record<FittedMetric, MethodChoice>>;
  /** token_time's x; the other metrics use batch_tokens. */
  readonly tokenKey: FitKey;
  /** Beyond the measured range, per metric: auto (the tail the backtests choose), linear (SplitwiseSim), a tail, or error. */
  readonly extrapolate: Readonly<Record<FittedMetric, ExtrapolationPolicy>>;
  /** The nominal coverage of the err columns' intervals. */
  readonly coverage: number;
  readonly maxExtrapolation: MaxExtrapolation | null;
  /** Leave configurations that break measured monotonicity out of the fit and emit predictions for them. */
  readonly excludeAnomalies: boolean;
  /** Write prompt_time_err and token_time_err after source. */
  readonly uncertainty: boolean;
  /** Keep exact duplicate rows in the medians, as SplitwiseSim's DatabasePerformanceModel does. */
  readonly keepDuplicates: boolean;
}

/** The size lists as the user wrote them, for the report. */
export interface GridText {
  prompts: string;
  batches: string;
  tokens: string;
}

/** A generate run: the stages' options plus where to read and write and what else to make. */
export interface GenerateOptions extends RunOptions {
  /** Input CSV paths (absolute); 'default' reads data/raw, fetching the pinned files first. */
  readonly inputs: readonly string[] | 'default';
  /** The output folder (absolute). */
  readonly out: string;
  readonly plots: boolean;
  readonly timings: boolean;
  /** Regenerate into a scratch folder and compare with `out` instead of writing it. */
  readonly check: boolean;
  /** The command that reproduces the outputs: only the options that change them, in a fixed order. */
  readonly command: string;
  readonly gridText: GridText;
  /** Exit 1, once the outputs are written, when the report's overall status is at least this; null: never. */
  readonly failOnStatus: FailOnStatus | null;
}

/** The statuses --fail-on-status accepts: the report's, but ok (every run would fail). */
export const FAIL_ON_STATUS = ['quirks', 'warn', 'fail'] as const;
export type FailOnStatus = (typeof FAIL_ON_STATUS)[number];

export interface GenerateArgs {
  prompts?: string;
  step?: string | number;
  batches?: string;
  tokens?: string;
  input?: readonly string[];
  out?: string;
  check?: unknown;
  failOnStatus?: unknown;
  strict?: unknown;
  onInvalid?: unknown;
  maxRows?: string | number;
  method?: readonly string[];
  tokenKey?: unknown;
  extrapolate?: readonly string[];
  coverage?: string | number;
  maxExtrapolation?: string | number;
  maxExtrapolationAction?: unknown;
  excludeAnomalies?: unknown;
  keepDuplicates?: unknown;
  uncertainty?: unknown;
  timings?: unknown;
  plots?: unknown;
  concurrency?: string | number;
  workerMinRows?: string | number;
}

export interface QueryArgs {
  model: string;
  hardware: string;
  tp: string | number;
  prompt: string | number;
  batch: string | number;
  tokens: string | number;
}
