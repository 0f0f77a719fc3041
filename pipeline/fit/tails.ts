/**
 * Tails: what a fit gives beyond its measured range, chosen apart from the
 * interior method. Every tail is continuous at the end knot (x_n, y_n), never
 * falls as x grows, never goes below y_n above the range, and never below the
 * group's smallest measured median (`floor`) below it:
 *
 *   line          SplitwiseSim's line through the two outermost knots, held
 *                 flat where it would fall: max(y_n, y_n + s·(x − x_n))
 *   clamp         y_n
 *   proportional  y_n · x / x_n: a constant cost per token (prefill's compute-bound limit)
 *   model         y_n · max(1, M(P, B, T) / M_n): the shape of the group's
 *                 hardware model (fit/models.ts), anchored at the end knot, where
 *                 M_n is the model's mean over the configurations at x_n
 *
 * Below the range the same shapes are mirrored: min(y_1, ...) and at least `floor`.
 */
import { modelValue, type ConfigModel } from './models.js';

export const TAIL_KINDS = ['line', 'proportional', 'model', 'clamp'] as const;
export type TailKind = (typeof TAIL_KINDS)[number];
export type Side = 'upper' | 'lower';

/** A tail as fits.json stores it: enough to evaluate it anywhere. */
export interface TailSpec {
  kind: TailKind;
  side: Side;
  /** The end knot it starts from. */
  x: number;
  y: number;
  /** The slope of the outermost segment (for line). */
  slope: number;
  /** Below the range: the smallest value a row may take (the group's smallest measured median). */
  floor: number;
  /** For model: the model and its mean at the end knot's configurations. */
  model: ConfigModel | null;
  anchor: number | null;
}

/** Whether a tail's value depends on the token size (a decode-model tail). */
export function tokenDependent(tail: TailSpec | null): boolean {
  return tail !== null && tail.kind === 'model' && tail.model?.kind === 'decode';
}

/** The tail's value at a configuration beyond its end knot; x is the fit's own (batch_tokens, or batch_size). */
export function tailValue(tail: TailSpec, x: number, prompt: number, batch: number, tokens: number): number {
  const raw = shapeValue(tail, x, prompt, batch, tokens);
  return tail.side === 'upper' ? Math.max(tail.y, raw) : Math.max(tail.floor, Math.min(tail.y, raw));
}

function shapeValue(tail: TailSpec, x: number, prompt: number, batch: number, tokens: number): number {
  switch (tail.kind) {
    case 'line':
      return tail.y + tail.slope * (x - tail.x);
    case 'clamp':
      return tail.y;
    case 'proportional':
      return (tail.y * x) / tail.x;
    case 'model':
      return tail.model === null || tail.anchor === null || !(tail.anchor > 0) ? tail.y : (tail.y * modelValue(tail.model, prompt, batch, tokens)) / tail.anchor;
  }
}

export interface TailInputs {
  /** The two outermost knots on this side, end knot first: [x_end, y_end], [x_next, y_next] (fitted values). */
  end: [number, number];
  next: [number, number];
  floor: number;
  model: ConfigModel | null;
  /** The configurations at the end knot, for the model's anchor. */
  endConfigs: readonly { prompt: number; batch: number; tokens: number }[];
}

/** A tail of one kind from its inputs; null for a model tail when the metric has no model. */
export function makeTail(kind: TailKind, side: Side, inputs: TailInputs): TailSpec | null {
  const [[x, y], [x2, y2]] = [inputs.end, inputs.next];
  const slope = (y - y2) / (x - x2);
  if (kind === 'model' && inputs.model === null) return null;
  const anchor = kind === 'model' && inputs.model !== null && inputs.endConfigs.length > 0 ? mean(inputs.endConfigs.map((c) => modelValue(inputs.model as ConfigModel, c.prompt, c.batch, c.tokens))) : null;
  if (kind === 'model' && anchor === null) return null;
  return { kind, side, x, y, slope, floor: inputs.floor, model: kind === 'model' ? inputs.model : null, anchor };
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
