import { PerfDbError } from '../core/errors.js';
import { compareGroups, groupId, groupKeyString } from '../core/keys.js';
import { leaveOneOut } from '../fit/loo.js';
import { FACTORIES, METHODS, applicable, type MethodChoice } from '../fit/methods.js';
import { makePredictor, predictedValue } from '../fit/predict.js';
import { knotsFor } from '../fit/knots.js';
import {
  FITTED_METRICS,
  REQUIRED_METRICS,
  type CandidateScore,
  type ExcludedConfiguration,
  type ExtrapolationPolicy,
  type FitKey,
  type FittedMetric,
  type GroupFit,
  type GroupKey,
  type Knots,
  type Measurement,
  type MethodName,
  type MetricFit,
} from '../types.js';

export interface FitOptions {
  /** Method per metric; `auto` chooses per group (see chooseMethod). */
  methods: Record<FittedMetric, MethodChoice>;
  /** The x of token_time's fit; the other metrics always use batch_tokens. */
  tokenKey: FitKey;
  /** Configurations to leave out of the fit, per group id, keyed `prompt,batch,token`, with the rule that caught each. */
  exclude: Map<string, Map<string, string>>;
  extrapolate: ExtrapolationPolicy;
  /** The x values the grid will ask a group's fit for (for auto's monotonicity check). */
  queries: (group: GroupKey, key: FitKey) => readonly number[];
}

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  methods: { prompt_time: 'linear', token_time: 'linear', peak_power: 'linear', average_power: 'linear' },
  tokenKey: 'batch_tokens',
  exclude: new Map(),
  extrapolate: 'linear',
  queries: () => [],
};

/** Metrics whose emitted values must not fall as x grows; auto only picks a monotone method for these. */
const MONOTONE_METRICS: readonly FittedMetric[] = ['prompt_time', 'token_time'];

/**
 * Per group (model, hardware, tensor_parallel) and fitted metric, the knots of
 * SplitwiseSim's DatabasePerformanceModel: x = batch_tokens = prompt_size *
 * batch_size (or batch_size for token_time with tokenKey batch_size), y = the
 * median of the metric over every row sharing that x (all repetitions of all
 * configurations, not a median of medians), weight = the number of those
 * rows. The default method is piecewise-linear (interp1d). Groups come back
 * in output order.
 */
export function fit(rows: readonly Measurement[], options: Partial<FitOptions> = {}): GroupFit[] {
  const resolved = { ...DEFAULT_FIT_OPTIONS, ...options };
  const byGroup = new Map<string, Measurement[]>();
  for (const row of rows) {
    const key = groupKeyString(row);
    const list = byGroup.get(key);
    if (list === undefined) byGroup.set(key, [row]);
    else list.push(row);
  }
  const groups: GroupFit[] = [];
  for (const members of byGroup.values()) groups.push(fitGroup(members, resolved));
  return groups.sort(compareGroups);
}

function fitGroup(all: readonly Measurement[], options: FitOptions): GroupFit {
  const first = all[0] as Measurement;
  const id = groupId(first);
  const excludedHere = options.exclude.get(id) ?? new Map<string, string>();
  const rows = all.filter((r) => !excludedHere.has(`${r.prompt_size},${r.batch_size},${r.token_size}`));
  const excluded: ExcludedConfiguration[] = [...excludedHere].map(([sizes, rule]) => {
    const [prompt_size, batch_size, token_size] = sizes.split(',').map(Number) as [number, number, number];
    return { prompt_size, batch_size, token_size, rule };
  });
  const fits = {} as Record<FittedMetric, MetricFit | null>;
  for (const metric of FITTED_METRICS) {
    const key: FitKey = metric === 'token_time' ? options.tokenKey : 'batch_tokens';
    const knots = knotsFor(rows, metric, key);
    if (knots.x.length >= 2) {
      fits[metric] = fitMetric(metric, key, knots, options, () => options.queries(first, key), id);
    } else if ((REQUIRED_METRICS as readonly string[]).includes(metric)) {
      const only = knots.x.length === 1 ? `only ${key} = ${knots.x[0]} was measured` : 'no rows';
      throw new PerfDbError('E_CANNOT_FIT', `cannot fit ${metric}: ${only}; expected at least two distinct ${key === 'batch_tokens' ? 'batch_tokens (prompt_size * batch_size)' : 'batch sizes'}`, {
        group: id,
        hint: excluded.length > 0 ? 'too few configurations are left after --exclude-anomalies; drop that flag' : 'measure the group at a second prompt or batch size, or leave it out of the inputs',
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
    excluded,
  };
}

/** `queries` is called only for auto: listing a large grid's x values is not free. */
function fitMetric(metric: FittedMetric, key: FitKey, knots: Knots, options: FitOptions, queries: () => readonly number[], group: string): MetricFit {
  const choice = options.methods[metric];
  if (choice !== 'auto') {
    if (!applicable(choice, knots.y)) {
      throw new PerfDbError('E_METHOD_NOT_APPLICABLE', `--method ${metric}=${choice} needs every median to be > 0, and one is ${Math.min(...knots.y)}`, {
        group,
        hint: `choose another method for ${metric}, or auto`,
      });
    }
    const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[choice]);
    return { metric, method: choice, key, knots, loo: { x: loo.x, ape: loo.ape }, candidates: null };
  }
  const xs = queries();
  const candidates = METHODS.map((method) => score(method, metric, knots, options.extrapolate, xs));
  const method = chooseMethod(candidates);
  const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
  return { metric, method, key, knots, loo: { x: loo.x, ape: loo.ape }, candidates };
}

function score(method: MethodName, metric: FittedMetric, knots: Knots, policy: ExtrapolationPolicy, queries: readonly number[]): CandidateScore {
  if (!applicable(method, knots.y)) return { method, applicable: false, mape: null, maxApe: null, monotone: null };
  const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
  const scored = loo.worstX !== null;
  let monotone: boolean | null = null;
  if (MONOTONE_METRICS.includes(metric)) {
    const predictor = makePredictor(method, knots);
    const xs = [...new Set([...queries, ...knots.x])].sort((a, b) => a - b);
    monotone = true;
    let previous = -Infinity;
    for (const x of xs) {
      const v = predictedValue(predictor, metric, x, policy);
      if (v < previous) {
        monotone = false;
        break;
      }
      previous = v;
    }
  }
  return { method, applicable: true, mape: scored ? loo.mape : null, maxApe: scored ? loo.maxApe : null, monotone };
}

/**
 * auto: the applicable method with the lowest leave-one-out mean error among
 * those whose emitted values are monotone (where monotonicity is required);
 * ties go to the earlier of linear, pchip, isotonic, loglog. When no
 * candidate is monotone, isotonic, which is monotone inside the measured range
 * by construction. With nothing to leave out (fewer than three knots), linear.
 */
export function chooseMethod(candidates: readonly CandidateScore[]): MethodName {
  const order = (c: CandidateScore) => METHODS.indexOf(c.method);
  const eligible = candidates.filter((c) => c.applicable && c.monotone !== false).sort((a, b) => order(a) - order(b));
  if (eligible.length === 0) return 'isotonic';
  const scored = eligible.filter((c) => c.mape !== null);
  if (scored.length === 0) return eligible.some((c) => c.method === 'linear') ? 'linear' : (eligible[0] as CandidateScore).method;
  return scored.reduce((best, c) => ((c.mape as number) < (best.mape as number) ? c : best)).method;
}
