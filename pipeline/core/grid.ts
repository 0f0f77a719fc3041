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

/** Rows one group will emit: the grid plus the measured configurations off it. */
export function countRows(grid: Grid, measured: readonly Configuration[]): number {
  const g = resolveGrid(grid, measured);
  const [ps, bs, ts] = [new Set(g.prompts), new Set(g.batches), new Set(g.tokens)];
  const off = measured.filter((c) => !(ps.has(c.prompt_size) && bs.has(c.batch_size) && ts.has(c.token_size))).length;
  return g.prompts.length * g.batches.length * g.tokens.length + off;
}
