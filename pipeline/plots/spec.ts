/**
 * One chart per (group, metric) as a vega-lite spec: measured repetitions
 * coloured by batch size, per-knot medians with their min–max, the line of
 * the values perf_db.csv holds (held values marked), the measured range's
 * ends, and the extrapolated ranges shaded. Pure and cheap.
 */
import type { TopLevelSpec } from 'vega-lite';
import { axisFor, placements } from './axes.js';
import { BATCH_SCHEME, HEIGHT, LAYERS, MARKER_STEP, RENDERER, TICK_FORMAT, WIDTH, X_TITLE, Y_TICKS } from './style.js';
import type { Axis, Layer, PlotSeries, Row, Tip } from './types.js';

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
  const xAxis = axisFor([...series.repetitions, ...series.medians, ...series.emitted, ...series.anomalies].map((p) => p.x).concat(series.extent, series.measuredRange), 2);
  const yAxis = axisFor([...series.repetitions.map((p) => p.y), ...series.medians.flatMap((p) => [p.y, p.min, p.max]), ...series.emitted.map((p) => p.y), ...series.anomalies.map((p) => p.y)], 10, series.yLog);
  const rows = drawableRows(series, xAxis, yAxis, tooltips);
  const present = new Set([...rows.regions, ...rows.bounds, ...rows.medians, ...rows.line, ...rows.markers, ...rows.anomalies].map((r) => r.layer));
  const shown = (Object.keys(LAYERS) as Layer[]).filter((l) => present.has(name(l)));
  const enc = encodings(series, xAxis, yAxis, shown);
  const layers: Layers = [...markLayers(rows, enc, xAxis, yAxis), legendLayer(shown, enc.color)];
  const subtitle = [...(series.subtitle ?? []), ...omittedNotes(rows.omitted)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Not drawn: names what renderPlot does beyond the spec (text metrics), so a plot cache keyed
    // on the spec (files.ts) draws anew when that changes. Bump it with such a change.
    usermeta: { renderer: RENDERER },
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

/** What was left out, in words a reader of the chart needs no manual for. */
function omittedNotes({ notFinite, notPositive }: DrawableRows['omitted']): string[] {
  const points = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
  const notes: string[] = [];
  if (notPositive > 0) notes.push(`${points(notPositive)} not shown: zero or negative, which a logarithmic scale cannot place`);
  if (notFinite > 0) notes.push(`${points(notFinite)} not shown: not a finite number`);
  return notes;
}

interface DrawableRows {
  repetitions: Row[];
  medians: Row[];
  spreads: Row[];
  /** The emitted values as line segments (`seg`), one per token size and source. */
  line: Row[];
  /** A thinned subset of the line's points, and every held one. */
  markers: Row[];
  anomalies: Row[];
  regions: Row[];
  /** The measured range's two ends. */
  bounds: Row[];
  /** Values left out because they cannot be drawn. */
  omitted: { notFinite: number; notPositive: number };
}

/** Each layer's rows, keeping the points whose every value can be drawn and counting the rest (a median and its bar count apart). */
function drawableRows(series: PlotSeries, xAxis: Axis, yAxis: Axis, tooltips: boolean): DrawableRows {
  const omitted = { notFinite: 0, notPositive: 0 };
  const ok = (v: number, axis: Axis): boolean => Number.isFinite(v) && (!axis.log || v > 0);
  const keep = <T>(points: readonly T[], values: (p: T) => number[]): T[] =>
    points.filter((p) => {
      const [xs, ...ys] = values(p) as [number, ...number[]];
      if (ok(xs, xAxis) && ys.every((y) => ok(y, yAxis))) return true;
      if ([xs, ...ys].every(Number.isFinite)) omitted.notPositive++;
      else omitted.notFinite++;
      return false;
    });
  const xy = (p: { x: number; y: number }) => [p.x, p.y];
  const tip = (p: { tip?: Tip }): { tip?: Tip } => (tooltips && p.tip !== undefined ? { tip: p.tip } : {});
  const repetitions = keep(series.repetitions, xy).map((p): Row => ({ layer: 'repetition', x: p.x, y: p.y, batch: p.config?.batch_size ?? 0, ...tip(p) }));
  const medians = keep(series.medians, xy).map((p): Row => ({ layer: name('median'), x: p.x, y: p.y, ...tip(p) }));
  // The min–max bar is a second mark of the same points: drawn where both ends can be.
  const spreads = keep(series.medians, (p) => [p.x, p.min, p.max]).map((p): Row => ({ layer: name('median'), x: p.x, min: p.min, max: p.max }));
  const { line, markers } = lineRows(keep(series.emitted, xy), tip);
  const anomalies = keep(series.anomalies, xy).map((p): Row => ({ layer: name('anomaly'), x: p.x, y: p.y, label: p.label, ...tip(p) }));
  // Shade from the measured range to the chart's edge, wherever rows were extrapolated.
  const [extent0, extent1] = series.extent;
  const [range0, range1] = series.measuredRange;
  const regions: Row[] = [];
  if (ok(range0, xAxis) && extent0 < range0) regions.push({ layer: name('extrapolated'), x: xAxis.domain[0], x2: range0 });
  if (ok(range1, xAxis) && extent1 > range1) regions.push({ layer: name('extrapolated'), x: range1, x2: xAxis.domain[1] });
  const bounds = [range0, range1].filter((x, i, all) => ok(x, xAxis) && all.indexOf(x) === i).map((x): Row => ({ layer: name('range'), x }));
  return { repetitions, medians, spreads, line, markers, anomalies, regions, bounds, omitted };
}

/**
 * The line's rows: a new segment wherever the token size or the source changes, its first point
 * repeated from the segment before so the line stays unbroken; markers at every MARKER_STEP-th
 * point of each token size, its last, and the first of each run of held points (held ones drawn as held).
 */
function lineRows(points: PlotSeries['emitted'], tip: (p: { tip?: Tip }) => { tip?: Tip }): { line: Row[]; markers: Row[] } {
  const line: Row[] = [];
  const markers: Row[] = [];
  let seg = -1;
  let previous: PlotSeries['emitted'][number] | undefined;
  let index = 0;
  points.forEach((p, i) => {
    const layer = name(p.source === 'interpolated' ? 'interpolated' : 'extrapolatedRow');
    const sameLine = previous !== undefined && previous.config?.token_size === p.config?.token_size;
    if (!sameLine) index = 0;
    if (!sameLine || previous?.source !== p.source) {
      seg++;
      if (sameLine && previous !== undefined) line.push({ layer, seg, x: previous.x, y: previous.y });
    }
    line.push({ layer, seg, x: p.x, y: p.y });
    const last = points[i + 1]?.config?.token_size !== p.config?.token_size;
    const heldStarts = p.held !== undefined && (!sameLine || previous?.held === undefined);
    if (heldStarts || index % MARKER_STEP === 0 || last) markers.push({ layer: p.held === undefined ? layer : name('held'), x: p.x, y: p.y, ...tip(p) });
    previous = p;
    index++;
  });
  return { line, markers };
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
