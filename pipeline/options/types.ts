/**
 * Options as the command line gives them, before they are resolved: every
 * field optional, numbers possibly still text. options/generate.ts and
 * options/query.ts turn them into the typed, frozen objects in ../types.ts.
 */
export interface GenerateArgs {
  prompts?: string;
  step?: string | number;
  batches?: string;
  tokens?: string;
  input?: readonly string[];
  out?: string;
  check?: unknown;
  strict?: unknown;
  onInvalid?: unknown;
  maxRows?: string | number;
  method?: readonly string[];
  tokenKey?: unknown;
  extrapolate?: unknown;
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
