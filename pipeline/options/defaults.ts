import { availableParallelism } from 'node:os';
import { MAX_CONCURRENCY } from '../core/limits.js';
import type { RunOptions } from './types.js';

/** Every default of the generate options, in one place: the resolver applies them, --help shows them. */
export const DEFAULTS = Object.freeze({
  step: 1,
  out: 'data/generated',
  onInvalid: 'error',
  maxRows: 50_000_000,
  method: 'linear',
  tokenKey: 'batch_tokens',
  extrapolate: 'auto',
  coverage: 0.8,
  maxExtrapolationAction: 'error',
  /** Below this many rows, starting worker threads costs more than it saves. */
  workerMinRows: 500_000,
} as const);

/** One worker per core, within the allowed range. */
export function defaultConcurrency(): number {
  return Math.min(Math.max(availableParallelism(), 1), MAX_CONCURRENCY);
}

/** The stages' options with every default applied; `overrides` replace whole fields. Frozen. */
export function runOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  const linear = DEFAULTS.method;
  return deepFreeze({
    grid: { prompts: null, batches: null, tokens: null },
    onInvalid: DEFAULTS.onInvalid,
    strict: false,
    maxRows: DEFAULTS.maxRows,
    concurrency: defaultConcurrency(),
    workerMinRows: DEFAULTS.workerMinRows,
    methods: { prompt_time: linear, token_time: linear, peak_power: linear, average_power: linear },
    tokenKey: DEFAULTS.tokenKey,
    extrapolate: { prompt_time: DEFAULTS.extrapolate, token_time: DEFAULTS.extrapolate, peak_power: DEFAULTS.extrapolate, average_power: DEFAULTS.extrapolate },
    coverage: DEFAULTS.coverage,
    maxExtrapolation: null,
    excludeAnomalies: false,
    uncertainty: false,
    keepDuplicates: false,
    ...overrides,
  });
}

/** Freezes an options object and everything in it, so that no stage can change what another reads. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
