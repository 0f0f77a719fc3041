/**
 * Draws a chart as a standalone SVG document, by itself: the axes, rows and legend layers that
 * chartModel decides for the vega-lite spec (rows.ts), laid out as vega lays out that spec (title
 * and subtitle lines above the plot, the y axis left of it, the legends right of it) and written
 * with fixed decimals, so the same series gives the same bytes. A few milliseconds per chart.
 */
import { ordinalColors } from './colors.js';
import { textWidth } from './fonts.js';
import { frameAxes, frameBack, X_AXIS_HEIGHT, yAxisWidth, type Frame } from './frame.js';
import { legends } from './legend.js';
import { dataMarks } from './marks.js';
import { chartModel, type DrawableRows } from './rows.js';
import { scaleFor } from './scale.js';
import { HEIGHT, WIDTH, X_TITLE, Y_TICKS } from './style.js';
import { element, num, textElement } from './svg.js';
import { linearTickFormat, linearTicks, niceDomain, tickLabel } from './ticks.js';
import type { Axis, PlotSeries } from './types.js';

const PADDING = 12;
const TITLE_SIZE = 15;
const SUBTITLE_SIZE = 12;
const SUBTITLE_LINE = 14;
/** From the plot's right edge to the legends. */
const LEGEND_OFFSET = 18;
const FONT = 'Helvetica, Arial, sans-serif';
/** The spec's tickCount of a linear x axis. */
const X_TICKS = 8;

/** A standalone SVG document (root carries the SVG namespace); the same series gives the same bytes. Synchronous work, a promise for the callers. */
export async function renderPlot(series: PlotSeries): Promise<string> {
  return renderSvg(series);
}

/** renderPlot's document, synchronously. */
export function renderSvg(series: PlotSeries): string {
  const { xAxis, yAxis, rows, shown, subtitle } = chartModel(series);
  const y = yScaleAxis(yAxis, rows);
  const top = PADDING + TITLE_SIZE + 2 + subtitle.length * SUBTITLE_LINE + 10;
  const frame: Frame = {
    width: WIDTH,
    height: HEIGHT,
    x: scaleFor(xAxis, [0, WIDTH]),
    y: scaleFor(y, [HEIGHT, 0]),
    // The spec names a format on log axes only; a linear one gets vega's default (ticks.ts).
    xTicks: xAxis.ticks ?? linearTicks(xAxis.domain, X_TICKS),
    yTicks: y.ticks,
    xLabel: xAxis.log ? tickLabel : linearTickFormat(xAxis.domain, X_TICKS),
    yLabel: y.log ? tickLabel : linearTickFormat(y.domain, Y_TICKS),
    xTitle: series.xTitle ?? X_TITLE,
    yTitle: series.unit ? `${series.metric} (${series.unit})` : series.metric,
  };
  const left = PADDING + yAxisWidth(frame);
  const batches = [...new Set(rows.repetitions.map((r) => r.batch as number))].sort((a, b) => a - b);
  const colours = ordinalColors(batches);
  const legend = legends(colours, shown);
  const legendX = left + WIDTH + LEGEND_OFFSET;
  const titles = [textWidth({ fontSize: TITLE_SIZE, fontWeight: 'bold' }, series.title), ...subtitle.map((s) => textWidth({ fontSize: SUBTITLE_SIZE }, s))];
  const width = Math.ceil(Math.max(legendX + legend.width, PADDING + Math.max(...titles), left + WIDTH) + PADDING);
  const height = Math.ceil(top + Math.max(HEIGHT + X_AXIS_HEIGHT, legend.height) + PADDING);
  const plane = { x: frame.x, y: frame.y, width: WIDTH, height: HEIGHT, xAxis, yAxis };
  const body = [
    element('rect', { width, height, fill: 'white' }),
    ...titleLines(series.title, subtitle),
    element('g', { transform: `translate(${num(left)},${num(top)})` }, [...frameBack(frame), ...dataMarks(rows, plane, colours), ...frameAxes(frame)]),
    element('g', { transform: `translate(${num(legendX)},${num(top)})` }, legend.parts),
  ];
  const root = { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT, 'font-size': 12 };
  return element('svg', root, body);
}

/** The title in bold, then each subtitle line in grey. */
function titleLines(title: string, subtitle: readonly string[]): string[] {
  return [
    textElement(title, { x: PADDING, y: PADDING + 12, 'font-size': TITLE_SIZE, 'font-weight': 'bold' }),
    ...subtitle.map((line, i) => textElement(line, { x: PADDING, y: PADDING + TITLE_SIZE + 2 + (i + 1) * SUBTITLE_LINE - 3, fill: '#444' })),
  ];
}

/**
 * The y scale's domain and ticks: a log axis as axes.ts chose it; a linear one as the spec's
 * scale asks vega for (`nice: Y_TICKS`, not from zero): the drawn values' extent widened to whole
 * steps, ticks at those steps.
 */
function yScaleAxis(axis: Axis, rows: DrawableRows): { log: boolean; domain: [number, number]; ticks: number[] } {
  if (axis.log) return { log: true, domain: axis.domain, ticks: axis.ticks ?? [] };
  let [lo, hi] = [Infinity, -Infinity];
  for (const r of [...rows.repetitions, ...rows.medians, ...rows.line, ...rows.markers, ...rows.anomalies]) [lo, hi] = [Math.min(lo, r.y as number), Math.max(hi, r.y as number)];
  for (const r of rows.spreads) [lo, hi] = [Math.min(lo, r.min as number), Math.max(hi, r.max as number)];
  const domain = niceDomain(lo < hi ? [lo, hi] : axis.domain, Y_TICKS);
  return { log: false, domain, ticks: linearTicks(domain, Y_TICKS) };
}
