import { brokenConfigurations } from '../checks/broken.js';
import { FITTED_METRICS, REQUIRED_METRICS } from '../core/columns.js';
import { PerfDbError } from '../core/errors.js';
import { resolveGrid } from '../core/grid.js';
import { configKey, groupId } from '../core/keys.js';
import type { RunOptions } from '../options/types.js';
import type { Configuration, FitKey, FittedMetric, GroupFit, GroupPlan, Knots, Measurement, MetricFit } from '../types.js';
import { modelFor } from './backtests.js';
import { modelValue } from './models.js';
import { chooseMethod, scoreCandidates } from './choose.js';
import { excludedList, findDips } from './exclusions.js';
import { knotsFor } from './knots.js';
import { leaveOneOut } from './loo.js';
import { applicable, FACTORIES } from './methods.js';
import { compareTokenKeys } from './token-keys.js';

export type GroupFitOptions = Pick<RunOptions, 'methods' | 'tokenKey' | 'extrapolate' | 'excludeAnomalies' | 'grid'>;

/**
 * One group's interior fits. Per fitted metric, the knots of SplitwiseSim's
 * DatabasePerformanceModel: x = batch_tokens = prompt_size * batch_size (or
 * batch_size for token_time with tokenKey batch_size), y = the median of the
 * metric over every row sharing that x (all repetitions of all
 * configurations, not a median of medians), weight = the number of those
 * rows; then the method chosen for the metric (default linear, interp1d).
 * With excludeAnomalies, the group's dips are left out first. The hardware
 * model of each metric is fitted on the sound configurations (not broken,
 * not excluded); tails are attached later, once every group's backtests are in.
 */
export function fitGroup(measurements: Measurement[], configurations: Configuration[], options: GroupFitOptions): GroupPlan {
  const first = measurements[0] as Measurement;
  const id = groupId(first);
  const dips = options.excludeAnomalies ? findDips(id, configurations) : new Map<string, string>();
  const rows = dips.size === 0 ? measurements : measurements.filter((r) => !dips.has(configKey(r.prompt_size, r.batch_size, r.token_size)));
  const excluded = excludedList(dips);
  const broken = brokenConfigurations(id, configurations);
  const sound = configurations.filter((c) => !broken.has(configKey(c.prompt_size, c.batch_size, c.token_size)) && !dips.has(configKey(c.prompt_size, c.batch_size, c.token_size)));
  const queries = (key: FitKey) => gridXs(options, configurations, key);
  const fits = {} as Record<FittedMetric, MetricFit | null>;
  for (const metric of FITTED_METRICS) {
    const key: FitKey = metric === 'token_time' ? options.tokenKey : 'batch_tokens';
    const knots = knotsFor(rows, metric, key);
    if (knots.x.length >= 2) fits[metric] = withModel(fitMetric(metric, key, knots, options, () => queries(key), id), modelFor(metric, sound), sound, id);
    else if ((REQUIRED_METRICS as readonly string[]).includes(metric)) throw cannotFit(metric, key, knots, id, excluded.length > 0);
    else fits[metric] = null;
  }
  const x = (fits.prompt_time as MetricFit).knots.x;
  const fit: GroupFit = { model: first.model, hardware: first.hardware, tensor_parallel: first.tensor_parallel, id, fits, range: [x[0] as number, x[x.length - 1] as number], excluded };
  return { fit, measurements, configurations, tokenKeys: compareTokenKeys(fit, rows), broken: [...broken].sort(), evidence: {} };
}

/** `queries` is called only for auto: listing a large grid's x values is not free. */
function fitMetric(metric: FittedMetric, key: FitKey, knots: Knots, options: GroupFitOptions, queries: () => readonly number[], group: string): Omit<MetricFit, 'model' | 'tails'> {
  const choice = options.methods[metric];
  if (choice !== 'auto' && !applicable(choice, knots.y, metric)) {
    const why = choice === 'decode' ? 'is the decode model of token_time; it fits no other metric' : `needs every median to be > 0, and one is ${Math.min(...knots.y)}`;
    throw new PerfDbError('E_METHOD_NOT_APPLICABLE', `--method ${metric}=${choice} ${why}`, { group, hint: `choose another method for ${metric}, or auto` });
  }
  const candidates = choice === 'auto' ? scoreCandidates(metric, knots, options.extrapolate[metric], queries()) : null;
  const method = candidates === null ? (choice as Exclude<typeof choice, 'auto'>) : chooseMethod(candidates);
  const loo = method === 'decode' ? { x: [], ape: [] } : leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
  return { metric, method, key, knots, loo: { x: loo.x, ape: loo.ape }, candidates };
}

/**
 * The fit with its hardware model. For the decode method the model is the
 * fit: it must exist, and its leave-one-out is over configurations (each
 * left out, the model refitted on the rest), at each configuration's batch_tokens.
 */
function withModel(fit: Omit<MetricFit, 'model' | 'tails'>, model: MetricFit['model'], sound: readonly Configuration[], group: string): MetricFit {
  if (fit.method !== 'decode') return { ...fit, model, tails: null };
  if (model === null) throw new PerfDbError('E_METHOD_NOT_APPLICABLE', '--method token_time=decode needs at least three configurations with a token_time', { group, hint: 'choose another method for token_time' });
  const loo = sound.flatMap((c) => {
    const y = c.metrics.token_time?.median;
    const m = modelFor('token_time', sound.filter((q) => q !== c));
    if (y === undefined || m === null) return [];
    return [{ x: c.prompt_size * c.batch_size, ape: Math.abs(modelValue(m, c.prompt_size, c.batch_size, c.token_size) - y) / y }];
  });
  return { ...fit, loo: { x: loo.map((l) => l.x), ape: loo.map((l) => l.ape) }, model, tails: null };
}

function cannotFit(metric: FittedMetric, key: FitKey, knots: Knots, group: string, excludedAny: boolean): PerfDbError {
  const only = knots.x.length === 1 ? `only ${key} = ${knots.x[0]} was measured` : 'no rows';
  return new PerfDbError('E_CANNOT_FIT', `cannot fit ${metric}: ${only}; expected at least two distinct ${key === 'batch_tokens' ? 'batch_tokens (prompt_size * batch_size)' : 'batch sizes'}`, {
    group,
    hint: excludedAny ? 'too few configurations are left after --exclude-anomalies; drop that flag' : 'measure the group at a second prompt or batch size, or leave it out of the inputs',
  });
}

/** The distinct x values the grid will ask a group's fit for (for auto's monotonicity check). */
function gridXs(options: GroupFitOptions, configurations: readonly Configuration[], key: FitKey): readonly number[] {
  const { prompts, batches } = resolveGrid(options.grid, configurations);
  if (key === 'batch_size') return batches;
  const xs = new Set<number>();
  for (const p of prompts) for (const b of batches) xs.add(p * b);
  return [...xs];
}
