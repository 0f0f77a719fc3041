/**
 * What a chart draws, decided once for the vega-lite spec (spec.ts) and the SVG renderer (render.ts)
 * alike: both axes (axes.ts), each layer's rows with the values that cannot be drawn left out and
 * counted, the layers shown in the legend, and the subtitle saying what was left out.
 */
import { axisFor } from './axes.js';
import { LAYERS, MARKER_STEP } from './style.js';
import type { Axis, Layer, PlotSeries, Row, Tip } from './types.js';

const name = (layer: Layer): string => LAYERS[layer].name;

export interface ChartModel {
  xAxis: Axis;
  yAxis: Axis;
  rows: DrawableRows;
  /** The layers drawn, in legend order. */
  shown: Layer[];
  /** The series' subtitle lines, then one line per kind of value left out. */
  subtitle: string[];
}

/** The chart of one series; with `tooltips`, each row carries its point's tip. Pure: never touches `series`. */
export function chartModel(series: PlotSeries, tooltips = false): ChartModel {
  const xAxis = axisFor([...series.repetitions, ...series.medians, ...series.emitted, ...series.anomalies].map((p) => p.x).concat(series.extent, series.measuredRange), 2);
  const yAxis = axisFor([...series.repetitions.map((p) => p.y), ...series.medians.flatMap((p) => [p.y, p.min, p.max]), ...series.emitted.map((p) => p.y), ...series.anomalies.map((p) => p.y)], 10, series.yLog);
  const rows = drawableRows(series, xAxis, yAxis, tooltips);
  const present = new Set([...rows.regions, ...rows.bounds, ...rows.medians, ...rows.line, ...rows.markers, ...rows.anomalies].map((r) => r.layer));
  const shown = (Object.keys(LAYERS) as Layer[]).filter((l) => present.has(name(l)));
  const subtitle = [...(series.subtitle ?? []), ...omittedNotes(rows.omitted)];
  return { xAxis, yAxis, rows, shown, subtitle };
}

/** What was left out, in words a reader of the chart needs no manual for. */
function omittedNotes({ notFinite, notPositive }: DrawableRows['omitted']): string[] {
  const points = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
  const notes: string[] = [];
  if (notPositive > 0) notes.push(`${points(notPositive)} not shown: zero or negative, which a logarithmic scale cannot place`);
  if (notFinite > 0) notes.push(`${points(notFinite)} not shown: not a finite number`);
  return notes;
}

export interface DrawableRows {
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

