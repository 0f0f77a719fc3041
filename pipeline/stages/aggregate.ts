import { compareConfigs } from '../core/keys.js';
import { median, sortedCopy } from '../core/stats.js';
import { METRICS } from '../core/columns.js';
import type { Configuration, Measurement, Metric } from '../types.js';

/**
 * One record per configuration (model, hardware, tensor_parallel, prompt_size,
 * batch_size, token_size): per metric the median over its repetitions (mean of
 * the two middle values for an even count), min and max; plus the count.
 * Sorted in output order, so the result does not depend on input row order.
 */
export function aggregate(rows: readonly Measurement[]): Configuration[] {
  const byConfig = new Map<string, Measurement[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.model, row.hardware, row.tensor_parallel, row.prompt_size, row.batch_size, row.token_size]);
    const list = byConfig.get(key);
    if (list === undefined) byConfig.set(key, [row]);
    else list.push(row);
  }
  const configurations: Configuration[] = [];
  for (const repetitions of byConfig.values()) {
    const first = repetitions[0] as Measurement;
    const metrics = {} as Configuration['metrics'];
    const values = {} as Configuration['repetitions'];
    for (const metric of METRICS) {
      const series = present(repetitions, metric);
      values[metric] = sortedCopy(series);
      metrics[metric] =
        series.length === 0
          ? null
          : { median: median(series), min: values[metric][0] as number, max: values[metric][series.length - 1] as number };
    }
    configurations.push({
      model: first.model,
      hardware: first.hardware,
      tensor_parallel: first.tensor_parallel,
      prompt_size: first.prompt_size,
      batch_size: first.batch_size,
      token_size: first.token_size,
      count: repetitions.length,
      metrics,
      repetitions: values,
    });
  }
  return configurations.sort(compareConfigs);
}

function present(rows: readonly Measurement[], metric: Metric): number[] {
  const out: number[] = [];
  for (const row of rows) {
    const v = row.metrics[metric];
    if (v !== null) out.push(v);
  }
  return out;
}
