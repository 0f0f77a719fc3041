import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { PerfDbError } from '../core/errors.js';
import type { Source } from '../types.js';
import type { ErrBasis } from '../fit/uncertainty.js';
import type { Answer, Query } from './types.js';

/** What a row of perf_db.csv answers by itself. */
export type RowAnswer = Omit<Answer, 'coverage' | 'factor' | 'clamped'>;

/** Scans perf_db.csv for the query's row (names compared after CSV unquoting). */
export async function findRow(csvPath: string, q: Query): Promise<RowAnswer | null> {
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
        err_basis: row.err_basis === undefined || row.err_basis === '' ? null : (row.err_basis as ErrBasis),
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
