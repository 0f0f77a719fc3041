import { STUDIED } from './numbers.js';
import { badge, cell, findingLine, percent } from './markdown-text.js';
import type { GroupReport } from './types.js';

/** One group's part of quality-report.md. */
export function groupMarkdown(g: GroupReport, line: (...text: string[]) => void): void {
  line(`### ${cell(g.group)}`, '');
  line(`Status: ${badge(g.status)}. ${g.repetitions.configurations} configurations measured, ${g.repetitions.perConfiguration.min}–${g.repetitions.perConfiguration.max} repetitions each (median ${g.repetitions.perConfiguration.median}); ${g.inputs.rowsKept} rows kept, ${g.inputs.duplicatesDropped} exact duplicates dropped.`, '');
  for (const metric of STUDIED) {
    const plot = g.plots[metric];
    if (plot !== undefined) line(`![${cell(g.group)} ${metric}](${encodeURI(plot)})`, '');
  }
  if (g.findings.length > 0) {
    line('Findings:', '');
    for (const f of g.findings) line(`- ${findingLine(f, false)}`);
    line('');
  }
  line('| metric | method | LOO mean error | LOO worst error | worst at x | median CV | max CV | max/min |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const metric of STUDIED) {
    const q = g.fitQuality[metric as 'prompt_time'];
    const sp = g.repetitions.spread[metric as 'prompt_time'];
    line(`| ${metric} | ${q === null || q === undefined ? '—' : `${q.method} on ${q.key}`} | ${percent(q?.mape)} | ${percent(q?.maxApe)} | ${q?.worstX ?? '—'} | ${percent(sp.medianCv)} | ${percent(sp.maxCv)} | ${sp.maxRatio ?? '—'} |`);
  }
  line('');
  const c = g.coverage;
  line(
    `Coverage: measured batch_tokens ${c.batchTokensRange[0]} to ${c.batchTokensRange[1]}; emitted ${c.rows} rows (${c.bySource.measured} measured, ${c.bySource.interpolated} interpolated, ${c.bySource.extrapolated} extrapolated)` +
      (c.maxExtrapolation === null ? '.' : `; furthest extrapolation ${c.maxExtrapolation.factor}x at prompt ${c.maxExtrapolation.prompt_size} x batch ${c.maxExtrapolation.batch_size}.`),
    '',
  );
  line(`Emitted-row checks: ${g.emittedChecks.monotonicity.count} monotonicity violations; power: peak ${g.anomalies.power.peak_power}, average ${g.anomalies.power.average_power}; e2e consistency: ${g.anomalies.e2e.inconsistent} of ${g.anomalies.e2e.checked} configurations off; ${g.outliers.count} outlying repetitions.`, '');
}
