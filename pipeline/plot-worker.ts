/**
 * Worker thread: charts the groups (chartSeries) and draws their plots (drawPlots) while the main thread
 * emits perf_db.csv, and sends each file back to be written into the output
 * transaction.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from './emit/messages.js';
import { chartSeries, drawPlots } from './plots/draw.js';
import { resolveGrid } from './core/grid.js';
import { replacedRows } from './emit/replacements.js';
import { validate } from './stages/validate.js';
import type { Grid, GroupPlan } from './types.js';
import type { PlotRequest, PlotReply } from './plot-thread.js';

const port = parentPort;
if (port === null) throw new Error('plot-worker.ts must run in a worker thread');

port.once('message', async ({ plans, grid, cacheDir, excludeAnomalies, skipBeyond }: PlotRequest) => {
  const post = (reply: PlotReply) => port.postMessage(reply);
  try {
    // The measured checks are validate's, as the main thread finds them after emitting.
    const measured = validate(plans, [], { strict: false });
    const groups = plans.map((plan, i) => ({ ...plan, measuredMonotonicity: measured[i]!, emitted: { replaced: replaced(plan, grid, excludeAnomalies) } }));
    const charts = chartSeries(groups, grid, skipBeyond);
    post({ type: 'charts', charts });
    const plots = await drawPlots(groups, charts, cacheDir, async (name, content) => post({ type: 'write', name, content }));
    post({ type: 'done', plots: [...plots] });
  } catch (error) {
    post({ type: 'error', error: serializeError(error) });
  }
});

/** The measured configurations emit will write as predictions, as the emit stage finds them. */
function replaced(plan: GroupPlan, grid: Grid, excludeAnomalies: boolean): { prompt_size: number; batch_size: number; token_size: number }[] {
  if (!excludeAnomalies) return [];
  return [...replacedRows(plan.fit, plan.configurations, resolveGrid(grid, plan.configurations)).keys()].map((key) => {
    const [prompt_size, batch_size, token_size] = key.split(',').map(Number) as [number, number, number];
    return { prompt_size, batch_size, token_size };
  });
}
