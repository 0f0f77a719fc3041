/**
 * One chart per (group, metric) as a vega-lite spec: measured repetitions,
 * per-knot medians with their min–max, the fitted curve and a sample of the
 * emitted rows, with the extrapolated ranges shaded. Pure and cheap.
 */
import type { TopLevelSpec } from 'vega-lite';
import { axisFor, placements } from './axes.js';
import { HEIGHT, LAYERS, RENDERER, TICK_FORMAT, WIDTH, X_TITLE, Y_TICKS } from './style.js';
import type { Axis, Layer, PlotSeries, Row, Tip } from './types.js';

type Layers = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>;

const name = (layer: Layer): string => LAYERS[layer].name;

/**
 * The layered vega-lite spec for one series. Pure: builds fresh data objects
 * (vega tags the objects it ingests), never touches `series`. Values that
 * cannot be drawn are left out of their layer and counted in the subtitle:
 * non-finite numbers anywhere, and values <= 0 on a log-scaled axis. With
 * `tooltips` (the report page), each point's `tip` goes into its row and its
 * layer shows it on hover; without, the spec is the SVG chart's, unchanged.
 */
export function plotSpec(series: PlotSeries, { tooltips = false }: { tooltips?: boolean } = {}): TopLevelSpec {
  const xAxis = axisFor([...series.repetitions, ...series.medians, ...series.fitted, ...series.emitted, ...series.anomalies].map((p) => p.x).concat(series.extent, series.measuredRange), 2);
  const yAxis = axisFor([...series.repetitions.map((p) => p.y), ...series.medians.flatMap((p) => [p.y, p.min, p.max]), ...series.fitted.map((p) => p.y), ...series.emitted.map((p) => p.y), ...series.anomalies.map((p) => p.y)], 10);
  const rows = drawableRows(series, xAxis, yAxis, tooltips);
  const present = new Set([...rows.regions, ...rows.repetitions, ...rows.medians, ...rows.fitted, ...rows.emitted, ...rows.anomalies].map((r) => r.layer));
  const shown = (Object.keys(LAYERS) as Layer[]).filter((l) => present.has(name(l)));
  const enc = encodings(series, xAxis, yAxis, shown);
  const layers: Layers = [...markLayers(rows, enc, xAxis, yAxis), legendLayer(shown, enc.color)];
  const title = rows.omitted > 0 ? { text: series.title, subtitle: `${rows.omitted} value${rows.omitted === 1 ? '' : 's'} not drawn: non-finite, or ≤ 0 on a log axis` } : { text: series.title };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Not drawn: names what renderPlot does beyond the spec (text metrics), so a plot cache keyed
    // on the spec (files.ts) draws anew when that changes. Bump it with such a change.
    usermeta: { renderer: RENDERER },
    title: { ...title, anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#b00' },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 12,
    layer: layers,
    // Scales stay shared; legends are per layer so that only the legend layer draws one.
    resolve: { legend: { color: 'independent', shape: 'independent' } },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      // Per-mark ARIA labels would repeat every data point inside the SVG.
      mark: { aria: false },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#eee' },
      legend: { labelFontSize: 12, labelLimit: 220 },
      view: { stroke: '#888' },
    },
  };
}

interface DrawableRows {
  repetitions: Row[];
  medians: Row[];
  spreads: Row[];
  fitted: Row[];
  emitted: Row[];
  anomalies: Row[];
  regions: Row[];
  /** Values left out because they cannot be drawn. */
  omitted: number;
}

/** Each layer's rows, keeping the points whose every value can be drawn and counting the rest (a median and its bar count apart). */
function drawableRows(series: PlotSeries, xAxis: Axis, yAxis: Axis, tooltips: boolean): DrawableRows {
  const okX = (v: number): boolean => Number.isFinite(v) && (!xAxis.log || v > 0);
  const okY = (v: number): boolean => Number.isFinite(v) && (!yAxis.log || v > 0);
  let omitted = 0;
  const keep = <T>(points: readonly T[], ok: (p: T) => boolean): T[] => {
    const kept = points.filter(ok);
    omitted += points.length - kept.length;
    return kept;
  };
  const xy = (p: { x: number; y: number }) => okX(p.x) && okY(p.y);
  const tip = (p: { tip?: Tip }): { tip?: Tip } => (tooltips && p.tip !== undefined ? { tip: p.tip } : {});
  const repetitions = keep(series.repetitions, xy).map((p): Row => ({ layer: name('repetition'), x: p.x, y: p.y, ...tip(p) }));
  const medians = keep(series.medians, xy).map((p): Row => ({ layer: name('median'), x: p.x, y: p.y, ...tip(p) }));
  // The min–max bar is a second mark of the same points: drawn where both ends can be.
  const spreads = keep(series.medians, (p) => okX(p.x) && okY(p.min) && okY(p.max)).map((p): Row => ({ layer: name('median'), x: p.x, min: p.min, max: p.max }));
  const fitted = keep(series.fitted, xy)
    .map((p): Row => ({ layer: name('fitted'), x: p.x, y: p.y }))
    .sort((a, b) => (a.x as number) - (b.x as number));
  const emitted = keep(series.emitted, xy).map((p): Row => ({ layer: name(p.source === 'interpolated' ? 'interpolated' : 'extrapolatedRow'), x: p.x, y: p.y, ...tip(p) }));
  const anomalies = keep(series.anomalies, xy).map((p): Row => ({ layer: name('anomaly'), x: p.x, y: p.y, label: p.label, ...tip(p) }));
  // Shade from the measured range to the chart's edge, wherever rows were extrapolated.
  const [extent0, extent1] = series.extent;
  const [range0, range1] = series.measuredRange;
  const regions: Row[] = [];
  if (okX(range0) && extent0 < range0) regions.push({ layer: name('extrapolated'), x: xAxis.domain[0], x2: range0 });
  if (okX(range1) && extent1 > range1) regions.push({ layer: name('extrapolated'), x: range1, x2: xAxis.domain[1] });
  return { repetitions, medians, spreads, fitted, emitted, anomalies, regions, omitted };
}

function encodings(series: PlotSeries, xAxis: Axis, yAxis: Axis, shown: readonly Layer[]) {
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: series.xTitle ?? X_TITLE,
    scale: { type: xAxis.log ? ('log' as const) : ('linear' as const), domain: xAxis.domain, nice: false },
    axis: xAxis.ticks ? { values: xAxis.ticks, format: TICK_FORMAT } : { tickCount: 8 },
  };
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: series.unit ? `${series.metric} (${series.unit})` : series.metric,
    scale: yAxis.log ? { type: 'log' as const, domain: yAxis.domain, nice: false } : { type: 'linear' as const, nice: Y_TICKS, zero: false },
    axis: yAxis.ticks ? { values: yAxis.ticks, format: TICK_FORMAT } : { tickCount: Y_TICKS },
  };
  // One colour scale over the "layer" field for every layer; the legend itself comes from one
  // invisible layer, because merging the legends of seven different marks makes vega-lite pick
  // one mark's symbol style for all of them.
  const color = { field: 'layer', type: 'nominal' as const, scale: { domain: shown.map(name), range: shown.map((l) => LAYERS[l].color) }, legend: null };
  return { x, y, color };
}

type Encodings = ReturnType<typeof encodings>;

/** The data layers, in drawing order: shading at the back, anomalies on top. */
function markLayers(rows: DrawableRows, { x, y, color }: Encodings, xAxis: Axis, yAxis: Axis): Layers {
  const layers: Layers = [];
  const add = (values: Row[], mark: Record<string, unknown>, encoding: Record<string, unknown>) => {
    if (values.length === 0) return;
    // A layer whose rows carry tips shows them on hover (vega-embed's tooltip handler lists the object).
    const tipped = values.some((r) => r.tip !== undefined) ? { tooltip: { expr: 'datum.tip' } } : {};
    layers.push({ data: { values }, mark: { ...mark, ...tipped }, encoding } as unknown as Layers[number]);
  };
  add(rows.regions, { type: 'rect', opacity: 0.5 }, { x, x2: { field: 'x2' }, color });
  add(rows.spreads, { type: 'rule', strokeWidth: 1.5 }, { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, color });
  add(rows.fitted, { type: 'line', strokeWidth: 1.5, interpolate: 'linear' }, { x, y, color, order: { field: 'x', type: 'quantitative' } });
  add(rows.repetitions, { type: 'point', filled: true, size: 22, opacity: 0.55 }, { x, y, color });
  add(rows.emitted, { type: 'tick', orient: 'vertical', size: 9, thickness: 1.5, opacity: 1 }, { x, y, color });
  add(rows.medians, { type: 'point', filled: true, size: 60, opacity: 1, stroke: 'white', strokeWidth: 0.8 }, { x, y, color });
  add(rows.anomalies, { type: 'point', size: 260, strokeWidth: 2.5, filled: false, opacity: 1 }, { x, y, color });
  if (rows.anomalies.length === 0) return layers;
  // Labels point into the plot: left of a point in the right half, below a point in the top half.
  for (const place of placements(rows.anomalies, xAxis, yAxis)) {
    const text = { type: 'text' as const, ...place.mark, fontSize: 12, fontWeight: 'bold' as const };
    const encoding = { x, y, text: { field: 'label', type: 'nominal' as const } };
    // A white outline underneath keeps the label readable where it crosses a line.
    layers.push({ data: { values: place.rows }, mark: { ...text, color: 'white', stroke: 'white', strokeWidth: 4 }, encoding });
    layers.push({ data: { values: place.rows }, mark: { ...text, color: LAYERS.anomaly.color }, encoding });
  }
  return layers;
}

/** The one invisible layer that draws the legend, with every shown layer's colour and symbol. */
function legendLayer(shown: readonly Layer[], color: Encodings['color']): Layers[number] {
  return {
    data: { values: shown.map((l): Row => ({ layer: name(l) })) },
    mark: { type: 'point' as const, filled: false, size: 0, opacity: 0 },
    encoding: {
      color: {
        ...color,
        legend: {
          title: null,
          orient: 'right' as const,
          symbolSize: 90,
          symbolStrokeWidth: 2,
          symbolOpacity: 1,
          // Equal rows: a line symbol is otherwise shorter than a dot.
          columns: 1,
          gridAlign: 'all' as const,
          // An unfilled legend layer strokes every symbol in its colour (lines and ticks need it);
          // all but the anomaly ring get the colour as fill too ("color" is vega-lite's scale name).
          encoding: {
            symbols: {
              fill: { value: { expr: `datum.value === '${LAYERS.anomaly.name}' ? 'transparent' : scale('color', datum.value)` } },
              fillOpacity: { value: 1 },
            },
          },
        },
      },
      shape: { field: 'layer', type: 'nominal' as const, scale: { domain: shown.map(name), range: shown.map((l) => LAYERS[l].shape) } },
    },
  };
}
