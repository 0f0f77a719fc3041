/**
 * Models of the hardware, keyed on the configuration rather than on
 * batch_tokens, fitted per group by non-negative least squares with relative
 * weights (each configuration median's residual divided by the median, so
 * that every configuration counts by its percentage error):
 *
 *   decode   token_time(P, B, T) = a + b·B + c·B·(P + T/2)
 *            a: the per-step cost of reading the weights; b: per request in the
 *            batch; c: per token of context held in the KV cache, whose mean over
 *            the generation of T tokens after a prompt of P is P + T/2.
 *   prefill  prompt_time(P, B)  = a + b·P·B + c·P²·B
 *            b: the cost per prompt token (the matrix products); c: attention,
 *            quadratic in the prompt length, once per request.
 *
 * With a, b, c >= 0 each model never falls as P, B or T grows.
 */
import { nnls } from './nnls.js';

export type ModelKind = 'decode' | 'prefill';

export interface ConfigModel {
  kind: ModelKind;
  /** [a, b, c] of the formula above. */
  coef: [number, number, number];
}

/** The model's regressors at a configuration. */
export function modelFeatures(kind: ModelKind, prompt: number, batch: number, tokens: number): [number, number, number] {
  return kind === 'decode' ? [1, batch, batch * (prompt + tokens / 2)] : [1, prompt * batch, prompt * prompt * batch];
}

/**
 * The model at a configuration: a·f0 + b·f1 + c·f2 over modelFeatures, the
 * same operations in the same order, with no array made (this runs for every
 * row under a decode-model tail).
 */
export function modelValue(model: ConfigModel, prompt: number, batch: number, tokens: number): number {
  const { coef } = model;
  const a = coef[0];
  const b = coef[1];
  const c = coef[2];
  return model.kind === 'decode' ? a * 1 + b * batch + c * (batch * (prompt + tokens / 2)) : a * 1 + b * (prompt * batch) + c * (prompt * prompt * batch);
}

/** One configuration's median, for a fit. */
export interface ConfigPoint {
  prompt: number;
  batch: number;
  tokens: number;
  y: number;
}

/** The model fitted to configuration medians (relative weights, NNLS); null without at least three positive medians. */
export function fitModel(kind: ModelKind, points: readonly ConfigPoint[]): ConfigModel | null {
  const usable = points.filter((p) => p.y > 0 && Number.isFinite(p.y));
  if (usable.length < 3) return null;
  const rows = usable.map((p) => modelFeatures(kind, p.prompt, p.batch, p.tokens).map((f) => f / p.y));
  const coef = nnls(rows, usable.map(() => 1)) as [number, number, number];
  return coef.every((c) => c === 0) ? null : { kind, coef };
}

/** The model of a fitted metric, if it has one. */
export function modelKindOf(metric: string): ModelKind | null {
  return metric === 'token_time' ? 'decode' : metric === 'prompt_time' ? 'prefill' : null;
}
