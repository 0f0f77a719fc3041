/**
 * Lookups the way a simulator asks: (model, hardware, tensor_parallel,
 * prompt, batch, tokens) -> prompt, token and e2e time with their source,
 * calibrated interval and flags. A configuration that is a row of perf_db.csv
 * is answered from that row; any other is predicted by the same fit that
 * wrote the database, rebuilt from fits.json (interior, tails and bands).
 */
import { PerfDbError } from '../core/errors.js';
import { checkReach, extrapolationFactor, refusesExtrapolation } from '../core/extrapolation.js';
import { describeConfig, shellQuote } from '../core/format.js';
import { compareStrings, groupId } from '../core/keys.js';
import { closest } from '../core/suggest.js';
import { makePredictor, predictPoint, type Predictors } from '../fit/predict.js';
import { predictedError, type ErrBasis } from '../fit/uncertainty.js';
import type { FittedMetric, Source } from '../types.js';
import { readFits } from './fits-file.js';
import { checkQuery } from './query.js';
import { heldMetrics, sideOf, validatedFactor } from './flags.js';
import { findRow, type RowAnswer } from './rows.js';
import type { Answer, Database, FitsFile, FitsGroup, Query } from './types.js';

export async function loadDatabase(fitsPath: string, csvPath: string): Promise<Database> {
  return { fits: await readFits(fitsPath), csvPath };
}

/** Answers a query: the database row when there is one, else the fit's prediction. */
export async function lookup(db: Database, query: Query): Promise<Answer> {
  checkQuery(query);
  const group = db.fits.groups.find((g) => g.model === query.model && g.hardware === query.hardware && g.tensor_parallel === query.tensor_parallel);
  if (group === undefined) {
    const known = db.fits.groups.map((g) => g.id).sort(compareStrings);
    const near = db.fits.groups.find((g) => g.id === closest(groupId(query), known));
    // The names as they are, quoted for the shell where they need it: the list's ids escape / and %.
    const guess = near === undefined ? '' : `did you mean --model ${shellQuote(near.model)} --hardware ${shellQuote(near.hardware)} --tp ${near.tensor_parallel}? `;
    throw new PerfDbError('E_UNKNOWN_GROUP', `no group ${groupId(query)} in the database; it has ${known.join(', ')}`, { hint: `${guess}check --model, --hardware and --tp against the list` });
  }
  const row = await findRow(db.csvPath, query, db.fits.rows);
  return row === null ? predict(group, db.fits, query) : checkFinite(answerRow(row, group, db.fits, query), group, query);
}

/** The answer of a row of perf_db.csv, with the flags and (for a database written without --uncertainty) the intervals of the fit. */
function answerRow(row: RowAnswer, group: FitsGroup, fits: FitsFile, query: Query): Answer {
  const factor = extrapolationFactor(query.prompt_size * query.batch_size, group.range);
  const place = placeOf(group, fits, query);
  if (row.source === 'measured') return { ...row, coverage: fits.coverage, factor, clamped: [], ...place, held: [] };
  const predictors = predictorsOf(group);
  const clamped = predictPoint(predictors, query.prompt_size, query.batch_size, query.token_size).clamped.map((c) => c.metric);
  // A database written without --uncertainty has no err columns: the fit's bands give the interval all the same.
  const errs = row.err_basis === null ? errorsOf(predictors, fits, query, row.source) : row;
  const { prompt_time_err, token_time_err, err_basis } = errs;
  return { ...row, prompt_time_err, token_time_err, err_basis, coverage: fits.coverage, factor, clamped, ...place, held: heldMetrics(predictors, query, row) };
}

/**
 * The last line of defence, as emit's for a row (emit/point.ts): every number
 * the answer gives, in its JSON and in its text (the intervals' ends and
 * half-widths in percent), must be finite, or there is no answer. Reading
 * fits.json refuses the times and coefficients that would overflow; what is
 * left (a tail's anchor, a band's width, a row's err cells) is caught here.
 */
function checkFinite(answer: Answer, group: FitsGroup, q: Query): Answer {
  const bad = numbersOf(answer).find(([, v]) => v !== null && !Number.isFinite(v));
  if (bad === undefined) return answer;
  throw new PerfDbError('E_NON_FINITE', `the answer at ${describeConfig(q)} is not a finite number: ${bad[0]} is ${bad[1]}; a lookup never answers NaN or Infinity`, {
    group: group.id,
    hint: 'the database holds values no run writes; regenerate it with `npm run generate`',
  });
}

/** Every number of an answer by name: its fields, and what the text prints of its intervals. */
function numbersOf(a: Answer): [string, number | null][] {
  const interval = (metric: 'prompt_time' | 'token_time'): [string, number | null][] => {
    const err = a[`${metric}_err`];
    return err === null ? [] : [[`${metric}_err`, err], [`the upper end of ${metric}'s interval`, a[metric] * (1 + err)], [`${metric}_err in percent`, err * 100]];
  };
  return [
    ['prompt_time', a.prompt_time],
    ['token_time', a.token_time],
    ['e2e_time', a.e2e_time],
    ...interval('prompt_time'),
    ...interval('token_time'),
    ['factor', a.factor],
    ['validatedFactor', a.validatedFactor],
    ...a.held.map((h): [string, number] => [`the held value of ${h.metric}`, h.value]),
  ];
}

function placeOf(group: FitsGroup, fits: Pick<FitsFile, 'bands'>, q: Query): Pick<Answer, 'range' | 'beyond' | 'validatedFactor'> {
  const beyond = sideOf(group, q);
  return { range: [group.range[0], group.range[1]], beyond, validatedFactor: beyond === null ? null : validatedFactor(fits.bands, beyond) };
}

/** The calibrated half-widths at a predicted point, and what they rest on. */
function errorsOf(predictors: Predictors, fits: Pick<FitsFile, 'bands'>, q: Query, source: Source): Pick<Answer, 'prompt_time_err' | 'token_time_err' | 'err_basis'> {
  const err = (metric: 'prompt_time' | 'token_time') => predictedError(fits.bands[metric], predictors[metric] as NonNullable<Predictors['prompt_time']>, q.prompt_size, q.batch_size);
  const [pt, tt] = [err('prompt_time'), err('token_time')];
  const basis: ErrBasis = source === 'interpolated' ? 'leave-one-out' : pt.validated && tt.validated ? 'backtest' : 'unvalidated';
  return { prompt_time_err: pt.err, token_time_err: tt.err, err_basis: basis };
}

/** The fit's answer, computed exactly as emit computes a predicted row; refused where the database refused the point, or where it is not finite. */
export function predict(group: FitsGroup, fits: Pick<FitsFile, 'extrapolate' | 'maxExtrapolation' | 'coverage' | 'bands'>, q: Query): Answer {
  const max = fits.maxExtrapolation;
  checkReach({ prompt: q.prompt_size, batch: q.batch_size, what: 'the query', lookup: true }, group.range, refusesExtrapolation(fits.extrapolate), max === null ? null : { factor: max, action: 'error' }, group.id);
  const predictors = predictorsOf(group);
  const { values, clamped } = predictPoint(predictors, q.prompt_size, q.batch_size, q.token_size);
  const [pt, tt] = [values.prompt_time as number, values.token_time as number];
  const bt = q.prompt_size * q.batch_size;
  const source: Source = bt >= group.range[0] && bt <= group.range[1] ? 'interpolated' : 'extrapolated';
  const errs = errorsOf(predictors, fits, q, source);
  const answer: Answer = {
    prompt_time: pt,
    token_time: tt,
    e2e_time: pt + (q.token_size - 1) * tt,
    source,
    prompt_time_err: errs.prompt_time_err,
    token_time_err: errs.token_time_err,
    coverage: fits.coverage,
    err_basis: errs.err_basis,
    factor: extrapolationFactor(bt, group.range),
    clamped: clamped.map((c) => c.metric),
    from: 'fit',
    ...placeOf(group, fits, q),
    held: heldMetrics(predictors, q, { prompt_time: pt, token_time: tt }),
  };
  return checkFinite(answer, group, q);
}

function predictorsOf(group: FitsGroup): Predictors {
  const out = { peak_power: null, average_power: null } as Predictors;
  for (const metric of ['prompt_time', 'token_time'] as const satisfies readonly FittedMetric[]) {
    const fit = group.fits[metric];
    out[metric] = makePredictor(fit.method, fit.knots, fit.key, fit.tails ?? null, fit.model ?? null);
  }
  return out;
}
