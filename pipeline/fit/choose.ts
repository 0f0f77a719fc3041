import type { CandidateScore, ExtrapolationPolicy, FittedMetric, InterpolatorName, Knots } from '../types.js';
import { leaveOneOut } from './loo.js';
import { applicable, FACTORIES, METHODS } from './methods.js';
import { makePredictor, predictedValue } from './predict.js';

/** Metrics whose emitted values must not fall as x grows; auto only picks a monotone method for these. */
const MONOTONE_METRICS: readonly FittedMetric[] = ['prompt_time', 'token_time'];

/** Every method's leave-one-out score on these knots, and whether its values at `queries` never fall. */
export function scoreCandidates(metric: FittedMetric, knots: Knots, policy: ExtrapolationPolicy, queries: readonly number[]): CandidateScore[] {
  return METHODS.map((method) => score(method, metric, knots, policy, queries));
}

function score(method: InterpolatorName, metric: FittedMetric, knots: Knots, policy: ExtrapolationPolicy, queries: readonly number[]): CandidateScore {
  if (!applicable(method, knots.y)) return { method, applicable: false, mape: null, maxApe: null, monotone: null };
  const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
  const scored = loo.worstX !== null;
  const monotone = MONOTONE_METRICS.includes(metric) ? neverFalls(method, metric, knots, policy, queries) : null;
  return { method, applicable: true, mape: scored ? loo.mape : null, maxApe: scored ? loo.maxApe : null, monotone };
}

/**
 * Whether the values a method emits at the queries and the knots never fall
 * as x grows. Tails never fall and start at the end knots' values, so beyond
 * the range only the method's own extrapolation (--extrapolate linear) can.
 */
function neverFalls(method: InterpolatorName, metric: FittedMetric, knots: Knots, policy: ExtrapolationPolicy, queries: readonly number[]): boolean {
  const predictor = makePredictor(method, knots);
  const [lo, hi] = predictor.range;
  const own = policy === 'linear';
  const xs = [...new Set([...queries, ...knots.x])].filter((x) => own || (x >= lo && x <= hi)).sort((a, b) => a - b);
  let previous = -Infinity;
  for (const x of xs) {
    // x as batch_tokens at batch 1: the method's own values depend on x alone.
    const v = predictedValue(predictor, metric, x, 1, 1);
    if (v < previous) return false;
    previous = v;
  }
  return true;
}

/**
 * auto: the applicable method with the lowest leave-one-out mean error among
 * those whose emitted values are monotone (where monotonicity is required);
 * ties go to the earlier of linear, pchip, isotonic, loglog. When no
 * candidate is monotone, isotonic, which is monotone inside the measured range
 * by construction. With nothing to leave out (fewer than three knots), linear.
 */
export function chooseMethod(candidates: readonly CandidateScore[]): InterpolatorName {
  const order = (c: CandidateScore) => METHODS.indexOf(c.method);
  const eligible = candidates.filter((c) => c.applicable && c.monotone !== false).sort((a, b) => order(a) - order(b));
  if (eligible.length === 0) return 'isotonic';
  const scored = eligible.filter((c) => c.mape !== null);
  if (scored.length === 0) return eligible.some((c) => c.method === 'linear') ? 'linear' : (eligible[0] as CandidateScore).method;
  return scored.reduce((best, c) => ((c.mape as number) < (best.mape as number) ? c : best)).method;
}
