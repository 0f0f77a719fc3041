/** How every chart looks: its layers' names, colours and legend symbols, its size and its tick format. */
import type { Layer } from './types.js';

/** Legend order, name, colour and legend symbol of every layer; one shared scale so one legend lists them. */
export const LAYERS: Record<Layer, { name: string; color: string; shape: string }> = {
  repetition: { name: 'repetition', color: '#6baed6', shape: 'circle' },
  median: { name: 'median (min–max)', color: '#08519c', shape: 'circle' },
  fitted: { name: 'fitted', color: '#f58518', shape: 'stroke' },
  // A vertical bar: emitted rows are drawn as ticks.
  interpolated: { name: 'emitted: interpolated', color: '#2ca02c', shape: 'M0,-1L0,1' },
  extrapolatedRow: { name: 'emitted: extrapolated', color: '#9467bd', shape: 'M0,-1L0,1' },
  anomaly: { name: 'anomaly', color: '#d62728', shape: 'circle' },
  extrapolated: { name: 'extrapolated', color: '#d9d9d9', shape: 'square' },
};

export const RENDERER = 'perfdb renderPlot 1: Helvetica AFM text widths';
/** A scale goes logarithmic when its positive values span more than this factor. */
export const LOG_RATIO = 50;
export const WIDTH = 640;
export const HEIGHT = 360;
/** Ticks on a linear y axis; its domain is niced to the same count so both ends get a label. */
export const Y_TICKS = 6;
export const X_TITLE = 'batch_tokens = prompt_size × batch_size (tokens)';
/** Up to 12 significant digits, trailing zeros trimmed, thousands grouped: 524288 -> "524,288". */
export const TICK_FORMAT = ',.12~r';

