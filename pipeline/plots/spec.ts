/**
 * One chart per (group, metric) as a vega-lite spec: measured repetitions
 * coloured by batch size, per-knot medians with their min–max, the line of
 * the values perf_db.csv holds (held values marked), the measured range's
 * ends, and the extrapolated ranges shaded. Pure and cheap.
 */
import type { TopLevelSpec } from 'vega-lite';
import { placements } from './axes.js';
import { chartModel, type DrawableRows } from './rows.js';
import { BATCH_SCHEME, HEIGHT, LAYERS, TICK_FORMAT, WIDTH, X_TITLE, Y_TICKS } from './style.js';
import type { Axis, Layer, PlotSeries, Row } from './types.js';

type Layers = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>;

const name = (layer: Layer): string => LAYERS[layer].name;

/**
 * The layered vega-lite spec for one series. Pure: builds fresh data objects
 * (vega tags the objects it ingests), never touches `series`. Values that
 * cannot be drawn are left out of their layer and said so in plain words in
 * the subtitle. With `tooltips` (the report page), each point's `tip` goes
 * into its row and its layer shows it on hover; without, the spec is the SVG
 * chart's, unchanged.
 */
export function plotSpec(series: PlotSeries, { tooltips = false }: { tooltips?: boolean } = {}): TopLevelSpec {
  const { xAxis, yAxis, rows, shown, subtitle } = chartModel(series, tooltips);
  const enc = encodings(series, xAxis, yAxis, shown);
  const layers: Layers = [...markLayers(rows, enc, xAxis, yAxis), legendLayer(shown, enc.color)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: series.title, ...(subtitle.length === 0 ? {} : { subtitle }), anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#444', subtitlePadding: 4 },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 12,
    layer: layers,
    // Scales stay shared; legends are per layer so that only the legend layer draws one.
    resolve: { legend: { color: 'independent', shape: 'independent', fill: 'independent' } },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      // Per-mark ARIA labels would repeat every data point inside the SVG.
      mark: { aria: false },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#eee' },
      legend: { labelFontSize: 12, labelLimit: 220, titleFontSize: 12, titleFontWeight: 'normal' },
      view: { stroke: '#888' },
    },
  };
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
  add(rows.regions, { type: 'rect', opacity: 0.6 }, { x, x2: { field: 'x2' }, color });
  add(rows.bounds, { type: 'rule', strokeWidth: 1, strokeDash: [4, 3] }, { x, color });
  // Repetitions by batch size (the fill scale); their outline keeps light colours visible on white.
  const batch = { field: 'batch', type: 'ordinal' as const, scale: { scheme: BATCH_SCHEME }, legend: { title: 'repetitions by batch size', orient: 'right' as const, symbolType: 'circle', columns: 2 } };
  add(rows.repetitions, { type: 'point', filled: true, size: 26, opacity: 0.8, stroke: '#555', strokeWidth: 0.4 }, { x, y, fill: batch });
  add(rows.spreads, { type: 'rule', strokeWidth: 1.5 }, { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, color });
  add(rows.line, { type: 'line', strokeWidth: 2, interpolate: 'linear' }, { x, y, color, detail: { field: 'seg', type: 'nominal' }, order: { field: 'x', type: 'quantitative' } });
  add(rows.markers.filter((r) => r.layer !== name('held')), { type: 'point', filled: true, size: 18, opacity: 1 }, { x, y, color });
  add(rows.markers.filter((r) => r.layer === name('held')), { type: 'point', shape: 'triangle-up', filled: true, size: 60, opacity: 1 }, { x, y, color });
  add(rows.medians, { type: 'point', filled: true, size: 46, opacity: 1, stroke: 'white', strokeWidth: 0.8 }, { x, y, color });
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
