import { checkMeasured } from '../checks/monotonicity.js';
import { describeConfig } from '../core/format.js';
import { configKey, parseConfigKey } from '../core/keys.js';
import type { Configuration, ExcludedConfiguration } from '../types.js';

/** The rule --exclude-anomalies applies to the fit, as the report states it. */
export const DIP_RULE = 'its measured median is below that of the nearest smaller configuration along prompt_size or batch_size (all else equal)';

/**
 * The configurations of one group that --exclude-anomalies leaves out of the
 * fit ("dips"): each whose prompt_time or token_time median is below that of
 * the nearest smaller configuration along prompt_size or batch_size (the
 * larger of the pair is the one flagged), with the reason. Keyed by
 * configKey, in the order found.
 */
export function findDips(group: string, configurations: readonly Configuration[]): Map<string, string> {
  const flagged = new Map<string, string>();
  for (const v of checkMeasured(group, configurations, Infinity).first) {
    if (v.metric === 'e2e_time') continue;
    const key = configKey(v.to.prompt_size, v.to.batch_size, v.to.token_size);
    if (!flagged.has(key)) {
      flagged.set(key, `${v.metric} ${v.to.value} ms is ${(v.drop * 100).toPrecision(3)}% below ${v.from.value} ms at ${describeConfig(v.from)}; rule: ${DIP_RULE}`);
    }
  }
  return flagged;
}

/** The dips as report entries. */
export function excludedList(dips: ReadonlyMap<string, string>): ExcludedConfiguration[] {
  return [...dips].map(([key, rule]) => {
    const [prompt_size, batch_size, token_size] = parseConfigKey(key);
    return { prompt_size, batch_size, token_size, rule };
  });
}
