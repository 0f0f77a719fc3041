/** Types of the plots folder: what a chart shows, and the rows and axes its spec is built from. */
import type { FittedMetric, GroupResult } from '../types.js';

/** A charted metric: a fitted one, or e2e_time (derived from prompt_time and token_time in predicted rows). */
export type ChartMetric = FittedMetric | 'e2e_time';

/** Why an emitted value is not the fit's own: held at the end knot's value, held at the group's smallest measured median, or replacing an impossible value (a time <= 0). */
export type Held = 'end' | 'floor' | 'impossible';

export interface PlotSeries {
  /** e.g. "llama2-70b / a100-80gb / tp=2 — prompt_time" */
  title: string;
  /** Lines under the title: the fit and its leave-one-out error, what the line is, the scale. */
  subtitle?: string[];
  /** "prompt_time" | "token_time" | ... */
  metric: string;
  /** "ms", or "" for a normalised power */
  unit: string;
  /** Every measured repetition; x = batch_tokens. Coloured by its batch size. */
  repetitions: { x: number; y: number; config?: PointConfig; tip?: Tip }[];
  /** Per-knot median with the repetitions' min and max. */
  medians: { x: number; y: number; min: number; max: number; tip?: Tip }[];
  /**
   * The values perf_db.csv holds at a sample of the grid's predicted rows, sorted by x within each
   * token size (`config.token_size`); drawn as the line, one per token size.
   */
  emitted: { x: number; y: number; source: 'interpolated' | 'extrapolated'; config?: PointConfig; held?: Held; tip?: Tip }[];
  /** Measured batch_tokens range; outside it is extrapolation. */
  measuredRange: [number, number];
  /** x extent of the chart; covers the emitted rows. */
  extent: [number, number];
  /** Points to mark, e.g. a median that drops. */
  anomalies: { x: number; y: number; label: string; config?: PointConfig; along?: string; tip?: Tip }[];
  /** The x axis title; default batch_tokens. */
  xTitle?: string;
  /** The y scale chosen for every group's chart of this metric (chartSeries); undefined: decided from this series alone. */
  yLog?: boolean;
}

/** One chart of a group: its metric and what it shows. */
export interface GroupChart {
  metric: ChartMetric;
  series: PlotSeries;
}

/** The configuration a point stands for: a measured repetition, an emitted row, an anomaly. */
export interface PointConfig {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

/**
 * What a point's hover tooltip lists (plotSpec with tooltips): name to text, `title` heading it;
 * or, for the many repetitions and emitted rows, a TipCode the report page spells out.
 */
export type Tip = Readonly<Record<string, string>> | TipCode;

/**
 * [kind (0 repetition, 1 emitted row), prompt, batch, tokens, value, source (page/tips.ts TIP_SOURCES),
 * err (relative half-width) or null, basis (TIP_BASES), extrapolation factor or null, held or null].
 */
export type TipCode = readonly [0 | 1, number, number, number, number, number, number | null, number, number | null, (Held | null)?];

export type Layer = 'median' | 'interpolated' | 'extrapolatedRow' | 'held' | 'anomaly' | 'range' | 'extrapolated';

export interface Axis {
  log: boolean;
  domain: [number, number];
  /** Explicit tick values on a log axis; undefined on a linear one, whose ticks the renderer (ticks.ts) and vega choose alike. */
  ticks: number[] | undefined;
}

/** One data row of a layer. */
export interface Row {
  layer: string;
  [field: string]: number | string | Tip;
}

/**
 * What a chart needs of a group: everything but its emitted rows' summary,
 * so that charts can be drawn while the rows are written, save the measured
 * configurations emitted as predictions (--exclude-anomalies), which are
 * known before emission (emit/replacements.ts).
 */
export type ChartedGroup = Omit<GroupResult, 'emitted'> & { emitted: { replaced: readonly { prompt_size: number; batch_size: number; token_size: number }[] } };
