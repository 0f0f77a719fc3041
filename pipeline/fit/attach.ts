import { configKey } from '../core/keys.js';
import type { FittedMetric, GroupPlan, MetricFit } from '../types.js';
import { xOfSizes } from './knots.js';
import { interpolator } from './methods.js';
import { knotValue } from './predict.js';
import { makeTail, type Side, type TailKind, type TailSpec } from './tails.js';

/**
 * The tails a metric fit gets: `kind` on both sides, anchored at the fit's
 * own end values (the knots' medians for linear), with the lower floor at
 * the group's smallest measured median; null for `own` (the method's own
 * extrapolation). A model tail falls back to line where the metric has no
 * model. An end knot made only of broken configurations (checks/broken.ts:
 * the tensor_parallel=2 collapse at batch 64) is no place to start a tail
 * from: the tail starts at the last sound knot instead, so that the rows
 * beyond the range follow the sound measurements, not the broken one.
 */
export function tailsFor(plan: GroupPlan, metric: FittedMetric, kinds: Record<Side, TailKind | 'own'>): MetricFit['tails'] {
  const fit = plan.fit.fits[metric];
  // The decode method is a model of the configuration everywhere: it needs no tail.
  if (fit === null || fit.method === 'decode' || kinds.upper === 'own' || kinds.lower === 'own') return null;
  const { x, y } = fit.knots;
  const n = x.length;
  const ends = endValues(fit);
  const excluded = new Set(plan.fit.excluded.map((e) => configKey(e.prompt_size, e.batch_size, e.token_size)));
  const configs = plan.configurations.filter((c) => !excluded.has(configKey(c.prompt_size, c.batch_size, c.token_size)));
  const medians = plan.configurations.flatMap((c) => (c.metrics[metric] === null ? [] : [c.metrics[metric].median]));
  const broken = new Set(plan.broken);
  const sound = (i: number) => configs.some((c) => xOfSizes(fit.key, c) === x[i] && !broken.has(configKey(c.prompt_size, c.batch_size, c.token_size)));
  const make = (side: Side, kind: TailKind): TailSpec => {
    let [e, q] = side === 'upper' ? [n - 1, n - 2] : [0, 1];
    while (!sound(e) && q >= 0 && q < n && (side === 'upper' ? q > 0 : q < n - 1)) [e, q] = side === 'upper' ? [e - 1, q - 1] : [e + 1, q + 1];
    const inputs = {
      end: [x[e] as number, ends(e)] as [number, number],
      next: [x[q] as number, ends(q)] as [number, number],
      floor: Math.min(...medians, ...y),
      model: fit.model,
      endConfigs: configs.filter((c) => xOfSizes(fit.key, c) === x[e] && !broken.has(configKey(c.prompt_size, c.batch_size, c.token_size))).map((c) => ({ prompt: c.prompt_size, batch: c.batch_size, tokens: c.token_size })),
    };
    return makeTail(kind, side, inputs) ?? (makeTail('line', side, inputs) as TailSpec);
  };
  return { upper: make('upper', kinds.upper), lower: make('lower', kinds.lower) };
}

/** The fit's value at knot i, as makePredictor's ends have it (knotValue). */
function endValues(fit: MetricFit): (i: number) => number {
  return knotValue(fit.method, fit.knots, interpolator(fit.method, fit.knots.x, fit.knots.y, fit.knots.count));
}
