import { PerfDbError } from '../core/errors.js';
import { MAX_SIZE } from '../core/limits.js';
import type { Query } from './types.js';

/** A lookup's sizes must be whole numbers from 1 to MAX_SIZE, as a database row's are; the one check, for the CLI and the library. */
export function checkQuery(query: Query): Query {
  for (const name of ['tensor_parallel', 'prompt_size', 'batch_size', 'token_size'] as const) {
    const v = query[name];
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIZE) {
      throw new PerfDbError('E_BAD_QUERY', `${name} ${v} is not allowed; expected a whole number from 1 to ${MAX_SIZE}`, { hint: 'ask for a configuration of positive whole sizes' });
    }
  }
  return query;
}
