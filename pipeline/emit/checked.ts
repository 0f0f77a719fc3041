import { MonotonicityChecker } from '../checks/monotonicity.js';
import type { EmitSummary } from './types.js';
import { prepareGroup, type PreparedGroup } from './group.js';
import { emitGroup, type ChunkOptions } from './rows.js';
import type { EmitTask } from './types.js';

/**
 * The per-group unit of work, in a worker or in this thread: the group's rows
 * with the emitted-row monotonicity check watching them. `counter.rows`
 * counts the rows emitted so far, for progress reports.
 */
export function* emitChecked(task: EmitTask, counter: { rows: number } = { rows: 0 }, chunks: ChunkOptions = {}, prepared: PreparedGroup = prepareGroup(task)): Generator<Uint8Array, EmitSummary, undefined> {
  const checker = new MonotonicityChecker(task.fit.id);
  const counts = yield* emitGroup(
    task,
    (p, b, t, pt, tt, e2e, extrapolated) => {
      counter.rows++;
      checker.observe(p, b, t, pt, tt, e2e, extrapolated);
    },
    chunks,
    (p, b, t, pt, tt, e2e, extrapolated) => checker.seed(p, b, t, pt, tt, e2e, extrapolated),
    prepared,
  );
  return { ...counts, monotonicity: checker.summary() };
}
