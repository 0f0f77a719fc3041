import type { Configuration, Grid } from '../types.js';

export interface ResolvedGrid {
  prompts: number[];
  batches: number[];
  tokens: number[];
}

/** The sizes one group is emitted at: the grid's, or the group's measured values where the grid leaves a dimension open. */
export function resolveGrid(grid: Grid, measured: readonly Configuration[]): ResolvedGrid {
  const distinct = (pick: (c: Configuration) => number) => [...new Set(measured.map(pick))].sort((a, b) => a - b);
  return {
    prompts: grid.prompts ?? distinct((c) => c.prompt_size),
    batches: grid.batches ?? distinct((c) => c.batch_size),
    tokens: grid.tokens ?? distinct((c) => c.token_size),
  };
}

/** The sizes of a list as a set, made once per list: every group of a run shares the grid's lists, of up to millions of sizes. */
const MEMBERS = new WeakMap<readonly number[], ReadonlySet<number>>();
function membersOf(values: readonly number[]): ReadonlySet<number> {
  let set = MEMBERS.get(values);
  if (set === undefined) MEMBERS.set(values, (set = new Set(values)));
  return set;
}

/** Rows one group will emit: the grid plus the measured configurations off it. */
export function countRows(grid: Grid, measured: readonly Configuration[]): number {
  const g = resolveGrid(grid, measured);
  const [ps, bs, ts] = [membersOf(g.prompts), membersOf(g.batches), membersOf(g.tokens)];
  const off = measured.filter((c) => !(ps.has(c.prompt_size) && bs.has(c.batch_size) && ts.has(c.token_size))).length;
  return g.prompts.length * g.batches.length * g.tokens.length + off;
}
