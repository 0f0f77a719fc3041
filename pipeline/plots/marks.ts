/**
 * The data marks, in the spec's drawing order (spec.ts markLayers): the shading beyond the
 * measured range at the back, then the range's dashed ends, the repetitions, the medians' min–max
 * bars, the line of the emitted values with its markers, the medians, and the anomalies with their
 * labels on top. Sizes are vega's point areas (px²), colours and styles those of style.ts.
 */
import { placements } from './axes.js';
import type { DrawableRows } from './rows.js';
import type { Scale } from './scale.js';
import { LAYERS } from './style.js';
import { element, num, pathData, textElement } from './svg.js';
import { symbol } from './symbols.js';
import type { Axis, Layer, Row } from './types.js';

export interface Plane {
  x: Scale;
  y: Scale;
  width: number;
  height: number;
  xAxis: Axis;
  yAxis: Axis;
}

const COLOURS = new Map((Object.keys(LAYERS) as Layer[]).map((l) => [LAYERS[l].name, LAYERS[l].color]));
const colourOf = (row: Row): string => COLOURS.get(row.layer) ?? '#000';
const n = (row: Row, field: string): number => row[field] as number;

/** Every data mark of the chart; `batchColours` gives each repetition's fill by its batch size. */
export function dataMarks(rows: DrawableRows, p: Plane, batchColours: ReadonlyMap<number, string>): string[] {
  const { x, y } = p;
  const out: string[] = [];
  for (const r of rows.regions) {
    const [a, b] = [x(n(r, 'x')), x(n(r, 'x2'))];
    out.push(element('rect', { x: Math.min(a, b), y: 0, width: Math.abs(b - a), height: p.height, fill: colourOf(r), 'fill-opacity': 0.6 }));
  }
  for (const r of rows.bounds) out.push(element('path', { d: `M${num(x(n(r, 'x')))},0v${num(p.height)}`, stroke: colourOf(r), 'stroke-dasharray': '4,3', fill: 'none' }));
  out.push(...group(rows.repetitions.map((r) => symbol('circle', 26, x(n(r, 'x')), y(n(r, 'y')), { fill: batchColours.get(n(r, 'batch')) ?? '#000' })), { 'fill-opacity': 0.8, stroke: '#555', 'stroke-width': 0.4 }));
  const bars = rows.spreads.map((r) => `M${num(x(n(r, 'x')))},${num(y(n(r, 'min')))}V${num(y(n(r, 'max')))}`).join('');
  if (bars !== '') out.push(element('path', { d: bars, stroke: LAYERS.median.color, 'stroke-width': 1.5, fill: 'none' }));
  out.push(...lines(rows.line, p));
  const markers = rows.markers.filter((r) => r.layer !== LAYERS.held.name);
  out.push(...markers.map((r) => symbol('circle', 18, x(n(r, 'x')), y(n(r, 'y')), { fill: colourOf(r) })));
  const held = rows.markers.filter((r) => r.layer === LAYERS.held.name);
  out.push(...group(held.map((r) => symbol('triangle-up', 60, x(n(r, 'x')), y(n(r, 'y')), {})), { fill: LAYERS.held.color }));
  out.push(...group(rows.medians.map((r) => symbol('circle', 46, x(n(r, 'x')), y(n(r, 'y')), {})), { fill: LAYERS.median.color, stroke: 'white', 'stroke-width': 0.8 }));
  out.push(...group(rows.anomalies.map((r) => symbol('circle', 260, x(n(r, 'x')), y(n(r, 'y')), {})), { fill: 'none', stroke: LAYERS.anomaly.color, 'stroke-width': 2.5 }));
  out.push(...anomalyLabels(rows.anomalies, p));
  return out;
}

/** Marks sharing their style in one group, so the style is written once. */
function group(marks: string[], style: Record<string, string | number>): string[] {
  return marks.length === 0 ? [] : [element('g', style, marks)];
}

/** One path per segment (`seg`), its points in x order as the spec's `order` encoding draws them. */
function lines(rows: readonly Row[], { x, y }: Plane): string[] {
  const segments = new Map<number, Row[]>();
  for (const r of rows) {
    const list = segments.get(n(r, 'seg'));
    if (list === undefined) segments.set(n(r, 'seg'), [r]);
    else list.push(r);
  }
  return [...segments.values()].map((seg) => {
    const points = [...seg].sort((a, b) => n(a, 'x') - n(b, 'x')).map((r): [number, number] => [x(n(r, 'x')), y(n(r, 'y'))]);
    return element('path', { d: pathData(points), stroke: colourOf(seg[0] as Row), 'stroke-width': 2, fill: 'none', 'stroke-linejoin': 'round' });
  });
}

/** Each anomaly's label, pointing into the plot (axes.ts placements), over a white outline that keeps it readable across a line. */
function anomalyLabels(rows: Row[], p: Plane): string[] {
  const out: string[] = [];
  for (const { mark, rows: placed } of placements(rows, p.xAxis, p.yAxis)) {
    for (const r of placed) {
      // vega's baselines: "top" puts the text's cap height below y, "bottom" its descent above it.
      const at = { x: p.x(n(r, 'x')) + mark.dx, y: p.y(n(r, 'y')) + mark.dy + (mark.baseline === 'top' ? 9 : -3), 'text-anchor': mark.align === 'left' ? 'start' : 'end', 'font-weight': 'bold' };
      out.push(textElement(String(r.label), { ...at, fill: 'white', stroke: 'white', 'stroke-width': 4 }), textElement(String(r.label), { ...at, fill: LAYERS.anomaly.color }));
    }
  }
  return out;
}
