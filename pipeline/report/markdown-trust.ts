/** The first screen of quality-report.md: how much of the database is predicted, how good it is, what to measure next. */
import { cell, percent } from './markdown-text.js';
import type { QualityReport } from './types.js';

type Trust = QualityReport['trust'];
type Side = Trust['metrics'][number]['upper'];

const count = (n: number) => n.toLocaleString('en-US');
const share = (n: number, total: number) => (total === 0 ? '0%' : percent(n / total));

/** How each tail predicts, in words. */
const TAIL_WORDS: Record<string, string> = {
  own: "SplitwiseSim's line (--extrapolate linear)",
  line: "SplitwiseSim's line, never falling",
  proportional: 'a constant cost per token from the end knot',
  model: 'the hardware model, anchored at the end knot',
  clamp: 'the end knot value',
};
const BELOW = ', never below anything measured';

/** `status`: the overall status in a sentence, first under the heading. */
export function trustMarkdown(trust: Trust, line: (...text: string[]) => void, status: string): void {
  const r = trust.rows;
  const far = trust.largestFactor;
  line('## How far to trust this database', '');
  line(status, '');
  line(
    `${count(r.total)} rows: ${count(r.measured)} measured (${share(r.measured, r.total)}), ${count(r.interpolated)} interpolated (${share(r.interpolated, r.total)}), ${count(r.extrapolated)} extrapolated (${share(r.extrapolated, r.total)})` +
      (far === null ? '.' : `, up to ${far.factor}x beyond the measured batch_tokens range (${cell(far.group)}, prompt ${far.prompt_size} x batch ${far.batch_size}).`) +
      ` ${count(r.beyondValidated)} rows lie beyond the factor the backtests validated and carry no interval; ${count(r.belowMinimum)} predicted rows lie below anything measured in their group and ${count(r.fallingTail)} times a time falls between neighbouring extrapolated rows; ${count(r.differsFromSplitwise)} extrapolated rows differ from SplitwiseSim's line.`,
    '',
  );
  line(`Out of sample, pooled over families of groups (a group that copies another counts once); intervals are central with nominal coverage ${trust.coverage} (\`--uncertainty\`), and their coverage is checked leaving each family out:`, '');
  line('| metric | region | predicted by | mean error out of sample | interval (±) | coverage at 0.8 / 0.95 |', '| --- | --- | --- | ---: | --- | --- |');
  for (const r of trustRows(trust)) line(`| ${r.metric} | ${r.region} | ${r.predictedBy} | ${r.error} | ${r.interval} | ${r.coverage} |`);
  line('');
  measureNextMarkdown(trust, line);
}

/** The per metric and region table of the trust section, as text cells (shared by the Markdown and the report page). */
export function trustRows(trust: Trust): { metric: string; region: string; predictedBy: string; error: string; interval: string; coverage: string }[] {
  return trust.metrics.flatMap((m) => [
    { metric: m.metric, region: 'inside the range', predictedBy: 'linear interpolation on the knots', error: `${percent(m.interior.meanError)} (configuration left out)`, interval: bandText(m.interior.band), coverage: coverageText(m.interior.coverage) },
    ...([['above the range', m.upper], ['below the range', m.lower]] as [string, Side][]).map(([region, side]) => ({
      metric: m.metric,
      region,
      predictedBy: `${TAIL_WORDS[side.used] ?? side.used}${region.startsWith('below') && side.used !== 'own' ? BELOW : ''}`,
      error: `${percent(side.meanError)} (k = 1, 2, 3 knots held out: ${side.byK.map(percent).join(', ')})`,
      interval: bandText(side.band),
      coverage: coverageText(side.coverage),
    })),
  ]);
}

/** A calibrated interval's half-width at 2x, 4x, 8x, 16x beyond the range, up to where the backtests reach. */
function bandText(b: Side['band']): string {
  if (b === null || b.q === null) return '—';
  if (b.maxFactor <= 1) return percent(b.q);
  const at = [2, 4, 8, 16].filter((f) => f <= b.maxFactor);
  return `${at.map((f) => `${percent(b.q! * f ** b.gamma)} at ${f}x`).join(', ')}; none beyond ${b.maxFactor}x`;
}

/** The coverage achieved with each family left out, per nominal coverage: `0.806 / 0.94`. */
function coverageText(c: Side['coverage']): string {
  return c.map((x) => (x.achieved === null ? '—' : String(Number(x.achieved.toPrecision(3))))).join(' / ');
}

function measureNextMarkdown(trust: Trust, line: (...text: string[]) => void): void {
  line('### What to measure next', '');
  if (trust.measureNext.length === 0) line('Nothing on this grid lies beyond the measured range: no measurement would narrow a stated interval.', '');
  else {
    line('Each would make the rows up to it interior and bring the rows beyond it closer; the stated uncertainty is the mean of prompt_time_err and token_time_err over the rows it informs:', '');
    for (const s of trust.measureNext) {
      line(`- ${cell(s.group)}: prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size} — ${count(s.rows)} rows, stated uncertainty ${percent(s.before)} -> ${percent(s.after)}`);
    }
    line('');
  }
  const c = trust.offCross;
  if (c !== null) {
    line(
      `The measured configurations form a cross: prompt sizes only at batch 1, batch sizes only at prompt ${c.crossPrompt}. No measurement tests whether batch_tokens = prompt_size x batch_size really predicts configurations off that cross` +
        (c.points.length === 0 ? '.' : `; measuring ${c.points.map((p) => `(prompt ${p.prompt_size}, batch ${p.batch_size})`).join(' and ')}, at the same batch_tokens as the largest measured configuration, would.`),
      '',
    );
  }
}
