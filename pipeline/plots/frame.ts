/**
 * The plot's frame: gridlines, the border, both axes' ticks and labels and their titles, drawn in
 * the plot area's own coordinates (0,0 its top left corner). Tick positions are rounded to the
 * pixel grid, as vega rounds them, so that one-pixel lines stay sharp.
 */
import { textWidth } from './fonts.js';
import type { Scale } from './scale.js';
import { element, num, textElement } from './svg.js';

/** Font sizes of tick labels and axis titles (px), the tick length and the gaps around labels. */
export const LABEL_SIZE = 12;
export const AXIS_TITLE_SIZE = 13;
const TICK = 5;
/** From the plot's edge to the nearer side of a y label: the tick and vega's 2 px label padding. */
const LABEL_GAP = TICK + 2;
/** Between the y labels and the y title's baseline side. */
const TITLE_GAP = 7;

const GRID = '#eee';
const DOMAIN = '#888';

export interface Frame {
  width: number;
  height: number;
  x: Scale;
  y: Scale;
  xTicks: readonly number[];
  yTicks: readonly number[];
  xLabel: (v: number) => string;
  yLabel: (v: number) => string;
  xTitle: string;
  yTitle: string;
}

/** Space the y axis takes left of the plot: its widest label, the gaps and the title. */
export function yAxisWidth(f: Pick<Frame, 'yTicks' | 'yLabel'>): number {
  return LABEL_GAP + widestLabel(f) + TITLE_GAP + AXIS_TITLE_SIZE;
}

/** Space the x axis takes below the plot: ticks, labels and the title with its descent. */
export const X_AXIS_HEIGHT = 38;

function widestLabel({ yTicks, yLabel }: Pick<Frame, 'yTicks' | 'yLabel'>): number {
  return Math.max(0, ...yTicks.map((t) => textWidth({ fontSize: LABEL_SIZE }, yLabel(t))));
}

/** A tick's position, put on the middle of a pixel; ticks off the plot (a rounding at its edge aside) are not drawn. */
function placed(ticks: readonly number[], scale: Scale, length: number): { v: number; at: number }[] {
  return ticks.map((v) => ({ v, at: Math.round(scale(v)) + 0.5 })).filter(({ at }) => Number.isFinite(at) && at >= -0.5 && at <= length + 0.5);
}

/** Gridlines and the border: drawn under the data. */
export function frameBack(f: Frame): string[] {
  const xs = placed(f.xTicks, f.x, f.width);
  const ys = placed(f.yTicks, f.y, f.height);
  const grid = [...xs.map(({ at }) => `M${num(at)},0v${num(f.height)}`), ...ys.map(({ at }) => `M0,${num(at)}h${num(f.width)}`)].join('');
  return [
    element('rect', { x: 0, y: 0, width: f.width, height: f.height, fill: 'white' }),
    ...(grid === '' ? [] : [element('path', { d: grid, stroke: GRID, fill: 'none' })]),
    element('rect', { x: 0.5, y: 0.5, width: f.width, height: f.height, fill: 'none', stroke: DOMAIN }),
  ];
}

/** Ticks, tick labels and axis titles: outside the plot, drawn over nothing. */
export function frameAxes(f: Frame): string[] {
  const xs = placed(f.xTicks, f.x, f.width);
  const ys = placed(f.yTicks, f.y, f.height);
  const ticks = [...xs.map(({ at }) => `M${num(at)},${num(f.height + 0.5)}v${TICK}`), ...ys.map(({ at }) => `M0.5,${num(at)}h${-TICK}`)].join('');
  const yTitleX = -(LABEL_GAP + widestLabel(f) + TITLE_GAP);
  return [
    ...(ticks === '' ? [] : [element('path', { d: ticks, stroke: DOMAIN, fill: 'none' })]),
    ...xs.map(({ v, at }) => textElement(f.xLabel(v), { x: at, y: f.height + TICK + 2 + 10, 'text-anchor': 'middle' })),
    ...ys.map(({ v, at }) => textElement(f.yLabel(v), { x: -LABEL_GAP, y: at + 4, 'text-anchor': 'end' })),
    textElement(f.xTitle, { x: f.width / 2, y: f.height + 33, 'text-anchor': 'middle', 'font-size': AXIS_TITLE_SIZE }),
    textElement(f.yTitle, { transform: `translate(${num(yTitleX)},${num(f.height / 2)}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': AXIS_TITLE_SIZE }),
  ];
}
