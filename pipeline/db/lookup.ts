/**
 * Lookups the way a simulator asks: (model, hardware, tensor_parallel,
 * prompt, batch, tokens) -> prompt, token and e2e time with their source and
 * uncertainty. A configuration that is a row of perf_db.csv is answered from
 * that row; any other is predicted by the same fit that wrote the database,
 * rebuilt from fits.json.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { PerfDbError } from '../core/errors.js';
import { MAX_SIZE } from '../stages/ingest.js';
import { compareStrings, groupId } from '../core/keys.js';
import { makePredictor, predictedValue, xOf } from '../fit/predict.js';
import type { ExtrapolationPolicy, GroupFit, GroupKey, MetricFit, Source } from '../types.js';
import { errorModel } from '../fit/uncertainty.js';

export const FITS_VERSION = 1;

/** fits.json: what is needed to predict any configuration exactly as the database was written. */
export interface FitsFile {
  fitsVersion: number;
  extrapolate: ExtrapolationPolicy;
  /** Grid points further than this factor beyond the measured range were refused or skipped; null: no limit. */
  maxExtrapolation: number | null;
  groups: (GroupKey & { id: string; range: [number, number]; fits: { prompt_time: MetricFit; token_time: MetricFit } })[];
}

/** The fits of a run, for fits.json (knots at full precision, so predictions are exact). */
export function fitsFile(groups: readonly GroupFit[], extrapolate: ExtrapolationPolicy, maxExtrapolation: number | null = null): FitsFile {
  return {
    fitsVersion: FITS_VERSION,
    extrapolate,
    maxExtrapolation,
    groups: groups.map((g) => ({
      model: g.model,
      hardware: g.hardware,
      tensor_parallel: g.tensor_parallel,
      id: g.id,
      range: g.range,
      fits: { prompt_time: g.fits.prompt_time as MetricFit, token_time: g.fits.token_time as MetricFit },
    })),
  };
}

export interface Query extends GroupKey {
  prompt_size: number;
  batch_size: number;
  token_size: number;
}

export interface Answer {
  prompt_time: number;
  token_time: number;
  e2e_time: number;
  source: Source;
  /** Relative uncertainties; null where unknown. */
  prompt_time_err: number | null;
  token_time_err: number | null;
  /** Where the answer came from: a row of perf_db.csv, or the fit. */
  from: 'row' | 'fit';
}

export interface Database {
  fits: FitsFile;
  /** perf_db.csv, read row by row on demand. */
  csvPath: string;
}

export async function loadDatabase(fitsPath: string, csvPath: string): Promise<Database> {
  let fits: FitsFile;
  try {
    fits = JSON.parse(await readFile(fitsPath, 'utf8')) as FitsFile;
  } catch (error) {
    throw new PerfDbError('E_NO_DATABASE', `cannot read ${fitsPath}: ${(error as Error).message}`, { file: fitsPath, hint: 'run `npm run generate` first' });
  }
  if (fits.fitsVersion !== FITS_VERSION) {
    throw new PerfDbError('E_SCHEMA_VERSION', `fits.json has version ${fits.fitsVersion}; expected ${FITS_VERSION}`, { file: fitsPath, hint: 'regenerate with `npm run generate`' });
  }
  return { fits, csvPath };
}

/** Answers a query: the database row when there is one, else the fit's prediction. */
export async function lookup(db: Database, query: Query): Promise<Answer> {
  for (const name of ['tensor_parallel', 'prompt_size', 'batch_size', 'token_size'] as const) {
    const v = query[name];
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIZE) {
      throw new PerfDbError('E_BAD_QUERY', `${name} ${v} is not allowed; expected a whole number from 1 to ${MAX_SIZE}`, { hint: 'ask for a configuration of positive whole sizes' });
    }
  }
  const group = db.fits.groups.find((g) => g.model === query.model && g.hardware === query.hardware && g.tensor_parallel === query.tensor_parallel);
  if (group === undefined) {
    const known = db.fits.groups.map((g) => g.id).sort(compareStrings);
    throw new PerfDbError('E_UNKNOWN_GROUP', `no group ${groupId(query)} in the database; it has ${known.join(', ')}`, {
      hint: 'check --model, --hardware and --tp against the list',
    });
  }
  return (await findRow(db.csvPath, query)) ?? predict(group, db.fits.extrapolate, query, db.fits.maxExtrapolation ?? null);
}

/** The fit's answer, computed exactly as emit computes a predicted row. */
export function predict(group: FitsFile['groups'][number], policy: ExtrapolationPolicy, q: Query, maxExtrapolation: number | null = null): Answer {
  const bt = q.prompt_size * q.batch_size;
  const factor = bt > group.range[1] ? bt / group.range[1] : bt < group.range[0] ? group.range[0] / bt : 1;
  if (maxExtrapolation !== null && factor > maxExtrapolation) {
    throw new PerfDbError('E_TOO_FAR', `batch_tokens ${bt} is ${factor.toPrecision(3)} times beyond the measured range ${group.range[0]}..${group.range[1]}; the database was written with --max-extrapolation ${maxExtrapolation}`, {
      group: group.id,
      hint: 'ask closer to the measured range, or regenerate with a larger --max-extrapolation',
    });
  }
  if (policy === 'error' && (bt < group.range[0] || bt > group.range[1])) {
    throw new PerfDbError('E_EXTRAPOLATION', `batch_tokens ${bt} is outside the measured range ${group.range[0]}..${group.range[1]}, and the database was written with --extrapolate error`, {
      group: group.id,
      hint: 'ask within the measured range, or regenerate with --extrapolate linear or clamp',
    });
  }
  const values = (['prompt_time', 'token_time'] as const).map((metric) => {
    const fit = group.fits[metric];
    const predictor = makePredictor(fit.method, fit.knots, fit.key);
    const x = xOf(predictor, q.prompt_size, q.batch_size);
    return { value: predictedValue(predictor, metric, x, policy), err: errorModel(fit)(x) };
  }) as [{ value: number; err: number | null }, { value: number; err: number | null }];
  const [pt, tt] = values;
  const source: Source = bt >= group.range[0] && bt <= group.range[1] ? 'interpolated' : 'extrapolated';
  return {
    prompt_time: pt.value,
    token_time: tt.value,
    e2e_time: pt.value + (q.token_size - 1) * tt.value,
    source,
    prompt_time_err: pt.err,
    token_time_err: tt.err,
    from: 'fit',
  };
}

/** Scans perf_db.csv for the query's row (names compared after CSV unquoting). */
async function findRow(csvPath: string, q: Query): Promise<Answer | null> {
  const lines = createInterface({ input: createReadStream(csvPath), crlfDelay: Infinity });
  let header: string[] | null = null;
  let pending = '';
  try {
    for await (const part of lines) {
      // A quoted name may hold a newline: a record is complete once its quotes balance.
      pending = pending === '' ? part : `${pending}\n${part}`;
      if (countQuotes(pending) % 2 === 1) continue;
      const line = pending;
      pending = '';
      if (header === null) {
        header = parse(line)[0] as string[];
        continue;
      }
      // Cheap filter before parsing: the sizes must appear in the line.
      if (!line.includes(`,${q.prompt_size},${q.batch_size},${q.token_size},`)) continue;
      const cells = parse(line)[0] as string[];
      const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
      if (row.model !== q.model || row.hardware !== q.hardware || Number(row.tensor_parallel) !== q.tensor_parallel) continue;
      if (Number(row.prompt_size) !== q.prompt_size || Number(row.batch_size) !== q.batch_size || Number(row.token_size) !== q.token_size) continue;
      const number = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
      const [pt, tt] = [Number(row.prompt_time), Number(row.token_time)];
      return {
        prompt_time: pt,
        token_time: tt,
        e2e_time: number(row.e2e_time) ?? pt + (q.token_size - 1) * tt,
        source: row.source as Source,
        prompt_time_err: number(row.prompt_time_err),
        token_time_err: number(row.token_time_err),
        from: 'row',
      };
    }
  } catch (error) {
    throw new PerfDbError('E_NO_DATABASE', `cannot read ${csvPath}: ${(error as Error).message}`, { file: csvPath, hint: 'run `npm run generate` first' });
  } finally {
    lines.close();
  }
  return null;
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}
