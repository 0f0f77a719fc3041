import { PerfDbError } from '../core/errors.js';
import { resolveGrid } from '../core/grid.js';
import { compareGroups, configKey, groupId, groupKeyString } from '../core/keys.js';
import { chooseMethod, scoreCandidates } from '../fit/choose.js';
import { excludedList, findDips } from '../fit/exclusions.js';
import { knotsFor } from '../fit/knots.js';
import { leaveOneOut } from '../fit/loo.js';
import { applicable, FACTORIES } from '../fit/methods.js';
import { compareTokenKeys } from '../fit/token-keys.js';
import { FITTED_METRICS, REQUIRED_METRICS } from '../core/columns.js';
import type { Configuration, FitKey, FittedMetric, GroupFit, GroupPlan, Knots, Measurement, MetricFit } from '../types.js';
import type { RunOptions } from '../options/types.js';

export type FitStageOptions = Pick<RunOptions, 'methods' | 'tokenKey' | 'extrapolate' | 'excludeAnomalies' | 'grid'>;

/**
 * The fit stage. Per group (model, hardware, tensor_parallel) and fitted
 * metric, the knots of SplitwiseSim's DatabasePerformanceModel: x =
 * batch_tokens = prompt_size * batch_size (or batch_size for token_time with
 * tokenKey batch_size), y = the median of the metric over every row sharing
 * that x (all repetitions of all configurations, not a median of medians),
 * weight = the number of those rows; then the method chosen for the metric
 * (default linear, interp1d). With excludeAnomalies, each group's dips are
 * left out first. Groups come back in output order.
 */
export function fit(rows: readonly Measurement[], configurations: readonly Configuration[], options: FitStageOptions): GroupPlan[] {
  const rowsByGroup = splitByGroup(rows);
  const configsByGroup = splitByGroup(configurations);
  const plans = [...rowsByGroup].map(([key, members]) => planGroup(members, configsByGroup.get(key) ?? [], options));
  return plans.sort((a, b) => compareGroups(a.fit, b.fit));
}

function planGroup(measurements: Measurement[], configurations: Configuration[], options: FitStageOptions): GroupPlan {
  const first = measurements[0] as Measurement;
  const id = groupId(first);
  const dips = options.excludeAnomalies ? findDips(id, configurations) : new Map<string, string>();
  const rows = dips.size === 0 ? measurements : measurements.filter((r) => !dips.has(configKey(r.prompt_size, r.batch_size, r.token_size)));
  const excluded = excludedList(dips);
  const queries = (key: FitKey) => gridXs(options, configurations, key);
  const fits = {} as Record<FittedMetric, MetricFit | null>;
  for (const metric of FITTED_METRICS) {
    const key: FitKey = metric === 'token_time' ? options.tokenKey : 'batch_tokens';
    const knots = knotsFor(rows, metric, key);
    if (knots.x.length >= 2) fits[metric] = fitMetric(metric, key, knots, options, () => queries(key), id);
    else if ((REQUIRED_METRICS as readonly string[]).includes(metric)) throw cannotFit(metric, key, knots, id, excluded.length > 0);
    else fits[metric] = null;
  }
  const x = (fits.prompt_time as MetricFit).knots.x;
  const fit: GroupFit = { model: first.model, hardware: first.hardware, tensor_parallel: first.tensor_parallel, id, fits, range: [x[0] as number, x[x.length - 1] as number], excluded };
  return { fit, measurements, configurations, tokenKeys: compareTokenKeys(fit, rows) };
}

/** `queries` is called only for auto: listing a large grid's x values is not free. */
function fitMetric(metric: FittedMetric, key: FitKey, knots: Knots, options: FitStageOptions, queries: () => readonly number[], group: string): MetricFit {
  const choice = options.methods[metric];
  if (choice !== 'auto' && !applicable(choice, knots.y)) {
    throw new PerfDbError('E_METHOD_NOT_APPLICABLE', `--method ${metric}=${choice} needs every median to be > 0, and one is ${Math.min(...knots.y)}`, {
      group,
      hint: `choose another method for ${metric}, or auto`,
    });
  }
  const candidates = choice === 'auto' ? scoreCandidates(metric, knots, options.extrapolate, queries()) : null;
  const method = candidates === null ? (choice as Exclude<typeof choice, 'auto'>) : chooseMethod(candidates);
  const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
  return { metric, method, key, knots, loo: { x: loo.x, ape: loo.ape }, candidates };
}

function cannotFit(metric: FittedMetric, key: FitKey, knots: Knots, group: string, excludedAny: boolean): PerfDbError {
  const only = knots.x.length === 1 ? `only ${key} = ${knots.x[0]} was measured` : 'no rows';
  return new PerfDbError('E_CANNOT_FIT', `cannot fit ${metric}: ${only}; expected at least two distinct ${key === 'batch_tokens' ? 'batch_tokens (prompt_size * batch_size)' : 'batch sizes'}`, {
    group,
    hint: excludedAny ? 'too few configurations are left after --exclude-anomalies; drop that flag' : 'measure the group at a second prompt or batch size, or leave it out of the inputs',
  });
}

/** The distinct x values the grid will ask a group's fit for (for auto's monotonicity check). */
function gridXs(options: FitStageOptions, configurations: readonly Configuration[], key: FitKey): readonly number[] {
  const { prompts, batches } = resolveGrid(options.grid, configurations);
  if (key === 'batch_size') return batches;
  const xs = new Set<number>();
  for (const p of prompts) for (const b of batches) xs.add(p * b);
  return [...xs];
}

function splitByGroup<T extends Measurement | Configuration>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = groupKeyString(item);
    const list = out.get(key);
    if (list === undefined) out.set(key, [item]);
    else list.push(item);
  }
  return out;
}
