/** The columns of the raw CSV and of perf_db.csv, by role. */

/** Columns that identify a group: one fit per group. */
export const GROUP_COLUMNS = ['model', 'hardware', 'tensor_parallel'] as const;
/** Integer size columns of a configuration. */
export const SIZE_COLUMNS = ['prompt_size', 'batch_size', 'token_size'] as const;
/** Measured metric columns; times are required, the rest optional. */
export const METRICS = ['peak_power', 'average_power', 'prompt_time', 'token_time', 'e2e_time'] as const;
export const REQUIRED_METRICS = ['prompt_time', 'token_time'] as const;
export const OPTIONAL_METRICS = ['e2e_time', 'peak_power', 'average_power'] as const;
/** Metrics fitted on batch_tokens; e2e_time is derived from the times instead. */
export const FITTED_METRICS = ['prompt_time', 'token_time', 'peak_power', 'average_power'] as const;

export const REQUIRED_COLUMNS = ['model', 'hardware', 'tensor_parallel', ...SIZE_COLUMNS, ...REQUIRED_METRICS] as const;
export const KNOWN_COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_METRICS] as const;

/** SplitwiseSim's perf_model.csv column order, then the provenance column. */
export const OUTPUT_COLUMNS = ['model', 'hardware', 'prompt_size', 'batch_size', 'token_size', 'peak_power', 'average_power', 'prompt_time', 'token_time', 'e2e_time', 'tensor_parallel', 'source'] as const;
