/** Types of the plots folder: what a chart shows, and the rows and axes its spec is built from. */
import type { FittedMetric } from '../types.js';

export interface PlotSeries {
  /** e.g. "llama2-70b / a100-80gb / tp=2 — prompt_time" */
  title: string;
  /** "prompt_time" | "token_time" | ... */
  metric: string;
  /** "ms", or "" for a normalised power */
  unit: string;
  /** Every measured repetition; x = batch_tokens. */
  repetitions: { x: number; y: number; config?: PointConfig; tip?: Tip }[];
  /** Per-knot median with the repetitions' min and max. */
  medians: { x: number; y: number; min: number; max: number; tip?: Tip }[];
  /** The fitted curve sampled densely, sorted by x. */
  fitted: { x: number; y: number }[];
  /** A sample of the emitted rows (at most a few hundred). */
  emitted: { x: number; y: number; source: 'interpolated' | 'extrapolated'; config?: PointConfig; tip?: Tip }[];
  /** Measured batch_tokens range; outside it is extrapolation. */
  measuredRange: [number, number];
  /** x extent of the chart; covers the emitted rows. */
  extent: [number, number];
  /** Points to mark, e.g. a median that drops. */
  anomalies: { x: number; y: number; label: string; config?: PointConfig; along?: string; tip?: Tip }[];
  /** The x axis title; default batch_tokens. */
  xTitle?: string;
}

/** One chart of a group: its metric and what it shows. */
export interface GroupChart {
  metric: FittedMetric;
  series: PlotSeries;
}

/** The configuration a point stands for: a measured repetition, an emitted row (at the group's smallest token size), an anomaly. */
export interface PointConfig {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

/** What a point's hover tooltip lists, name to text (plotSpec with tooltips); `title` heads it. */
export type Tip = Readonly<Record<string, string>>;

export type Layer = 'extrapolated' | 'repetition' | 'median' | 'fitted' | 'interpolated' | 'extrapolatedRow' | 'anomaly';

export interface Axis {
  log: boolean;
  domain: [number, number];
  /** Explicit tick values on a log axis; undefined lets vega choose (linear). */
  ticks: number[] | undefined;
}

/** One data row of a layer. */
export interface Row {
  layer: string;
  [field: string]: number | string | Tip;
}
