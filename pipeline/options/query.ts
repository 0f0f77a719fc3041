import { checkQuery } from '../db/query.js';
import type { Query } from '../db/types.js';
import { deepFreeze } from './defaults.js';
import type { QueryArgs } from './types.js';
import { integerOption } from './values.js';
import { MAX_SIZE } from '../core/limits.js';

/** The query command line, resolved once: whole sizes from 1 to MAX_SIZE (the same check lookups apply), frozen. */
export function resolveQuery(args: QueryArgs): Query {
  return deepFreeze(
    checkQuery({
      model: args.model,
      hardware: args.hardware,
      tensor_parallel: integerOption(args.tp, 'tp', 1, MAX_SIZE),
      prompt_size: integerOption(args.prompt, 'prompt', 1, MAX_SIZE),
      batch_size: integerOption(args.batch, 'batch', 1, MAX_SIZE),
      token_size: integerOption(args.tokens, 'tokens', 1, MAX_SIZE),
    }),
  );
}
