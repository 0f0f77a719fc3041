import { configKey } from '../core/keys.js';
import type { Configuration } from '../types.js';
import { checkMeasured } from './monotonicity.js';

/** A measured time that falls by this much or more as a size grows is a broken measurement (the report's fail). */
export const BROKEN_DROP = 0.2;

/**
 * The configurations of one group whose prompt_time or token_time median is
 * at least BROKEN_DROP below that of the nearest smaller configuration along
 * prompt_size or batch_size (all else equal): on the real data, the
 * tensor_parallel=2 runs at batch 64, whose prefill time falls to an eighth.
 * Such a run is suspect in every metric, so the backtests and the hardware
 * models leave the whole configuration out. Keyed by configKey.
 */
export function brokenConfigurations(group: string, configurations: readonly Configuration[]): Set<string> {
  const out = new Set<string>();
  for (const v of checkMeasured(group, configurations, Infinity).first) {
    if (v.metric !== 'e2e_time' && v.drop >= BROKEN_DROP) out.add(configKey(v.to.prompt_size, v.to.batch_size, v.to.token_size));
  }
  return out;
}
