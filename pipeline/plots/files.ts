import { createHash } from 'node:crypto';
import { plotSpec } from './spec.js';
import { RENDERER } from './style.js';
import type { PlotSeries } from './types.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * What a chart depends on: its vega-lite spec (everything the chart shows) and the version of the
 * renderer that draws it (render.ts), so that a plot drawn by another renderer, vega's included, is drawn anew.
 */
export function plotCacheKey(series: PlotSeries): string {
  return sha256(`${RENDERER}\n${JSON.stringify(plotSpec(series))}`);
}

/** A plot file: a first line naming the cache key and the hash of the SVG that follows, then the SVG. */
export function plotFile(key: string, svg: string): string {
  return `<!-- perfdb-plot ${key} ${sha256(svg)} -->\n${svg}\n`;
}

/** Whether an existing plot file was drawn for `key` and is unaltered since. */
export function isCurrentPlot(file: string, key: string): boolean {
  const newline = file.indexOf('\n');
  const match = /^<!-- perfdb-plot ([0-9a-f]{64}) ([0-9a-f]{64}) -->$/.exec(file.slice(0, newline));
  if (match === null || match[1] !== key) return false;
  const svg = file.slice(newline + 1, file.endsWith('\n') ? -1 : undefined);
  return sha256(svg) === match[2];
}

/**
 * A safe, unique file name from name parts: every character other than
 * letters, digits, `.`, `_` and `-` becomes `_`, parts are joined with `__`,
 * and a name already in `used` (compared without case) gets `-2`, `-3`, ... Names never leave the
 * plots folder, whatever the model and hardware names hold.
 */
export function plotFileName(parts: readonly string[], used: Set<string>): string {
  const base = parts.map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')).join('__').slice(0, 180) || 'plot';
  // Compared without case: on case-insensitive file systems A.svg and a.svg are one file.
  let name = `${base}.svg`;
  for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}-${k}.svg`;
  used.add(name.toLowerCase());
  return name;
}
