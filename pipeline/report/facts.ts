import { e2eConsistency, findOutliers, powerRecording, repetitionSpread, type E2eCheck, type Outlier, type PowerState, type SeriesCopy, type SpreadSummary } from '../checks/measured.js';
import type { Lookalike } from '../checks/names.js';
import type { FittedMetric, GroupResult, MetricFit } from '../types.js';
import { STUDIED } from './numbers.js';

/** What the report's rules and sections read about one group, each computed once. */
export interface GroupFacts {
  result: GroupResult;
  spread: Record<'prompt_time' | 'token_time', SpreadSummary>;
  outliers: Outlier[];
  e2e: E2eCheck;
  copies: SeriesCopy[];
  lookalikes: Lookalike[];
  power: Record<'peak_power' | 'average_power', { state: PowerState; zero: number; total: number }>;
  fitQuality: Record<string, FitFacts | null>;
}

export interface FitFacts {
  fit: MetricFit;
  /** Mean and worst leave-one-out error, and where the worst is; null when no interior knot was scored. */
  mape: number | null;
  maxApe: number | null;
  worstX: number | null;
}

/** A group's facts; `copies` and `lookalikes` are the group's own. */
export function groupFacts(result: GroupResult, copies: readonly SeriesCopy[], lookalikes: readonly Lookalike[] = []): GroupFacts {
  const { configurations, fit } = result;
  return {
    result,
    spread: { prompt_time: repetitionSpread(configurations, 'prompt_time'), token_time: repetitionSpread(configurations, 'token_time') },
    outliers: STUDIED.flatMap((metric) => findOutliers(configurations, metric)),
    e2e: e2eConsistency(configurations),
    copies: [...copies],
    lookalikes: [...lookalikes],
    power: { peak_power: powerRecording(configurations, 'peak_power'), average_power: powerRecording(configurations, 'average_power') },
    fitQuality: Object.fromEntries(STUDIED.map((metric) => [metric, fitFacts(fit.fits[metric as FittedMetric])])),
  };
}

function fitFacts(f: MetricFit | null): FitFacts | null {
  if (f === null) return null;
  const { ape, x } = f.loo;
  if (ape.length === 0) return { fit: f, mape: null, maxApe: null, worstX: null };
  const worstAt = ape.indexOf(Math.max(...ape));
  return { fit: f, mape: ape.reduce((s, v) => s + v, 0) / ape.length, maxApe: ape[worstAt] as number, worstX: x[worstAt] as number };
}
