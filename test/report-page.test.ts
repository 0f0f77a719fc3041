import { beforeAll, describe, expect, it } from 'vitest';
import { chartBundles, type ChartBundles } from '../pipeline/io/bundles.js';
import { runOptions } from '../pipeline/options/defaults.js';
import { pageGroups } from '../pipeline/page/groups.js';
import { chartSeries } from '../pipeline/plots/draw.js';
import { esc, inlineScript, jsonForScript } from '../pipeline/page/html.js';
import { reportPage } from '../pipeline/page/page.js';
import { plotSpec } from '../pipeline/plots/spec.js';
import { buildReport } from '../pipeline/stages/report.js';
import type { Grid } from '../pipeline/types.js';
import { deepFreeze, pipelineRun, source } from './helpers.js';

const HOSTILE = '<script>alert(1)</script>&"';
const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time';
/** A grid that reaches below and above the measured batch_tokens (100 to 1600). */
const GRID: Grid = { prompts: [50, 100, 200, 400, 800, 1600, 3200], batches: [1, 2], tokens: [10] };

/** Two groups, the first named HOSTILE (quoted as CSV quotes it), measured at batch_tokens 100 to 1600 with three repetitions each. */
function rows(): string[] {
  const out: string[] = [];
  for (const [model, scale] of [['"<script>alert(1)</script>&"""', 1], ['plain', 2]] as const) {
    for (const [p, b] of [[100, 1], [200, 1], [400, 1], [800, 1], [1600, 1], [100, 2], [100, 4]] as const) {
      for (const wobble of [0.98, 1, 1.03]) out.push(`${model},h,1,${p},${b},10,${(p * b * scale * wobble) / 10},${(1 + (p * b) / 800) * wobble}`);
    }
  }
  return out;
}

let bundles: ChartBundles;
beforeAll(async () => {
  bundles = await chartBundles();
});

async function page(lines: readonly string[], concurrency = 1, with_: ChartBundles = bundles) {
  const options = runOptions({ grid: GRID, concurrency, workerMinRows: 0 });
  const result = await pipelineRun([source(`${HEADER}\n${lines.join('\n')}\n`)], { ...options }, () => undefined);
  const report = buildReport(result, { ...options, command: 'npm run generate --', gridText: { prompts: '50..3200', batches: '1,2', tokens: '10' } });
  const groups = pageGroups(result.groups, result.trust, chartSeries(result.groups, GRID));
  return { html: reportPage(report, groups, with_), report, groups };
}

interface Layer {
  mark: { type: string; tooltip?: unknown };
  data: { values: Record<string, unknown>[] };
}
interface PageChart {
  metric: string;
  unit: string;
  spec: { title: { text: string }; layer: (Omit<Layer, 'data'> & { data?: { compact?: { n: number; k: Record<string, unknown>; c: Record<string, unknown[]> } } })[] };
}

/** The charts the page carries, read back as the browser reads them. */
function chartsOf(html: string): PageChart[][] {
  const text = /<script type="application\/json" id="perfdb-charts">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (text === undefined) throw new Error('no chart data in the page');
  return (JSON.parse(text) as { groups: PageChart[][] }).groups;
}

/** A chart's layers with their rows rebuilt from the compact columns (as the page's script does; its tip codes left as codes). */
const layersOf = (chart: PageChart | undefined): Layer[] =>
  (chart?.spec.layer ?? []).map((l) => {
    const c = l.data?.compact;
    if (c === undefined) return { ...l, data: { values: [] } };
    const values = Array.from({ length: c.n }, (_, i) => ({ ...c.k, ...Object.fromEntries(Object.entries(c.c).filter(([, v]) => v[i] !== null).map(([f, v]) => [f, v[i]])) }));
    return { ...l, data: { values } };
  });

describe('reportPage()', () => {
  it('escapes a hostile model name everywhere: no markup, no script, and the name intact in the chart data', async () => {
    const { html, report } = await page(rows());
    expect(report.groups[0]?.model).toBe(HOSTILE);
    // Assertions on booleans: a failure names the text, not the whole 1 MB page.
    const has = (text: string) => html.includes(text);
    expect(has('alert(1)</script>')).toBe(false);
    expect(has('<script>alert')).toBe(false);
    // The group id writes the name's "/" as %2F.
    const id = '&lt;script&gt;alert(1)&lt;%2Fscript&gt;&amp;&quot;/h/tp=1';
    for (const text of [`<option value="0">${id} (`, `<h2>${id} `, `aria-label="${id} prompt_time"`, `<a href="#group-0" data-group="0">${id}</a>`]) expect(has(text), text).toBe(true);
    expect(has('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026\\"')).toBe(true);
    // Only the page's own five scripts: the chart data, three libraries, the page's script.
    expect(html.match(/<script\b/g)?.length).toBe(5);
    expect(html.match(/<\/script>/g)?.length).toBe(5);
    const title = chartsOf(html)[0]?.[0]?.spec.title.text;
    expect(title).toBe(`${HOSTILE} / h / tp=1 — prompt_time (linear)`);
  });

  it('gives the same bytes for the same input, whatever the row order or the concurrency', async () => {
    const first = await page(rows());
    const again = await page([...rows()].reverse(), 2);
    // Compared as booleans: a failure would otherwise print two 1 MB pages.
    expect(again.html === first.html).toBe(true);
    expect((await page(rows())).html === first.html).toBe(true);
  });

  it('carries every group\'s charts with a tooltip on each point: the configuration, the value, the source, the uncertainty', async () => {
    const { html, groups } = await page(rows());
    const charts = chartsOf(html);
    expect(charts.map((c) => c.length)).toEqual([2, 2]);
    const layers = layersOf(charts[1]?.[0]);
    const repetitions = layers.find((l) => l.data.values[0]?.layer === 'repetition');
    expect(repetitions?.mark.tooltip).toEqual({ expr: 'datum.tip' });
    expect(charts[1]?.[0]).toMatchObject({ metric: 'prompt_time', unit: 'ms' });
    // A TipCode: [kind, prompt, batch, tokens, value, source, err, basis, factor]; 100 × 1 × 2 / 10 × 0.98 = 19.6 ms.
    const first = repetitions?.data.values[0]?.tip as unknown[];
    expect(first.slice(0, 6)).toEqual([0, 100, 1, 10, 19.6, 0]);
    // The err of the repetitions 19.6, 20, 20.6 at 0.8 (scipy: norm.ppf(0.9) · sqrt(π/2) · CV / sqrt(3), CV 0.0250825) = 0.0232598.
    expect(first[6]).toBeCloseTo(0.0232598, 6);
    expect(first.slice(7)).toEqual([0, null]);
    const emitted = layers.flatMap((l) => l.data.values).filter((r) => Array.isArray(r.tip) && r.tip[0] === 1);
    const tip = (p: number, b: number) => emitted.find((r) => { const t = r.tip as unknown[]; return t[1] === p && t[2] === b; })?.tip as unknown[] | undefined;
    const at = (p: number, b: number) => { const t = tip(p, b)!; return { kind: t[0], source: ['measured', 'interpolated', 'extrapolated'][t[5] as number], basis: t[7], factor: t[8] }; };
    expect(emitted.length).toBeGreaterThan(0);
    expect(at(50, 1)).toEqual({ kind: 1, source: 'extrapolated', basis: 2, factor: 2 });
    expect(at(3200, 2)).toMatchObject({ kind: 1, source: 'extrapolated', factor: 4 });
    expect(groups[0]?.backtests.prompt_time?.upper.points).toBeGreaterThan(0);
  });

  it('leaves the SVG charts\' specs as they were: no tip and no tooltip without the option', async () => {
    const { groups } = await page(rows());
    const spec = groups[0]!.charts[0]!.spec;
    expect(JSON.stringify(spec)).toContain('"tip"');
    const series = deepFreeze({ title: 't', metric: 'prompt_time', unit: 'ms', repetitions: [{ x: 1, y: 2, tip: { title: 'a' } }], medians: [], emitted: [], anomalies: [], measuredRange: [1, 4] as [number, number], extent: [1, 4] as [number, number] });
    expect(JSON.stringify(plotSpec(series))).not.toMatch(/"tip"|tooltip/);
    expect(JSON.stringify(plotSpec(series, { tooltips: true }))).toContain('"tooltip":{"expr":"datum.tip"}');
  });

  it('inlines a library holding "</script>" without ending its element, and drops its source-map comment', async () => {
    const hostile = { vega: 'var a = "</script><script>alert(2)</script>";', vegaLite: 'var b = 1;\n//# sourceMappingURL=vega-lite.min.js.map', vegaEmbed: 'var c = /<\\/SCRIPT>/;' };
    const { html } = await page(rows(), 1, hostile);
    expect(html.match(/<\/script>/gi)?.length).toBe(5);
    expect(html.includes('var a = "<\\/script><script>alert(2)<\\/script>";')).toBe(true);
    expect(html.includes('sourceMappingURL')).toBe(false);
  });
});

describe('the page\'s escaping helpers', () => {
  it.each([
    ['<b>&"\'', '&lt;b&gt;&amp;&quot;&#39;'],
    ['plain', 'plain'],
    [42, '42'],
  ])('esc(%j) is %j', (text, expected) => {
    expect(esc(text)).toBe(expected);
  });

  it('jsonForScript() writes no <, > or & and reads back unchanged', () => {
    const value = { name: '</script><!-- & \u2028 \u2029', n: 1.5 };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('reportPage() inlines each bundle escaped, and a bundle whose text changed as it is now', async () => {
    const { report, groups } = await page(rows());
    const fake: ChartBundles = { vega: 'var v = "</script>";', vegaLite: 'var l = 1;', vegaEmbed: 'var e = 2;' };
    expect(reportPage(report, groups, fake)).toContain('<script>var v = "<\\/script>";</script>\n<script>var l = 1;</script>\n<script>var e = 2;</script>\n<script>');
    fake.vegaLite = 'var l = 3;';
    const again = reportPage(report, groups, fake);
    // Booleans: a failure would otherwise print the whole page.
    expect(again.includes('<script>var l = 3;</script>')).toBe(true);
    expect(again.includes('var l = 1;')).toBe(false);
  });

  it('inlineScript() leaves code without </script alone', () => {
    expect(inlineScript('a < b && c > d')).toBe('a < b && c > d');
  });
});
