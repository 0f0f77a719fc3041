import { describe, expect, it, vi } from 'vitest';
import { renderPlot } from '../pipeline/plots/render.js';
import { plotSpec } from '../pipeline/plots/spec.js';
import type { PlotSeries } from '../pipeline/plots/types.js';
import { deepFreeze } from './helpers.js';

const X_TITLE = 'batch_tokens = prompt_size × batch_size (tokens)';
const LEGEND = ['repetitions by batch size', 'median (min–max)', 'perf_db.csv: interpolated', 'perf_db.csv: extrapolated', 'anomaly', 'measured range', 'beyond the measured range'];

/** Knots 128..8192 (powers of two), y 20..2000 ms (both axes log), extrapolated to 32768; the last median drops. */
function series(overrides: Partial<PlotSeries> = {}): PlotSeries {
  const knots = [128, 512, 2048, 8192];
  const ys = [20, 200, 2000, 1750];
  return {
    title: 'llama2-70b / a100-80gb / tp=2 — prompt_time',
    metric: 'prompt_time',
    unit: 'ms',
    repetitions: knots.flatMap((x, i) => [0.99, 1, 1.01].map((f, k) => ({ x, y: ys[i]! * f, config: { prompt_size: x / 2 ** k, batch_size: 2 ** k, token_size: 16 } }))),
    medians: knots.map((x, i) => ({ x, y: ys[i]!, min: ys[i]! * 0.99, max: ys[i]! * 1.01 })),
    emitted: [
      { x: 256, y: 110, source: 'interpolated' },
      { x: 16384, y: 1750, source: 'extrapolated', held: 'end' },
      { x: 32768, y: 3500, source: 'extrapolated' },
    ],
    measuredRange: [128, 8192],
    extent: [128, 32768],
    anomalies: [{ x: 8192, y: 1750, label: 'median drops 12.5%' }],
    ...overrides,
  };
}

interface LayerView {
  mark: { type: string } | string;
  data?: { values?: Record<string, unknown>[] };
  encoding?: Record<string, { scale?: { type?: string; zero?: boolean; domain?: unknown }; axis?: { values?: number[] } } | undefined>;
}
const layersOf = (s: PlotSeries): LayerView[] => (plotSpec(s) as unknown as { layer: LayerView[] }).layer;
const markOf = (l: LayerView): string => (typeof l.mark === 'string' ? l.mark : l.mark.type);
const scaleOf = (s: PlotSeries, channel: 'x' | 'y') => layersOf(s).find((l) => l.encoding?.[channel])?.encoding?.[channel];
/** Every number drawn in a channel's fields by any layer. */
const drawn = (s: PlotSeries, fields: string[]): unknown[] =>
  layersOf(s).flatMap((l) => (l.data?.values ?? []).flatMap((row) => fields.filter((f) => f in row).map((f) => row[f])));

describe('renderPlot()', () => {
  it('draws a standalone SVG document with the title, both axis titles and every legend label', async () => {
    const svg = await renderPlot(series());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>llama2-70b / a100-80gb / tp=2 — prompt_time<');
    expect(svg).toContain(`>${X_TITLE}<`);
    expect(svg).toContain('>prompt_time (ms)<');
    for (const label of LEGEND) expect(svg).toContain(`>${label}<`);
    expect(svg).toContain('>median drops 12.5%<');
    expect(svg).not.toContain('<title');
  });

  it('gives the same bytes for the same series, whatever was drawn in between, the clock or Math.random', async () => {
    const first = await renderPlot(series());
    await renderPlot(series({ title: 'another', anomalies: [] }));
    const now = vi.spyOn(Date, 'now').mockReturnValue(0);
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(await renderPlot(series())).toBe(first);
    } finally {
      now.mockRestore();
      random.mockRestore();
    }
    // Concurrent renders share nothing: each gives the same bytes.
    const [a, b] = await Promise.all([renderPlot(series()), renderPlot(series())]);
    expect(a).toBe(first);
    expect(b).toBe(first);
    expect(first).not.toContain(process.cwd());
    expect(first).not.toMatch(/file:|\/home\/|\/tmp\//);
  });

  it('does not mutate its input', async () => {
    const input = series();
    const copy = structuredClone(input);
    deepFreeze(input);
    await renderPlot(input);
    plotSpec(input);
    expect(input).toEqual(copy);
  });

  it('draws non-finite and non-positive values on log axes without crashing, leaving them out', async () => {
    const input = series({
      repetitions: [...series().repetitions, { x: 512, y: 0 }, { x: 512, y: -3 }, { x: 512, y: Number.NaN }, { x: 0, y: 100 }],
      emitted: [...series().emitted, { x: 4096, y: Number.POSITIVE_INFINITY, source: 'interpolated' }],
      medians: [...series().medians, { x: 1024, y: 400, min: 0, max: 410 }],
    });
    const svg = await renderPlot(input);
    // Zero or negative: y 0 and -3, x 0, the bar whose min is 0; not finite: y NaN, y Infinity.
    expect(svg).toContain('>4 points not shown: zero or negative, which a logarithmic scale cannot place<');
    expect(svg).toContain('>2 points not shown: not a finite number<');
    expect(svg).not.toMatch(/non-finite|log axis/);
    expect(scaleOf(input, 'y')?.scale?.type).toBe('log');
    const ys = drawn(input, ['y', 'min', 'max']) as number[];
    expect(ys.every((y) => Number.isFinite(y) && y > 0)).toBe(true);
    // The median at 1024 is drawn; only its bar, whose min is 0, is not.
    expect(drawn(input, ['y'])).toContain(400);
    expect(drawn(input, ['max'])).not.toContain(410);
  });

  it('draws an empty series as an empty chart', async () => {
    const svg = await renderPlot(
      series({ repetitions: [], medians: [], emitted: [], anomalies: [], measuredRange: [128, 8192], extent: [128, 8192] }),
    );
    expect(svg.startsWith('<svg')).toBe(true);
  });
});

describe('plotSpec()', () => {
  it.each([
    { name: 'x over 128..524288', x: [128, 524288], log: true },
    { name: 'x over 1000..40000 (ratio 40)', x: [1000, 40000], log: true },
    { name: 'x over 1000..8000 (ratio 8)', x: [1000, 8000], log: false },
  ])('chooses a log x scale when max/min > 10 (a decade): $name', ({ x, log }) => {
    const input = series({
      repetitions: [{ x: x[0]!, y: 10 }],
      medians: [],
      emitted: [],
      anomalies: [],
      measuredRange: [x[0]!, x[1]!],
      extent: [x[0]!, x[1]!],
    });
    expect(scaleOf(input, 'x')?.scale?.type).toBe(log ? 'log' : 'linear');
  });

  it.each([
    { name: 'y over 60..6600', y: [60, 6600], log: true },
    { name: 'y over 28..48', y: [28, 48], log: false },
    { name: 'y over 0.5..20 (ratio 40)', y: [0.5, 20], log: true },
    { name: 'y over 2..16 (ratio 8)', y: [2, 16], log: false },
  ])('chooses a log y scale when max/min > 10 (a decade), else linear without zero: $name', ({ y, log }) => {
    const input = series({ repetitions: y.map((v) => ({ x: 1024, y: v })), medians: [], emitted: [], anomalies: [] });
    const scale = scaleOf(input, 'y')?.scale;
    expect(scale?.type).toBe(log ? 'log' : 'linear');
    if (!log) expect(scale?.zero).toBe(false);
  });

  it('puts log x ticks on powers of two, the last one included, at most 8', () => {
    const input = series({ extent: [128, 524288] });
    const ticks = scaleOf(input, 'x')?.axis?.values ?? [];
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.every((t) => Number.isInteger(Math.log2(t)))).toBe(true);
    expect(ticks).toContain(524288);
  });

  it('shades the extrapolated range from the measured end to the chart edge, only where rows were extrapolated', () => {
    const above = layersOf(series()).filter((l) => markOf(l) === 'rect');
    expect(above).toHaveLength(1);
    const regions = above[0]!.data!.values!;
    expect(regions).toHaveLength(1);
    expect(regions[0]!.x).toBe(8192);
    expect(regions[0]!.x2 as number).toBeGreaterThanOrEqual(32768);

    const both = layersOf(series({ extent: [64, 32768] })).find((l) => markOf(l) === 'rect')!.data!.values!;
    expect(both.map((r) => [r.x, r.x2].map((v) => (v as number) <= 64 || (v as number) >= 32768 || v))).toEqual([
      [true, 128],
      [8192, true],
    ]);

    const none = series({ extent: [128, 8192], emitted: [] });
    expect(layersOf(none).some((l) => markOf(l) === 'rect')).toBe(false);
  });

  it('lists in the legend only the layers that are drawn', () => {
    const input = series({ anomalies: [], extent: [128, 8192], emitted: [{ x: 256, y: 110, source: 'interpolated' }] });
    const legend = layersOf(input).at(-1)!.data!.values!.map((r) => r.layer);
    expect(legend).toEqual(['median (min–max)', 'perf_db.csv: interpolated', 'measured range']);
  });

  it.each([
    { name: 'a series within a decade kept log', y: [2, 16], yLog: true },
    { name: 'a series over two decades kept linear', y: [1, 400], yLog: false },
  ])('takes the y scale chartSeries chose for every group over the series\' own span: $name', ({ y, yLog }) => {
    const input = series({ repetitions: y.map((v) => ({ x: 1024, y: v })), medians: [], emitted: [], anomalies: [], yLog });
    expect(scaleOf(input, 'y')?.scale?.type).toBe(yLog ? 'log' : 'linear');
  });

  it('colours the repetitions by batch size, with the batch sizes in a legend of their own', () => {
    const layer = layersOf(series()).find((l) => l.encoding?.fill !== undefined)!;
    expect((layer.encoding!.fill as unknown as { field: string }).field).toBe('batch');
    expect(layer.data!.values!.map((r) => r.batch)).toEqual([1, 2, 4, 1, 2, 4, 1, 2, 4, 1, 2, 4]);
  });

  it('thins the line\'s markers to one in 8 rows, its last and the first of each held run, and marks the held ones', () => {
    const emitted = Array.from({ length: 40 }, (_, i) => ({ x: 128 + i, y: 100 + i, source: 'interpolated' as const, config: { prompt_size: 128 + i, batch_size: 1, token_size: 16 }, ...(i >= 30 && i < 34 ? { held: 'end' as const } : {}) }));
    const layers = layersOf(series({ emitted, anomalies: [] }));
    const points = layers.filter((l) => markOf(l) === 'point' && l.data!.values!.some((r) => r.x !== undefined && (String(r.layer).startsWith('perf_db') || r.layer === 'held at a measured value')));
    const xs = points.flatMap((l) => l.data!.values!.map((r) => r.x as number)).sort((a, b) => a - b);
    // Every 8th of 40 (0, 8, 16, 24, 32), the last (39), the first held (30).
    expect(xs).toEqual([128, 136, 144, 152, 158, 160, 167]);
    const held = points.find((l) => l.data!.values!.every((r) => r.layer === 'held at a measured value'))!;
    expect(held.data!.values!.map((r) => r.x)).toEqual([158, 160]);
    expect(layers.filter((l) => markOf(l) === 'line').flatMap((l) => l.data!.values!)).toHaveLength(40);
  });

  it('titles the y axis with the metric alone when it has no unit', () => {
    const input = series({ metric: 'peak_power', unit: '' });
    expect(JSON.stringify(plotSpec(input))).toContain('"title":"peak_power"');
  });
});
