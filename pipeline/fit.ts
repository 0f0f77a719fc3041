import { PerfDbError } from './errors.js';
import { compareGroups, groupId, groupKeyString } from './keys.js';
import { median } from './stats.js';
import { FITTED_METRICS, REQUIRED_METRICS, type FittedMetric, type GroupFit, type Knots, type Measurement, type MetricFit } from './types.js';

/**
 * Per group (model, hardware, tensor_parallel) and fitted metric, the knots of
 * SplitwiseSim's DatabasePerformanceModel: x = batch_tokens = prompt_size *
 * batch_size, y = the median of the metric over every row sharing that x (all
 * repetitions of all configurations, not a median of medians). The method is
 * piecewise-linear (see interpolate.ts). Groups come back in output order.
 */
export function fit(rows: readonly Measurement[]): GroupFit[] {
  const byGroup = new Map<string, Measurement[]>();
  for (const row of rows) {
    const key = groupKeyString(row);
    const list = byGroup.get(key);
    if (list === undefined) byGroup.set(key, [row]);
    else list.push(row);
  }
  const groups: GroupFit[] = [];
  for (const members of byGroup.values()) groups.push(fitGroup(members));
  return groups.sort(compareGroups);
}

function fitGroup(rows: readonly Measurement[]): GroupFit {
  const first = rows[0] as Measurement;
  const id = groupId(first);
  const fits = {} as Record<FittedMetric, MetricFit | null>;
  for (const metric of FITTED_METRICS) {
    const knots = knotsFor(rows, metric);
    if (knots.x.length >= 2) {
      fits[metric] = { metric, method: 'linear', knots };
    } else if ((REQUIRED_METRICS as readonly string[]).includes(metric)) {
      const only = knots.x.length === 1 ? `only batch_tokens = ${knots.x[0]} was measured` : 'no rows';
      throw new PerfDbError('E_CANNOT_FIT', `cannot fit ${metric}: ${only}; expected at least two distinct batch_tokens (prompt_size * batch_size)`, {
        group: id,
        hint: 'measure the group at a second prompt or batch size, or leave it out of the inputs',
      });
    } else {
      fits[metric] = null;
    }
  }
  const x = (fits.prompt_time as MetricFit).knots.x;
  return {
    model: first.model,
    hardware: first.hardware,
    tensor_parallel: first.tensor_parallel,
    id,
    fits,
    range: [x[0] as number, x[x.length - 1] as number],
  };
}

/** Distinct batch_tokens ascending, the median metric value at each, and the row count. */
export function knotsFor(rows: readonly Measurement[], metric: FittedMetric): Knots {
  const byX = new Map<number, number[]>();
  for (const row of rows) {
    const value = row.metrics[metric];
    if (value === null) continue;
    const x = row.prompt_size * row.batch_size;
    const list = byX.get(x);
    if (list === undefined) byX.set(x, [value]);
    else list.push(value);
  }
  const x = [...byX.keys()].sort((a, b) => a - b);
  return {
    x,
    y: x.map((k) => median(byX.get(k) as number[])),
    count: x.map((k) => (byX.get(k) as number[]).length),
  };
}
