/** How every chart looks: its layers' names, colours and legend symbols, its size and its tick format. */
import type { Layer } from './types.js';

/** Legend order, name, colour and legend symbol of every layer; one shared scale so one legend lists them. */
export const LAYERS: Record<Layer, { name: string; color: string; shape: string }> = {
  median: { name: 'median (min–max)', color: '#222222', shape: 'circle' },
  interpolated: { name: 'perf_db.csv: interpolated', color: '#f58518', shape: 'stroke' },
  extrapolatedRow: { name: 'perf_db.csv: extrapolated', color: '#9467bd', shape: 'stroke' },
  held: { name: 'held at a measured value', color: '#c51b8a', shape: 'triangle-up' },
  anomaly: { name: 'anomaly', color: '#d62728', shape: 'circle' },
  range: { name: 'measured range', color: '#777777', shape: 'M0,-1L0,1' },
  extrapolated: { name: 'beyond the measured range', color: '#e3e3e3', shape: 'square' },
};

/** The SVG renderer's version, part of every plot's cache key (files.ts): bump it when render.ts draws differently. */
export const RENDERER = 'perfdb svg renderer 1';
/** The colours of the repetitions, by batch size (ordinal, in increasing batch size). */
export const BATCH_SCHEME = 'viridis';
/** The line's markers: one in every MARKER_STEP sampled rows (and every held one), so the measurements stay visible. */
export const MARKER_STEP = 8;
/** A scale goes logarithmic when its positive values span more than this factor: a decade. */
export const LOG_RATIO = 10;
export const WIDTH = 640;
export const HEIGHT = 360;
/** Ticks on a linear y axis; its domain is niced to the same count so both ends get a label. */
export const Y_TICKS = 6;
export const X_TITLE = 'batch_tokens = prompt_size × batch_size (tokens)';
/** Up to 12 significant digits, trailing zeros trimmed, thousands grouped: 524288 -> "524,288". */
export const TICK_FORMAT = ',.12~r';

