/**
 * One chart per (group, metric): measured repetitions, per-knot medians with their min–max,
 * the fitted curve and a sample of the emitted rows, with the extrapolated ranges shaded.
 *
 * `plotSpec` is pure and cheap; `renderPlot` turns the spec into a standalone SVG document with
 * vega + vega-lite, imported lazily (about 0.5 s, once) so runs that draw no plot never pay.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface PlotSeries {
  /** e.g. "llama2-70b / a100-80gb / tp=2 — prompt_time" */
  title: string;
  /** "prompt_time" | "token_time" | ... */
  metric: string;
  /** "ms", or "" for a normalised power */
  unit: string;
  /** Every measured repetition; x = batch_tokens. */
  repetitions: { x: number; y: number }[];
  /** Per-knot median with the repetitions' min and max. */
  medians: { x: number; y: number; min: number; max: number }[];
  /** The fitted curve sampled densely, sorted by x. */
  fitted: { x: number; y: number }[];
  /** A sample of the emitted rows (at most a few hundred). */
  emitted: { x: number; y: number; source: 'interpolated' | 'extrapolated' }[];
  /** Measured batch_tokens range; outside it is extrapolation. */
  measuredRange: [number, number];
  /** x extent of the chart; covers the emitted rows. */
  extent: [number, number];
  /** Points to mark, e.g. a median that drops. */
  anomalies: { x: number; y: number; label: string }[];
  /** The x axis title; default batch_tokens. */
  xTitle?: string;
}

type Layer = 'extrapolated' | 'repetition' | 'median' | 'fitted' | 'interpolated' | 'extrapolatedRow' | 'anomaly';

/** Legend order, name, colour and legend symbol of every layer; one shared scale so one legend lists them. */
const LAYERS: Record<Layer, { name: string; color: string; shape: string }> = {
  repetition: { name: 'repetition', color: '#6baed6', shape: 'circle' },
  median: { name: 'median (min–max)', color: '#08519c', shape: 'circle' },
  fitted: { name: 'fitted', color: '#f58518', shape: 'stroke' },
  // A vertical bar: emitted rows are drawn as ticks.
  interpolated: { name: 'emitted: interpolated', color: '#2ca02c', shape: 'M0,-1L0,1' },
  extrapolatedRow: { name: 'emitted: extrapolated', color: '#9467bd', shape: 'M0,-1L0,1' },
  anomaly: { name: 'anomaly', color: '#d62728', shape: 'circle' },
  extrapolated: { name: 'extrapolated', color: '#d9d9d9', shape: 'square' },
};

const RENDERER = 'perfdb renderPlot 1: Helvetica AFM text widths';
/** A scale goes logarithmic when its positive values span more than this factor. */
const LOG_RATIO = 50;
const WIDTH = 640;
const HEIGHT = 360;
/** Ticks on a linear y axis; its domain is niced to the same count so both ends get a label. */
const Y_TICKS = 6;
const X_TITLE = 'batch_tokens = prompt_size × batch_size (tokens)';
/** Up to 12 significant digits, trailing zeros trimmed, thousands grouped: 524288 -> "524,288". */
const TICK_FORMAT = ',.12~r';

interface Axis {
  log: boolean;
  domain: [number, number];
  /** Explicit tick values on a log axis; undefined lets vega choose (linear). */
  ticks: number[] | undefined;
}

interface Row {
  layer: string;
  [field: string]: number | string;
}

/**
 * The layered vega-lite spec for one series. Pure: builds fresh data objects (vega tags the
 * objects it ingests), never touches `series`.
 *
 * Values that cannot be drawn are left out of their layer and counted in the subtitle:
 * non-finite numbers anywhere, and values <= 0 on a log-scaled axis.
 */
export function plotSpec(series: PlotSeries): TopLevelSpec {
  const xs = [
    ...series.repetitions.map((p) => p.x),
    ...series.medians.map((p) => p.x),
    ...series.fitted.map((p) => p.x),
    ...series.emitted.map((p) => p.x),
    ...series.anomalies.map((p) => p.x),
    ...series.extent,
    ...series.measuredRange,
  ];
  const ys = [
    ...series.repetitions.map((p) => p.y),
    ...series.medians.flatMap((p) => [p.y, p.min, p.max]),
    ...series.fitted.map((p) => p.y),
    ...series.emitted.map((p) => p.y),
    ...series.anomalies.map((p) => p.y),
  ];
  const xAxis = axisFor(xs, 2);
  const yAxis = axisFor(ys, 10);
  const okX = (v: number): boolean => Number.isFinite(v) && (!xAxis.log || v > 0);
  const okY = (v: number): boolean => Number.isFinite(v) && (!yAxis.log || v > 0);

  let omitted = 0;
  /** Keeps the points whose every value can be drawn; counts the rest (a median and its bar count apart). */
  const keep = <T>(points: readonly T[], ok: (p: T) => boolean): T[] => {
    const kept = points.filter(ok);
    omitted += points.length - kept.length;
    return kept;
  };
  const name = (layer: Layer): string => LAYERS[layer].name;

  const repetitions = keep(series.repetitions, (p) => okX(p.x) && okY(p.y)).map(
    (p): Row => ({ layer: name('repetition'), x: p.x, y: p.y }),
  );
  const medians = keep(series.medians, (p) => okX(p.x) && okY(p.y)).map(
    (p): Row => ({ layer: name('median'), x: p.x, y: p.y }),
  );
  // The min–max bar is a second mark of the same points: drawn where both ends can be.
  const spreads = keep(series.medians, (p) => okX(p.x) && okY(p.min) && okY(p.max)).map((p): Row => ({ layer: name('median'), x: p.x, min: p.min, max: p.max }));
  const fitted = keep(series.fitted, (p) => okX(p.x) && okY(p.y))
    .map((p): Row => ({ layer: name('fitted'), x: p.x, y: p.y }))
    .sort((a, b) => (a.x as number) - (b.x as number));
  const emitted = keep(series.emitted, (p) => okX(p.x) && okY(p.y)).map(
    (p): Row => ({ layer: name(p.source === 'interpolated' ? 'interpolated' : 'extrapolatedRow'), x: p.x, y: p.y }),
  );
  const anomalies = keep(series.anomalies, (p) => okX(p.x) && okY(p.y)).map(
    (p): Row => ({ layer: name('anomaly'), x: p.x, y: p.y, label: p.label }),
  );

  // Shade from the measured range to the chart's edge, wherever rows were extrapolated.
  const [extent0, extent1] = series.extent;
  const [range0, range1] = series.measuredRange;
  const regions: Row[] = [];
  if (okX(range0) && extent0 < range0) regions.push({ layer: name('extrapolated'), x: xAxis.domain[0], x2: range0 });
  if (okX(range1) && extent1 > range1) regions.push({ layer: name('extrapolated'), x: range1, x2: xAxis.domain[1] });

  const present = new Set([...regions, ...repetitions, ...medians, ...fitted, ...emitted, ...anomalies].map((r) => r.layer));
  const shown = (Object.keys(LAYERS) as Layer[]).filter((l) => present.has(name(l)));

  const xEnc = {
    field: 'x',
    type: 'quantitative' as const,
    title: series.xTitle ?? X_TITLE,
    scale: { type: xAxis.log ? ('log' as const) : ('linear' as const), domain: xAxis.domain, nice: false },
    axis: xAxis.ticks ? { values: xAxis.ticks, format: TICK_FORMAT } : { tickCount: 8 },
  };
  const yTitle = series.unit ? `${series.metric} (${series.unit})` : series.metric;
  const yScale = yAxis.log
    ? { type: 'log' as const, domain: yAxis.domain, nice: false }
    : { type: 'linear' as const, nice: Y_TICKS, zero: false };
  const yEnc = {
    field: 'y',
    type: 'quantitative' as const,
    title: yTitle,
    scale: yScale,
    axis: yAxis.ticks ? { values: yAxis.ticks, format: TICK_FORMAT } : { tickCount: Y_TICKS },
  };
  // One colour scale over the "layer" field for every layer; the legend itself comes from one
  // invisible layer, because merging the legends of seven different marks makes vega-lite pick
  // one mark's symbol style for all of them.
  const colorScale = { domain: shown.map(name), range: shown.map((l) => LAYERS[l].color) };
  const color = { field: 'layer', type: 'nominal' as const, scale: colorScale, legend: null };
  const legendLayer = {
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

  // Layers draw in this order: shading at the back, anomalies on top.
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  if (regions.length > 0) {
    layers.push({
      data: { values: regions },
      mark: { type: 'rect', opacity: 0.5 },
      encoding: { x: xEnc, x2: { field: 'x2' }, color },
    });
  }
  if (spreads.length > 0) {
    layers.push({
      data: { values: spreads },
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: { x: xEnc, y: { ...yEnc, field: 'min' }, y2: { field: 'max' }, color },
    });
  }
  if (fitted.length > 0) {
    layers.push({
      data: { values: fitted },
      mark: { type: 'line', strokeWidth: 1.5, interpolate: 'linear' },
      encoding: { x: xEnc, y: yEnc, color, order: { field: 'x', type: 'quantitative' } },
    });
  }
  if (repetitions.length > 0) {
    layers.push({
      data: { values: repetitions },
      mark: { type: 'point', filled: true, size: 22, opacity: 0.55 },
      encoding: { x: xEnc, y: yEnc, color },
    });
  }
  if (emitted.length > 0) {
    layers.push({
      data: { values: emitted },
      mark: { type: 'tick', orient: 'vertical', size: 9, thickness: 1.5, opacity: 1 },
      encoding: { x: xEnc, y: yEnc, color },
    });
  }
  if (medians.length > 0) {
    layers.push({
      data: { values: medians },
      mark: { type: 'point', filled: true, size: 60, opacity: 1, stroke: 'white', strokeWidth: 0.8 },
      encoding: { x: xEnc, y: yEnc, color },
    });
  }
  if (anomalies.length > 0) {
    layers.push({
      data: { values: anomalies },
      mark: { type: 'point', size: 260, strokeWidth: 2.5, filled: false, opacity: 1 },
      encoding: { x: xEnc, y: yEnc, color },
    });
    // Labels point into the plot: left of a point in the right half, below a point in the top half.
    for (const place of placements(anomalies, xAxis, yAxis)) {
      const text = { type: 'text' as const, ...place.mark, fontSize: 12, fontWeight: 'bold' as const };
      const encoding = { x: xEnc, y: yEnc, text: { field: 'label', type: 'nominal' as const } };
      // A white outline underneath keeps the label readable where it crosses a line.
      layers.push({ data: { values: place.rows }, mark: { ...text, color: 'white', stroke: 'white', strokeWidth: 4 }, encoding });
      layers.push({ data: { values: place.rows }, mark: { ...text, color: LAYERS.anomaly.color }, encoding });
    }
  }

  layers.push(legendLayer);

  const title = omitted > 0
    ? { text: series.title, subtitle: `${omitted} value${omitted === 1 ? '' : 's'} not drawn: non-finite, or ≤ 0 on a log axis` }
    : { text: series.title };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Not drawn: names what renderPlot does beyond the spec (text metrics), so a plot cache keyed
    // on the spec (plot-files.ts) draws anew when that changes. Bump it with such a change.
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

/** Where each anomaly's label goes, grouped so each placement is one text layer. */
function placements(rows: Row[], xAxis: Axis, yAxis: Axis) {
  const at = (v: number, axis: Axis): number => {
    const [lo, hi] = axis.domain;
    return axis.log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
  };
  const groups = new Map<string, { mark: { align: 'left' | 'right'; baseline: 'top' | 'bottom'; dx: number; dy: number }; rows: Row[] }>();
  for (const row of rows) {
    const right = at(row.x as number, xAxis) > 0.5;
    const top = at(row.y as number, yAxis) > 0.5;
    const key = `${right}/${top}`;
    const group = groups.get(key) ?? {
      mark: { align: right ? 'right' : 'left', baseline: top ? 'top' : 'bottom', dx: right ? -10 : 10, dy: top ? 10 : -10 },
      rows: [],
    };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}

/**
 * Log when the finite positive values span more than LOG_RATIO; the domain is the values' range
 * padded by 2% of its width (3% of it in log space on a log axis). Log ticks are powers of `base` (2 for
 * batch_tokens, which are powers of two) or 1–2–5 per decade (base 10), thinned to at most 8.
 */
function axisFor(values: readonly number[], base: 2 | 10): Axis {
  let [min, max, pMin, pMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    [min, max] = [Math.min(min, v), Math.max(max, v)];
    if (v > 0) [pMin, pMax] = [Math.min(pMin, v), Math.max(pMax, v)];
  }
  if (pMax / pMin > LOG_RATIO) {
    const pad = Math.pow(pMax / pMin, 0.03);
    const domain: [number, number] = [pMin / pad, pMax * pad];
    return { log: true, domain, ticks: logTicks(domain, base) };
  }
  if (min > max) return { log: false, domain: [0, 1], ticks: undefined };
  const pad = max > min ? (max - min) * 0.02 : Math.abs(max) * 0.1 || 1;
  return { log: false, domain: [min - pad, max + pad], ticks: undefined };
}

function logTicks([lo, hi]: [number, number], base: 2 | 10): number[] {
  const first = Math.ceil(Math.log(lo) / Math.log(base) - 1e-9);
  const last = Math.floor(Math.log(hi) / Math.log(base) + 1e-9);
  const powers: number[] = [];
  for (let k = first; k <= last; k++) powers.push(Math.pow(base, k));
  if (base === 2) {
    const step = Math.ceil(powers.length / 8);
    return powers.filter((_, i) => i % step === (powers.length - 1) % step);
  }
  // Base 10: 1–2–5 per decade while that stays readable, else every decade or fewer.
  const decades = [Math.pow(10, first - 1), ...powers].flatMap((p) => [p, 2 * p, 5 * p]).filter((v) => v >= lo && v <= hi);
  if (decades.length <= 8) return decades;
  const step = Math.ceil(powers.length / 8);
  return powers.filter((_, i) => i % step === 0);
}

interface VegaModules {
  vega: typeof import('vega');
  vl: typeof import('vega-lite');
}
let modules: Promise<VegaModules> | undefined;
/** Renders run one at a time: vega numbers SVG clip/gradient ids with a module-wide counter. */
let queue: Promise<unknown> = Promise.resolve();

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => {
    // Without a canvas vega guesses 0.8 em per character, half again too wide for Helvetica:
    // legends and axes get wide blank margins. `textMetrics.width` is vega's hook for a custom
    // measure (vl-convert sets it too); it is not in vega's typings.
    const metrics = (vega as unknown as { textMetrics?: { width: unknown } }).textMetrics;
    if (metrics) metrics.width = textWidth;
    return { vega, vl };
  });
  // A failed import is not cached: the next call tries again.
  modules.catch(() => {
    modules = undefined;
  });
  return modules;
}

/** Advance widths of Helvetica (= Arial, Liberation Sans) for ASCII 32..126, in 1/1000 em (Adobe AFM). */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];
const HELVETICA_OTHER: Record<string, number> = { '×': 584, '–': 556, '—': 1000, '≤': 549, '≥': 549, '…': 1000 };

/** Text width in px for a vega text item; bold is taken as 7% wider than regular. */
function textWidth(item: { fontSize?: number; fontWeight?: string | number; text?: unknown }, text?: unknown): number {
  const value = String(text ?? item.text ?? '').trim();
  const size = item.fontSize ?? 11;
  let em = 0;
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    em += (code >= 32 && code <= 126 ? HELVETICA[code - 32] : HELVETICA_OTHER[ch]) ?? 600;
  }
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return (em / 1000) * size * (bold ? 1.07 : 1);
}

/** A standalone SVG document (root carries the SVG namespace); the same series gives the same bytes. */
export async function renderPlot(series: PlotSeries): Promise<string> {
  const spec = plotSpec(series);
  const { vega, vl } = await loadVega();
  const run = queue.then(async () => {
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    try {
      vega.resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  });
  queue = run.catch(() => undefined);
  const svg = await run;
  // vega 6 writes the namespace; an <img> shows nothing without it, so make sure.
  return /^<svg\b[^>]*\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(svg) ? svg : svg.replace(/^<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

