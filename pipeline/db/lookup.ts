/**
 * Lookups the way a simulator asks: (model, hardware, tensor_parallel,
 * prompt, batch, tokens) -> prompt, token and e2e time with their source and
 * uncertainty. A configuration that is a row of perf_db.csv is answered from
 * that row; any other is predicted by the same fit that wrote the database,
 * rebuilt from fits.json.
 */
import { PerfDbError } from '../core/errors.js';
import { checkReach } from '../core/extrapolation.js';
import { compareStrings, groupId } from '../core/keys.js';
import { makePredictor, predictedValue, xOf } from '../fit/predict.js';
import { errorModel } from '../fit/uncertainty.js';
import type { ExtrapolationPolicy, Source } from '../types.js';
import { readFits } from './fits-file.js';
import { checkQuery } from './query.js';
import { findRow } from './rows.js';
import type { Answer, Database, FitsGroup, Query } from './types.js';

export async function loadDatabase(fitsPath: string, csvPath: string): Promise<Database> {
  return { fits: await readFits(fitsPath), csvPath };
}

/** Answers a query: the database row when there is one, else the fit's prediction. */
export async function lookup(db: Database, query: Query): Promise<Answer> {
  checkQuery(query);
  const group = db.fits.groups.find((g) => g.model === query.model && g.hardware === query.hardware && g.tensor_parallel === query.tensor_parallel);
  if (group === undefined) {
    const known = db.fits.groups.map((g) => g.id).sort(compareStrings);
    throw new PerfDbError('E_UNKNOWN_GROUP', `no group ${groupId(query)} in the database; it has ${known.join(', ')}`, { hint: 'check --model, --hardware and --tp against the list' });
  }
  return (await findRow(db.csvPath, query)) ?? predict(group, db.fits.extrapolate, query, db.fits.maxExtrapolation ?? null);
}

/** The fit's answer, computed exactly as emit computes a predicted row; refused where the database refused the point. */
export function predict(group: FitsGroup, policy: ExtrapolationPolicy, q: Query, maxExtrapolation: number | null = null): Answer {
  checkReach({ prompt: q.prompt_size, batch: q.batch_size, what: 'the query', lookup: true }, group.range, policy, maxExtrapolation === null ? null : { factor: maxExtrapolation, action: 'error' }, group.id);
  const values = (['prompt_time', 'token_time'] as const).map((metric) => {
    const fit = group.fits[metric];
    const predictor = makePredictor(fit.method, fit.knots, fit.key);
    const x = xOf(predictor, q.prompt_size, q.batch_size);
    return { value: predictedValue(predictor, metric, x, policy), err: errorModel(fit)(x) };
  }) as [{ value: number; err: number | null }, { value: number; err: number | null }];
  const [pt, tt] = values;
  const bt = q.prompt_size * q.batch_size;
  const source: Source = bt >= group.range[0] && bt <= group.range[1] ? 'interpolated' : 'extrapolated';
  return { prompt_time: pt.value, token_time: tt.value, e2e_time: pt.value + (q.token_size - 1) * tt.value, source, prompt_time_err: pt.err, token_time_err: tt.err, from: 'fit' };
}
