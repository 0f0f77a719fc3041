/**
 * The report's plots charted and drawn in a worker thread, so that charting
 * them (the line's grid values) and drawing them overlap with emitting the
 * rows instead of following them. The files and the map returned are what
 * drawPlots gives in this thread: names are given in group order, so nothing
 * depends on timing.
 */
import { Worker } from 'node:worker_threads';
import { rebuildError } from './emit/messages.js';
import type { SerializedError } from './emit/types.js';
import type { PlotWriter } from './plots/draw.js';
import type { GroupChart } from './plots/types.js';
import type { FittedMetric, Grid, GroupPlan } from './types.js';

export type PlotFiles = Map<string, Partial<Record<FittedMetric, string>>>;

export interface PlotRequest {
  /** The groups to chart, as the fit stage planned them. */
  plans: readonly GroupPlan[];
  grid: Grid;
  /** --exclude-anomalies: measured configurations that break monotonicity are emitted (and drawn) as predictions. */
  excludeAnomalies: boolean;
  /** An earlier output folder whose plots are reused where their cache key is unchanged. */
  cacheDir: string;
  /** --max-extrapolation with skip: the factor beyond which rows are not emitted, nor drawn; null: none. */
  skipBeyond: number | null;
}

/** The worker's messages: its charts once charted (before any is drawn), each file drawn, then the files of every group. */
export type PlotReply = { type: 'charts'; charts: GroupChart[][] } | { type: 'write'; name: string; content: string } | { type: 'done'; plots: [string, Partial<Record<FittedMetric, string>>][] } | { type: 'error'; error: SerializedError };

export interface PlotJob {
  /** Resolves once the groups are charted (chartSeries), before their plots are drawn: what the report page shows can be worked out meanwhile. */
  charts: Promise<GroupChart[][]>;
  /** Resolves when every plot is written, with each group's charts and files. */
  done: Promise<{ charts: GroupChart[][]; plots: PlotFiles }>;
  /** Stops the worker (the run failed elsewhere); `done` then never settles. */
  cancel: () => void;
}

/** A plot worker started ahead of its request, so that its start-up (loading its modules) overlaps with ingesting and fitting. */
export interface PlotWorker {
  /** Sends the request; the worker is stopped when the job settles. */
  draw: (request: PlotRequest, write: PlotWriter) => PlotJob;
  /** Stops the worker, whether or not it was given a request. */
  cancel: () => void;
}

/** Starts a plot worker that waits for its request; until it gets one it does not keep the process alive. */
export function startPlotWorker(): PlotWorker {
  const worker = startWorker();
  worker.unref();
  // An error before the request (the worker failed to start) is kept for the job to reject with.
  let early: unknown = null;
  const onEarly = (error: unknown) => (early = error);
  worker.on('error', onEarly);
  return {
    draw: (request, write) => {
      worker.off('error', onEarly);
      worker.ref();
      return drawIn(worker, { ...request, plans: request.plans.map(forCharts) }, write, early);
    },
    cancel: () => void worker.terminate(),
  };
}

/**
 * A plan as the worker needs it: the backtests' residuals and the token-key
 * comparison are the report's, not the charts', and are most of what would be
 * copied to the worker.
 */
function forCharts(plan: GroupPlan): GroupPlan {
  return { ...plan, evidence: {}, tokenKeys: null };
}

/** Starts drawing `request`'s plots in a new worker; `write` puts each file into the output. */
export function drawPlotsAside(request: PlotRequest, write: PlotWriter): PlotJob {
  return startPlotWorker().draw(request, write);
}

/** The job of a worker given its request; `early`: the error it failed with before, which the job fails with at once. */
function drawIn(worker: Worker, request: PlotRequest, write: PlotWriter, early: unknown = null): PlotJob {
  const writes: Promise<void>[] = [];
  let charted!: (charts: GroupChart[][]) => void;
  let failed!: (error: unknown) => void;
  const charts = new Promise<GroupChart[][]>((resolve, reject) => ([charted, failed] = [resolve, reject]));
  const done = new Promise<{ charts: GroupChart[][]; plots: PlotFiles }>((resolve, reject) => {
    if (early !== null) reject(early);
    worker.on('message', (reply: PlotReply) => {
      if (reply.type === 'error') return reject(rebuildError(reply.error));
      if (reply.type === 'charts') return charted(reply.charts);
      if (reply.type === 'done') return void Promise.all([charts, ...writes]).then(([c]) => resolve({ charts: c, plots: new Map(reply.plots) }), reject);
      const written = write(reply.name, reply.content);
      written.catch(reject);
      writes.push(written);
    });
    worker.on('error', reject);
  }).finally(() => void worker.terminate());
  // A failure before the charts fails them too. Either is seen by whoever awaits it; until then it must not count as unhandled.
  done.catch(failed);
  charts.catch(() => undefined);
  done.catch(() => undefined);
  worker.postMessage(request);
  return { charts, done, cancel: () => void worker.terminate() };
}

/** The compiled worker next to this file; from the TypeScript sources (tests, tsx), through tsx's loader. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new Worker(new URL('./emit/worker-boot.mjs', here), { workerData: { entry: new URL('./plot-worker.ts', here).href } });
  return new Worker(new URL('./plot-worker.js', here));
}
