/** Types of the plots folder: what a chart shows, and the rows and axes its spec is built from. */

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
  [field: string]: number | string;
}
