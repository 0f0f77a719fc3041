/**
 * quality-report.html: the quality report as one self-contained page that
 * works from a file:// address, offline. The vega, vega-lite and vega-embed
 * bundles are inlined as text; the charts are the SVG charts' vega-lite
 * specs with hover tooltips, their rows in columns (compact.ts), drawn in the browser. Every name from the data
 * is escaped. Pure: the same report, groups and bundles give the same bytes.
 */
import type { ChartBundles } from '../io/bundles.js';
import type { QualityReport } from '../report/types.js';
import { chartData } from './compact.js';
import { groupHtml, summaryHtml } from './group.js';
import type { PageGroup } from './groups.js';
import { headlineHtml } from './headline.js';
import { esc, inlineScript, jsonForScript } from './html.js';
import { PAGE_SCRIPT } from './script.js';
import { PAGE_STYLE } from './style.js';

const count = (n: number) => n.toLocaleString('en-US');

export function reportPage(report: QualityReport, groups: readonly PageGroup[], bundles: ChartBundles): string {
  const options = report.groups.map((g, i) => `<option value="${i}">${esc(g.group)} (${esc(g.status)})</option>`);
  const s = report.output.bySource;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>perfdb quality report</title>',
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>perfdb quality report</h1>',
    `<p>Produced by <code>${esc(report.command)}</code>: ${count(report.output.rows)} rows in <code>${esc(report.output.file)}</code> (${count(s.measured)} measured, ${count(s.interpolated)} interpolated, ${count(s.extrapolated)} extrapolated). Numbers are rounded to ${report.significantDigits} significant digits; <code>quality-report.md</code> beside this page has every section.</p>`,
    '</header>',
    headlineHtml(report.trust),
    summaryHtml(report),
    '<section id="group">',
    `<div class="selector"><label for="group-select">Group</label><select id="group-select">${options.join('')}</select></div>`,
    `<p class="note">Hover a point of a chart for its configuration, value, source and uncertainty: ± the relative half-width of the central ${esc(report.trust.coverage)} interval of the err columns (<code>--uncertainty</code>), its basis in brackets.</p>`,
    ...report.groups.map((g, i) => groupHtml(g, groups[i] ?? { charts: [], backtests: {} }, i)),
    '</section>',
    '<footer>Charts drawn with vega-lite in the browser; the SVG charts in <code>plots/</code> show the same layers.</footer>',
    `<script type="application/json" id="perfdb-charts">${jsonForScript(chartData(groups))}</script>`,
    bundleScripts(bundles),
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const inlined = new WeakMap<ChartBundles, { from: ChartBundles; text: string }>();

/** The three libraries' script elements, escaped once per process (chartBundles reads them once) and again only if a bundle's text changed. */
function bundleScripts(bundles: ChartBundles): string {
  const cached = inlined.get(bundles);
  const { vega, vegaLite, vegaEmbed } = bundles;
  if (cached !== undefined && cached.from.vega === vega && cached.from.vegaLite === vegaLite && cached.from.vegaEmbed === vegaEmbed) return cached.text;
  const text = [vega, vegaLite, vegaEmbed].map((code) => `<script>${inlineScript(code)}</script>`).join('\n');
  inlined.set(bundles, { from: { vega, vegaLite, vegaEmbed }, text });
  return text;
}
