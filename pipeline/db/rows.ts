import { createReadStream } from 'node:fs';
import { refuseNonRegular } from '../io/regular.js';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { PerfDbError } from '../core/errors.js';
import type { Source } from '../types.js';
import type { ErrBasis } from '../fit/uncertainty.js';
import type { Answer, Query } from './types.js';

/** What a row of perf_db.csv answers by itself. */
export type RowAnswer = Omit<Answer, 'coverage' | 'factor' | 'clamped' | 'range' | 'beyond' | 'validatedFactor' | 'held'>;

/** The columns every perf_db.csv has. */
const REQUIRED = ['model', 'hardware', 'prompt_size', 'batch_size', 'token_size', 'prompt_time', 'token_time', 'tensor_parallel', 'source'];
const SOURCES: readonly string[] = ['measured', 'interpolated', 'extrapolated'];
const BASES: readonly string[] = ['repetitions', 'leave-one-out', 'backtest', 'unvalidated'];

/**
 * Scans perf_db.csv for the query's row (names compared after CSV
 * unquoting). The header must be a database's, and the row found must hold
 * positive times and a known source. When no row matches, the file must
 * hold the `rows` rows fits.json was written with: a truncated or emptied
 * database would otherwise answer a measured configuration from the fit.
 */
export async function findRow(csvPath: string, q: Query, rows: number): Promise<RowAnswer | null> {
  await refuseNonRegular(csvPath, csvPath, 'perf_db.csv');
  const lines = createInterface({ input: createReadStream(csvPath), crlfDelay: Infinity });
  let header: string[] | null = null;
  let pending = '';
  let line = 0;
  let records = 0;
  try {
    for await (const part of lines) {
      line++;
      // A quoted name may hold a newline: a record is complete once its quotes balance.
      pending = pending === '' ? part : `${pending}\n${part}`;
      if (countQuotes(pending) % 2 === 1) continue;
      const text = pending;
      pending = '';
      if (header === null) {
        header = checkHeader(text, csvPath);
        continue;
      }
      if (text === '') continue;
      records++;
      // Cheap filter before parsing: the sizes must appear in the line.
      if (!text.includes(`,${q.prompt_size},${q.batch_size},${q.token_size},`)) continue;
      const cells = parse(text)[0] as string[];
      const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
      if (row.model !== q.model || row.hardware !== q.hardware || Number(row.tensor_parallel) !== q.tensor_parallel) continue;
      if (Number(row.prompt_size) !== q.prompt_size || Number(row.batch_size) !== q.batch_size || Number(row.token_size) !== q.token_size) continue;
      return answerOf(row, q, csvPath, line);
    }
  } catch (error) {
    if (error instanceof PerfDbError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new PerfDbError('E_NO_DATABASE', `perf_db.csv cannot be read (${code})`, { file: csvPath, hint: 'run `npm run generate` first, or pass --db the folder it wrote' });
    }
    throw bad(csvPath, line, `line ${line} cannot be read: ${(error as Error).message}`);
  } finally {
    lines.close();
  }
  if (header === null) throw bad(csvPath, 1, 'the file is empty');
  if (records !== rows) throw bad(csvPath, line, `it holds ${records} rows, but fits.json was written with ${rows}: the pair is truncated, damaged or mixed from two runs`);
  return null;
}

function checkHeader(text: string, file: string): string[] {
  let names: string[];
  try {
    names = (parse(text)[0] as string[] | undefined) ?? [];
  } catch {
    names = [];
  }
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0) throw bad(file, 1, `the header is not a perf_db.csv header (${missing.join(', ')} missing)`);
  return names;
}

function answerOf(row: Record<string, string>, q: Query, file: string, line: number): RowAnswer {
  const time = (name: string) => {
    const v = Number(row[name]);
    if (row[name] === '' || !(v > 0) || !Number.isFinite(v)) throw bad(file, line, `${name} ${JSON.stringify(row[name])} is not a positive time`);
    return v;
  };
  const optional = (name: string) => {
    const text = row[name];
    if (text === undefined || text === '') return null;
    const v = Number(text);
    if (!Number.isFinite(v) || v < 0) throw bad(file, line, `${name} ${JSON.stringify(text)} is not a number >= 0`);
    return v;
  };
  const source = row.source as string;
  if (!SOURCES.includes(source)) throw bad(file, line, `source ${JSON.stringify(source)} is not one of ${SOURCES.join(', ')}`);
  const basis = row.err_basis;
  if (basis !== undefined && basis !== '' && !BASES.includes(basis)) throw bad(file, line, `err_basis ${JSON.stringify(basis)} is not one of ${BASES.join(', ')}`);
  const [pt, tt] = [time('prompt_time'), time('token_time')];
  return {
    prompt_time: pt,
    token_time: tt,
    e2e_time: optional('e2e_time') ?? pt + (q.token_size - 1) * tt,
    source: source as Source,
    prompt_time_err: optional('prompt_time_err'),
    token_time_err: optional('token_time_err'),
    err_basis: basis === undefined || basis === '' ? null : (basis as ErrBasis),
    from: 'row',
  };
}

function bad(file: string, line: number, what: string): PerfDbError {
  return new PerfDbError('E_BAD_DATABASE', `perf_db.csv is not a valid database: ${what}`, { file, line, hint: 'regenerate the database with `npm run generate`' });
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}
