/** The first screen of the report page: how far to trust this database (the report's trust section), then what to measure next. */
import { trustRows } from '../report/markdown-trust.js';
import { percent } from '../report/markdown-text.js';
import type { QualityReport } from '../report/types.js';
import { esc } from './html.js';

type Trust = QualityReport['trust'];

const count = (n: number) => n.toLocaleString('en-US');
const share = (n: number, total: number) => (total === 0 ? '0%' : percent(n / total));

export function headlineHtml(trust: Trust): string {
  const r = trust.rows;
  const far = trust.largestFactor;
  const sources = (['measured', 'interpolated', 'extrapolated'] as const).map((s) => `<tr><th scope="row">${s}</th><td class="n">${count(r[s])}</td><td class="n">${share(r[s], r.total)}</td></tr>`);
  const facts = [
    far === null
      ? 'Nothing is extrapolated beyond the measured batch_tokens range.'
      : `The largest factor beyond the measured batch_tokens range: <strong>${esc(far.factor)}x</strong>, in ${esc(far.group)} at prompt ${far.prompt_size} x batch ${far.batch_size}.`,
    `<strong>${count(r.beyondValidated)}</strong> rows lie beyond the factor the backtests validated and carry no interval.`,
    `${count(r.belowMinimum)} predicted rows lie below anything measured in their group; ${count(r.fallingTail)} times a time falls between neighbouring extrapolated rows.`,
    `${count(r.differsFromSplitwise)} extrapolated rows differ from SplitwiseSim's line.`,
  ];
  const regions = trustRows(trust).map(
    (m) => `<tr><td>${esc(m.metric)}</td><td>${esc(m.region)}</td><td>${esc(m.predictedBy)}</td><td>${esc(m.error)}</td><td>${esc(m.interval)}</td><td>${esc(m.coverage)}</td></tr>`,
  );
  return [
    '<section id="trust">',
    '<h2>How far to trust this database</h2>',
    '<div class="headline">',
    `<table class="sources"><caption>${count(r.total)} rows by source</caption><thead><tr><th>source</th><th class="n">rows</th><th class="n">share</th></tr></thead><tbody>${sources.join('')}</tbody></table>`,
    `<ul class="facts">${facts.map((f) => `<li>${f}</li>`).join('')}</ul>`,
    '</div>',
    `<p>Out of sample, pooled over families of groups (a group that copies another counts once); intervals are central with nominal coverage ${esc(trust.coverage)} (<code>--uncertainty</code>), and their coverage is checked leaving each family out:</p>`,
    '<table class="regions"><thead><tr><th>metric</th><th>region</th><th>predicted by</th><th>mean error out of sample</th><th>interval (±)</th><th>coverage at 0.8 / 0.95</th></tr></thead>',
    `<tbody>${regions.join('')}</tbody></table>`,
    measureNextHtml(trust),
    '</section>',
  ].join('\n');
}

function measureNextHtml(trust: Trust): string {
  const out = ['<h3>What to measure next</h3>'];
  if (trust.measureNext.length === 0) out.push('<p>Nothing on this grid lies beyond the measured range: no measurement would narrow a stated interval.</p>');
  else {
    out.push('<p>Each would make the rows up to it interior and bring the rows beyond it closer; the stated uncertainty is the mean of prompt_time_err and token_time_err over the rows it informs:</p>');
    const items = trust.measureNext.map((s) => `<li>${esc(s.group)}: prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size} — ${count(s.rows)} rows, stated uncertainty ${percent(s.before)} → ${percent(s.after)}</li>`);
    out.push(`<ol class="next">${items.join('')}</ol>`);
  }
  const c = trust.offCross;
  if (c !== null) {
    const points = c.points.map((p) => `(prompt ${p.prompt_size}, batch ${p.batch_size})`).join(' and ');
    out.push(
      `<p>The measured configurations form a cross: prompt sizes only at batch 1, batch sizes only at prompt ${c.crossPrompt}. No measurement tests whether batch_tokens = prompt_size x batch_size really predicts configurations off that cross` +
        (c.points.length === 0 ? '.' : `; measuring ${points}, at the same batch_tokens as the largest measured configuration, would.`) +
        '</p>',
    );
  }
  return out.join('\n');
}
