/** The library's public surface; every module here only re-exports. */
export { runPipeline, defaultConcurrency, type PipelineOptions, type Sink } from './run.js';
export { ingest, type IngestSource, type IngestOptions } from './ingest.js';
export { dedupe } from './dedupe.js';
export { aggregate } from './aggregate.js';
export { fit, chooseMethod, type FitOptions } from './fit.js';
export { emitGroup, type EmitOptions } from './emit.js';
export { MonotonicityChecker, checkMeasured } from './validate.js';
export { buildReport, type QualityReport } from './report.js';
export { renderMarkdown } from './report-markdown.js';
export { diffReports, parseFailRule } from './report-diff.js';
export { loadDatabase, lookup, type Answer, type Query } from './database.js';
export { linear, loglog, type Interpolator } from './interpolate.js';
export { pchip } from './pchip.js';
export { isotonic, isotonicFit } from './isotonic.js';
export { PerfDbError, isPerfDbError } from './errors.js';
export type * from './types.js';
