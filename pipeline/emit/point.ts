import { extrapolationFactor } from '../core/extrapolation.js';
import { describeConfig } from '../core/format.js';
import { PerfDbError } from '../core/errors.js';
import { dependsOnTokens, predictedValue, type Clamp, type Predictor, type Predictors } from '../fit/predict.js';
import { formatError, predictedError, type ErrBasis } from '../fit/uncertainty.js';
import type { FittedMetric, GroupFit, Source } from '../types.js';
import type { EmitTask } from './types.js';

/** What every predicted row of a group needs, built once. */
export interface GroupContext {
  fit: GroupFit;
  predictors: Predictors;
  /** The same fits without tails (SplitwiseSim's line), to count the rows that differ from it; null when there are no tails. */
  own: Predictors | null;
  /** The group's smallest measured medians. */
  minimum: { prompt_time: number; token_time: number };
  validated: EmitTask['validated'];
  errors: EmitTask['errors'];
  /** `,tp,source` after e2e_time, per source. */
  tails: Record<Source, string>;
  /** The same with the line's end, for rows without err cells. */
  lineEnds: Record<Source, string>;
}

type Values = Record<FittedMetric, number | null>;

/**
 * One predicted (prompt, batch) point, reused from point to point and row to
 * row so that a row allocates next to nothing. Everything that does not change with
 * the token size (the source, the err cells, the values of most metrics) is
 * worked out once per point; only the metrics that depend on it (a
 * decode-model tail, or the decode method) are evaluated again for each row.
 * A row's values are exactly what predictPoint gives at its token size. The
 * rows' text is written by the caller, which repeats what rows of one point
 * share (see `serial` and `version`).
 */
export class PointRows {
  source: Source = 'interpolated';
  /** `,tp,source[,errors]\n` after e2e_time. */
  tail = '';
  /** Counts the points started: rows with the same serial share their sizes and tail. */
  serial = 0;
  /** Counts the values set: rows of a point with the same version share their text between token_size and e2e_time. */
  version = 0;
  /** The row's values (null: the metric was not in the input). */
  promptTime = 0;
  tokenTime = 0;
  peak: number | null = null;
  average: number | null = null;
  belowMinimum = false;
  beyondValidated = false;
  differsFromLinear = false;
  /** The point's values at its first token size, and the metrics whose own extrapolation was impossible there. */
  readonly values: Values = { prompt_time: null, token_time: null, peak_power: null, average_power: null };
  clamped: readonly Clamp[] = NONE;
  private prompt = 0;
  private batch = 0;
  /** The metrics evaluated again for each row. */
  private readonly perToken: FittedMetric[] = [];
  /** How many of perToken's entries are this point's (the array is reused, never shortened). */
  private perTokenCount = 0;
  /** Whether SplitwiseSim's values change with the token size here (the decode method), and their values when they do not. */
  private ownPerToken = false;
  private ownPrompt = NaN;
  private ownToken = NaN;
  /** The token size token_time's own value is taken at, and whether it has been. */
  private ownTokenAt = 0;
  private ownTokenKnown = false;
  private metric: FittedMetric = 'prompt_time';
  private readonly onClamp = (raw: number) => (this.clamped = [...this.clamped, { metric: this.metric, raw }]);

  constructor(private readonly ctx: GroupContext) {}

  /** Starts the point (prompt, batch) at its first predicted token size. */
  start(prompt: number, batch: number, tokens: number): void {
    const { ctx, values } = this;
    const bt = prompt * batch;
    this.prompt = prompt;
    this.batch = batch;
    this.serial++;
    this.clamped = NONE;
    this.perTokenCount = 0;
    // One call per metric, not a loop over their names: the hot path then reads no property by a computed key.
    const { predictors } = ctx;
    values.prompt_time = this.evaluate(predictors.prompt_time, 'prompt_time', prompt, batch, tokens);
    values.token_time = this.evaluate(predictors.token_time, 'token_time', prompt, batch, tokens);
    values.peak_power = this.evaluate(predictors.peak_power, 'peak_power', prompt, batch, tokens);
    values.average_power = this.evaluate(predictors.average_power, 'average_power', prompt, batch, tokens);
    const [lo, hi] = ctx.fit.range;
    const inside = bt >= lo && bt <= hi;
    this.source = inside ? 'interpolated' : 'extrapolated';
    this.tail = ctx.errors === null ? (inside ? ctx.lineEnds.interpolated : ctx.lineEnds.extrapolated) : `${ctx.tails[this.source]}${errorCells(ctx.errors, ctx.predictors, prompt, batch, this.source)}\n`;
    this.beyondValidated = this.source === 'extrapolated' && beyondValidated(ctx, bt);
    this.ownPerToken = false;
    if (this.source === 'extrapolated' && ctx.own !== null) {
      const { prompt_time, token_time } = ctx.own;
      this.ownPerToken = (prompt_time !== null && dependsOnTokens(prompt_time, prompt, batch)) || (token_time !== null && dependsOnTokens(token_time, prompt, batch));
      this.ownPrompt = ownValue(ctx.own, 'prompt_time', prompt, batch, tokens);
      // token_time's is needed only where prompt_time's is the row's own (see differs).
      this.ownToken = NaN;
      this.ownTokenAt = tokens;
      this.ownTokenKnown = false;
    }
    this.setRow(tokens, values.prompt_time as number, values.token_time as number, values.peak_power, values.average_power);
  }

  /** A metric's value at the point's first token size (null: not in the input); notes whether it changes with the token size. */
  private evaluate(predictor: Predictor | null, metric: FittedMetric, prompt: number, batch: number, tokens: number): number | null {
    if (predictor === null) return null;
    this.metric = metric;
    const value = predictedValue(predictor, metric, prompt, batch, tokens, this.onClamp);
    if (dependsOnTokens(predictor, prompt, batch)) this.perToken[this.perTokenCount++] = metric;
    return value;
  }

  /** Moves to another token size of the same point: the metrics that depend on it are evaluated there. */
  row(tokens: number): void {
    const { perToken, perTokenCount, values } = this;
    if (perTokenCount === 0) return;
    let promptTime = values.prompt_time as number;
    let tokenTime = values.token_time as number;
    let peak = values.peak_power;
    let average = values.average_power;
    for (let i = 0; i < perTokenCount; i++) {
      const metric = perToken[i] as FittedMetric;
      const value = predictedValue(this.ctx.predictors[metric] as NonNullable<Predictors[FittedMetric]>, metric, this.prompt, this.batch, tokens);
      if (metric === 'token_time') tokenTime = value;
      else if (metric === 'prompt_time') promptTime = value;
      else if (metric === 'peak_power') peak = value;
      else average = value;
    }
    this.setRow(tokens, promptTime, tokenTime, peak, average);
  }

  private setRow(tokens: number, promptTime: number, tokenTime: number, peak: number | null, average: number | null): void {
    const { ctx } = this;
    if (!Number.isFinite(promptTime + tokenTime + (peak ?? 0) + (average ?? 0))) throw notFinite(ctx.fit, this.prompt, this.batch, tokens);
    // Only token_time changes with the token size in practice (a decode-model tail).
    if (this.version === 0 || promptTime !== this.promptTime || tokenTime !== this.tokenTime || peak !== this.peak || average !== this.average) this.version++;
    this.promptTime = promptTime;
    this.tokenTime = tokenTime;
    this.peak = peak;
    this.average = average;
    this.belowMinimum = promptTime < ctx.minimum.prompt_time || tokenTime < ctx.minimum.token_time;
    this.differsFromLinear = this.source === 'extrapolated' && ctx.own !== null && this.differs(tokens, promptTime, tokenTime);
  }

  /** Whether the row is not what SplitwiseSim's line (the fits without tails) gives. */
  private differs(tokens: number, promptTime: number, tokenTime: number): boolean {
    const own = this.ctx.own as Predictors;
    if (!this.ownPerToken) {
      if (this.ownPrompt !== promptTime) return true;
      if (!this.ownTokenKnown) {
        this.ownToken = ownValue(own, 'token_time', this.prompt, this.batch, this.ownTokenAt);
        this.ownTokenKnown = true;
      }
      return this.ownToken !== tokenTime;
    }
    return ownValue(own, 'prompt_time', this.prompt, this.batch, tokens) !== promptTime || ownValue(own, 'token_time', this.prompt, this.batch, tokens) !== tokenTime;
  }
}

const NONE: readonly never[] = Object.freeze([]);

/** A metric's value from the fits without tails, as predictPoint gives it (NaN when the metric is not fitted). */
function ownValue(own: Predictors, metric: 'prompt_time' | 'token_time', prompt: number, batch: number, tokens: number): number {
  const predictor = own[metric];
  return predictor === null ? NaN : predictedValue(predictor, metric, prompt, batch, tokens);
}

/** Whether an extrapolated point at batch_tokens bt lies beyond the factor the backtests validated on its side. */
function beyondValidated(ctx: GroupContext, bt: number): boolean {
  const limit = bt > ctx.fit.range[1] ? ctx.validated.upper : ctx.validated.lower;
  return limit === null || extrapolationFactor(bt, ctx.fit.range) > limit * (1 + 1e-12);
}

/** A prediction that overflowed: never written, whatever the input (its bounds should make this impossible). */
function notFinite(fit: GroupFit, p: number, b: number, t: number): PerfDbError {
  return new PerfDbError('E_NON_FINITE', `the prediction at ${describeConfig({ prompt_size: p, batch_size: b, token_size: t })} is not a finite number; no row holds NaN or Infinity`, {
    group: fit.id,
    hint: 'the measurements of this group span too wide a range of values: check their units, or narrow the grid',
  });
}

/** `,prompt_time_err,token_time_err,err_basis` of a predicted point. */
function errorCells(errors: NonNullable<EmitTask['errors']>, predictors: Predictors, p: number, b: number, source: Source): string {
  const at = (metric: 'prompt_time' | 'token_time') => {
    const predictor = predictors[metric];
    return predictor === null ? { err: null, validated: true } : predictedError(errors.bands[metric], predictor, p, b);
  };
  const [pt, tt] = [at('prompt_time'), at('token_time')];
  const basis: ErrBasis = source === 'interpolated' ? 'leave-one-out' : pt.validated && tt.validated ? 'backtest' : 'unvalidated';
  return `,${formatError(pt.err)},${formatError(tt.err)},${basis}`;
}
