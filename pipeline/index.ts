/** The library's public surface; every module here only re-exports. */
export { runPipeline, defaultConcurrency, type PipelineOptions, type Sink } from './run.js';
export { ingest, type IngestSource, type IngestOptions } from './stages/ingest.js';
export { dedupe } from './stages/dedupe.js';
export { aggregate } from './stages/aggregate.js';
export { fit, chooseMethod, type FitOptions } from './stages/fit.js';
export { emitGroup, type EmitOptions } from './emit/rows.js';
export { MonotonicityChecker, checkMeasured } from './checks/monotonicity.js';
export { buildReport, type QualityReport } from './stages/report.js';
export { renderMarkdown } from './report/markdown.js';
export { diffReports, parseFailRule } from './diff/diff.js';
export { loadDatabase, lookup, type Answer, type Query } from './db/lookup.js';
export { linear, loglog, type Interpolator } from './fit/interpolate.js';
export { pchip } from './fit/pchip.js';
export { isotonic, isotonicFit } from './fit/isotonic.js';
export { PerfDbError, isPerfDbError } from './core/errors.js';
export type * from './types.js';
