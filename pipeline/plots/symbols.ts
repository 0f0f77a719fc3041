/**
 * Symbol outlines as vega draws a point of area `size` (px²): each shape scaled by r = sqrt(size) / 2.
 * Paths are centred on 0,0; the caller translates them.
 */
import { element, num, type Attributes } from './svg.js';

export type SymbolShape = 'circle' | 'triangle-up' | 'square' | 'stroke' | 'vertical';

/** A circle's radius for a vega point of area `size`. */
export const radius = (size: number): number => Math.sqrt(size) / 2;

/** A symbol of `shape` and area `size` centred at x, y: a circle element, or a path translated there. */
export function symbol(shape: SymbolShape, size: number, x: number, y: number, attrs: Attributes): string {
  if (shape === 'circle') return element('circle', { cx: x, cy: y, r: radius(size), ...attrs });
  return element('path', { d: symbolPath(shape, size), transform: `translate(${num(x)},${num(y)})`, ...attrs });
}

/** The path of `shape` at `size`: a line for "stroke" (horizontal) and "vertical" (vega's `M0,-1L0,1`), else a closed outline. */
function symbolPath(shape: Exclude<SymbolShape, 'circle'>, size: number): string {
  const r = radius(size);
  switch (shape) {
    case 'triangle-up': {
      const h = (Math.sqrt(3) / 2) * r;
      return `M0,${num(-h)}L${num(-r)},${num(h)}L${num(r)},${num(h)}Z`;
    }
    case 'square':
      return `M${num(-r)},${num(-r)}h${num(2 * r)}v${num(2 * r)}h${num(-2 * r)}Z`;
    case 'stroke':
      return `M${num(-r)},0h${num(2 * r)}`;
    case 'vertical':
      return `M0,${num(-r)}v${num(2 * r)}`;
  }
}
