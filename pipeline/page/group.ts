/** The report page's group parts: the table of every group, and one section per group (shown by the group selector). */
import { percent } from '../report/markdown-text.js';
import { STUDIED } from '../report/numbers.js';
import type { GroupReport, QualityReport } from '../report/types.js';
import type { Backtest, PageGroup } from './groups.js';
import { esc } from './html.js';

const count = (n: number) => n.toLocaleString('en-US');

export const badge = (status: string) => `<span class="badge ${esc(status)}">${esc(status)}</span>`;

/** Every group's status, finding counts, leave-one-out errors and extrapolated rows; each name selects its group. */
export function summaryHtml(report: QualityReport): string {
  const counts = new Map(report.summary.groups.map((x) => [x.group, x]));
  const rows = report.groups.map((g, i) => {
    const c = counts.get(g.group);
    return `<tr><td><a href="#group-${i}" data-group="${i}">${esc(g.group)}</a></td><td>${badge(g.status)}</td><td class="n">${c?.fail ?? 0}</td><td class="n">${c?.warn ?? 0}</td><td class="n">${c?.quirk ?? 0}</td><td class="n">${c?.info ?? 0}</td><td class="n">${percent(g.fitQuality.prompt_time?.mape)}</td><td class="n">${percent(g.fitQuality.token_time?.mape)}</td><td class="n">${count(g.coverage.bySource.extrapolated)}</td></tr>`;
  });
  return [
    '<section id="summary">',
    '<h2>Summary</h2>',
    `<p>Overall status: ${badge(report.summary.status)}. Mean leave-one-out error over groups: prompt_time ${percent(report.summary.looMape.prompt_time)}, token_time ${percent(report.summary.looMape.token_time)}.</p>`,
    '<table class="groups"><thead><tr><th>group</th><th>status</th><th class="n">fail</th><th class="n">warn</th><th class="n">quirk</th><th class="n">info</th><th class="n">LOO error prompt_time</th><th class="n">LOO error token_time</th><th class="n">rows extrapolated</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

/** One group's section: status, errors in and beyond the range, charts and findings. */
export function groupHtml(g: GroupReport, page: PageGroup, index: number): string {
  const c = g.coverage;
  const { min, max } = g.repetitions.perConfiguration;
  const reps = g.repetitions.configurations === 0 ? '' : min === max ? `${min}` : `${min}–${max}`;
  const far = c.maxExtrapolation === null ? '' : `; furthest extrapolation ${esc(c.maxExtrapolation.factor)}x at prompt ${c.maxExtrapolation.prompt_size} x batch ${c.maxExtrapolation.batch_size}`;
  const charts = page.charts.map((chart, k) => `<figure class="chart" id="chart-${index}-${k}" data-metric="${esc(chart.metric)}" aria-label="${esc(g.group)} ${esc(chart.metric)}"></figure>`);
  const findings = g.findings.map((f) => `<li>${badge(f.severity)} <code>${esc(f.code)}</code> ${esc(f.message)}</li>`);
  return [
    `<section class="group" id="group-${index}" data-group="${index}"${index === 0 ? '' : ' hidden'}>`,
    `<h2>${esc(g.group)} ${badge(g.status)}</h2>`,
    `<p>${g.repetitions.configurations} configurations measured, ${reps === '' ? '' : `${reps} repetitions each; `}${count(g.inputs.rowsKept)} rows kept, ${count(g.inputs.duplicatesDropped)} exact duplicates dropped. Measured batch_tokens ${count(c.batchTokensRange[0])} to ${count(c.batchTokensRange[1])}; ${count(c.rows)} rows emitted (${count(c.bySource.measured)} measured, ${count(c.bySource.interpolated)} interpolated, ${count(c.bySource.extrapolated)} extrapolated)${far}.</p>`,
    errorsTable(g, page),
    `<div class="charts">${charts.join('')}</div>`,
    findings.length === 0 ? '<p>No findings.</p>' : `<h3>Findings</h3><ul class="findings">${findings.join('')}</ul>`,
    '</section>',
  ].join('\n');
}

/** Per metric: the fit, its knot leave-one-out errors, and the frontier backtests of the tails in use on each side. */
function errorsTable(g: GroupReport, page: PageGroup): string {
  const rows = STUDIED.map((metric) => {
    const q = g.fitQuality[metric as 'prompt_time'];
    const b = page.backtests[metric];
    const fit = q === null || q === undefined ? '—' : `${esc(q.method)} on ${esc(q.key)}`;
    const worst = q?.worstX === null || q?.worstX === undefined ? '' : ` at ${esc(q.key)} ${count(q.worstX)}`;
    return `<tr><td>${esc(metric)}</td><td>${fit}</td><td class="n">${percent(q?.mape)}</td><td class="n">${percent(q?.maxApe)}${worst}</td><td>${backtestCell(b?.upper)}</td><td>${backtestCell(b?.lower)}</td></tr>`;
  });
  return [
    '<table class="errors"><caption>Errors out of sample</caption>',
    '<thead><tr><th>metric</th><th>fit</th><th class="n">LOO mean error</th><th class="n">LOO worst error</th><th>backtest above the range</th><th>backtest below the range</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
  ].join('');
}

function backtestCell(b: Backtest | undefined): string {
  if (b === undefined || b.points === 0) return '—';
  return `${esc(b.tail)}: <strong>${percent(b.mean)}</strong> <span class="k">(k = 1, 2, 3: ${b.byK.map((e) => percent(e)).join(', ')}; ${b.points} predictions)</span>`;
}
