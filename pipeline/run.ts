/**
 * The one place the stages are composed:
 * ingest -> dedupe -> aggregate -> fit -> emit -> validate -> (plots) -> report.
 * runPipeline runs the stages on sources into a sink; generate and check add
 * the inputs, the output transaction, the plots and the report files.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_CHARTED_GROUPS } from './core/limits.js';
import { fitsFile } from './db/fits-file.js';
import { compareTrees } from './io/compare.js';
import { checkOutputsSpareInputs } from './io/clobber.js';
import { defaultInputs, openInput, STDIN } from './io/inputs.js';
import { csvOutput, OWNED, withOutput, writeRejected, type FileSink } from './io/outputs.js';
import { chartBundles } from './io/bundles.js';
import { checkScratch } from './io/scratch.js';
import { readSettled, settled } from './io/settled.js';
import { pageGroupPieces, pageGroups, type PageGroup } from './page/groups.js';
import { reportPage } from './page/page.js';
import { chartSeries } from './plots/draw.js';
import { startPlotWorker, type PlotJob } from './plot-thread.js';
import { reportJson } from './report/json.js';
import { renderMarkdown } from './report/markdown.js';
import { everySuggestion } from './report/measure-next.js';
import { studiedBands } from './report/trust.js';
import type { QualityReport } from './report/types.js';
import { aggregate } from './stages/aggregate.js';
import { dedupe } from './stages/dedupe.js';
import { emit, startEmitWorkers, type Sink } from './stages/emit.js';
import { fit } from './stages/fit.js';
import { ingest, type IngestSource } from './stages/ingest.js';
import { buildReport } from './stages/report.js';
import { validate } from './stages/validate.js';
import type { Trust } from './fit/trust.js';
import type { GroupPlan, PipelineResult } from './types.js';
import type { GenerateOptions, RunOptions } from './options/types.js';

export interface RunIo {
  onProgress?: (rows: number, total: number) => void;
  /** Called once the groups are fitted, before any row is emitted (the plots start there). */
  onFitted?: (plans: readonly GroupPlan[], trust: Trust) => void;
}

/** The stages from ingest to validate: perf_db.csv into the sink, and what the report needs. */
export async function runPipeline(sources: readonly IngestSource[], options: RunOptions, sink: Sink, io: RunIo): Promise<PipelineResult> {
  const lap = stopwatch();
  const ingested = await ingest(sources, options);
  lap('ingest');
  const deduped = dedupe(ingested.rows, options, ingested.files.map((f) => f.rowsRead - f.rowsRejected));
  lap('dedupe');
  const configurations = aggregate(deduped.rows);
  lap('aggregate');
  // Workers the rows will be emitted in start now: their start-up overlaps with the fit.
  const early = startEmitWorkers(configurations, options);
  let fitted: ReturnType<typeof fit>;
  try {
    fitted = fit(deduped.rows, configurations, options);
    lap('fit');
    io.onFitted?.(fitted.plans, fitted.trust);
  } catch (error) {
    // Until emit takes them, nothing else stops them.
    await early?.stop();
    throw error;
  }
  const { plans, trust } = fitted;
  const emitting = emit(plans, trust, options, { sink, ...io, early });
  // Awaited below: a failure meanwhile is not left unhandled.
  emitting.catch(() => undefined);
  const suggestions = await alongside(everySuggestion(plans, options.grid, studiedBands(trust)));
  const { summaries: emitted, workers } = await emitting;
  const measured = validate(plans, emitted, options);
  lap(`emit + validate + write${workers > 0 ? ` (${workers} workers)` : ''}`);
  const { rows: _rows, ...ingestSummary } = ingested;
  return {
    ingest: ingestSummary,
    rowsKept: deduped.rows.length,
    duplicates: deduped.duplicates,
    duplicatesByGroup: deduped.duplicatesByGroup,
    groups: plans.map((plan, i) => ({ ...plan, measuredMonotonicity: measured[i]!, emitted: emitted[i]! })),
    trust,
    rows: emitted.reduce((sum, g) => sum + g.rows, 0),
    suggestions,
    timings: lap.timings,
  };
}

/**
 * The pieces' results, one piece per turn of the event loop, so that the
 * rows' writer keeps up meanwhile (the report's work on this thread, while
 * the rows are emitted); no more pieces once `abandoned` says the run failed.
 */
async function alongside<T>(pieces: Iterable<T[]>, abandoned: () => boolean = () => false): Promise<T[]> {
  const out: T[] = [];
  for (const piece of pieces) {
    if (abandoned()) break;
    out.push(...piece);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

export interface Generated {
  result: PipelineResult;
  report: QualityReport;
}

/** One run into options.out, all or nothing; plots unchanged since `plotCache` (default: the output folder) are reused. */
export async function generate(options: GenerateOptions, root: string, hooks: { onProgress?: RunIo['onProgress']; log: (line: string) => void; plotCache?: string; shownOut?: string }): Promise<Generated> {
  const paths = options.inputs === 'default' ? await defaultInputs(root, hooks.log) : options.inputs;
  checkOutputsSpareInputs(paths.filter((p) => p !== STDIN), options.out, OWNED, join(root, 'data', 'raw'));
  const sources = await Promise.all(paths.map((path) => openInput(path, root)));
  return withOutput(options.out, hooks.shownOut ?? options.out, async (out) => {
    // The plots are charted and drawn in a worker while the rows are emitted: a fresh --out costs little more than a cached one.
    // The worker starts now, so that loading its modules overlaps with ingesting and fitting.
    const plotWorker = options.plots ? startPlotWorker() : null;
    // Rows --max-extrapolation skips are not in perf_db.csv: the charts do not draw them either.
    const skipBeyond = options.maxExtrapolation?.action === 'skip' ? options.maxExtrapolation.factor : null;
    let plotJob: PlotJob | null = null;
    let page: Promise<PageGroup[]> | null = null;
    // Set when the run fails: the page's pieces stop.
    let failed = false;
    const onFitted = (plans: readonly GroupPlan[], trust: Trust) => {
      if (plotWorker === null) return;
      plotJob = plotWorker.draw({ plans: plans.slice(0, MAX_CHARTED_GROUPS), grid: options.grid, excludeAnomalies: options.excludeAnomalies, cacheDir: hooks.plotCache ?? options.out, skipBeyond }, (name, text) => out.write(name, text));
      // The page's part of each group is worked out on this thread while the rows are emitted, from when the worker has charted them.
      page = plotJob.charts.then((charts) => alongside(pageGroupPieces(plans, trust, charts), () => failed));
      // Awaited below, after the job's own failure: meanwhile a failure is not left unhandled.
      page.catch(() => undefined);
    };
    let result: PipelineResult;
    let csv: FileSink | null = null;
    try {
      csv = await csvOutput(out, 'perf_db.csv', true);
      const io = { onFitted, ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }) };
      result = await runPipeline(sources, options, csv.sink, io);
      await csv.close();
    } catch (error) {
      failed = true;
      plotWorker?.cancel();
      await csv?.abort();
      throw error;
    }
    try {
      const lap = stopwatch(result.timings);
      const charted = result.groups.slice(0, MAX_CHARTED_GROUPS);
      const { charts, plots } = plotJob === null ? { charts: chartSeries(charted, options.grid, skipBeyond), plots: new Map() } : await (plotJob as PlotJob).done;
      lap('plots (the rest, after the rows)');
      const report = buildReport(result, options, plots, charted.length);
      await writeRejected(out, result.ingest.rejected);
      await out.write('fits.json', `${JSON.stringify(fitsFile(result, options))}\n`);
      await writePieces(await csvOutput(out, 'quality-report.json'), reportJson(report));
      await out.write('quality-report.md', renderMarkdown(report));
      await out.write('quality-report.html', reportPage(report, page === null ? pageGroups(result.groups, result.trust, charts) : await (page as Promise<PageGroup[]>), await chartBundles()));
      lap('report');
      return { result, report };
    } catch (error) {
      failed = true;
      throw error;
    }
  });
}

/** --check: regenerates into a scratch folder and returns the owned files that differ from options.out (none: fresh). */
export async function check(options: GenerateOptions, root: string, log: (line: string) => void): Promise<{ stale: string[]; generated: Generated }> {
  // The plots cached in --out, and what the run is compared with, from one run: never a commit under way or one a kill interrupted.
  await settled(options.out);
  const scratch = await checkScratch();
  try {
    const generated = await generate({ ...options, out: scratch.path }, root, { log, plotCache: options.out, shownOut: options.out });
    return { stale: await readSettled(options.out, OWNED, () => compareTrees(scratch.path, options.out, OWNED)), generated };
  } catch (error) {
    throw scratch.failed(error);
  } finally {
    scratch.release();
    await rm(scratch.path, { recursive: true, force: true });
  }
}

/** Writes text pieces to an output file in chunks of about 1 MiB. */
async function writePieces(file: FileSink, pieces: Iterable<string>): Promise<void> {
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    if (pending.length >= 1 << 20) {
      await file.sink(pending);
      pending = '';
    }
  }
  if (pending !== '') await file.sink(pending);
  await file.close();
}

/** Times consecutive stages: each call records the time since the previous one under a name. */
function stopwatch(timings: [string, number][] = []) {
  let mark = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings.push([stage, now - mark]);
    mark = now;
  };
  return Object.assign(lap, { timings });
}
