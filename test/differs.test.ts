/**
 * The count of extrapolated rows that differ from SplitwiseSim's line
 * (differsFromLinear), against a reference made of two runs' rows: the same
 * grid emitted with the tails, and with `linear` (SplitwiseSim's line as it
 * is) for every metric; a row differs when its prompt_time or token_time
 * text does.
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExtrapolationPolicy, FittedMetric, Grid } from '../pipeline/types.js';
import { pipelineRun, realDataPath } from './helpers.js';

const grid: Grid = { prompts: Array.from({ length: 130 }, (_, i) => 1 + 64 * i), batches: null, tokens: null };

async function rows(extrapolate: Record<FittedMetric, ExtrapolationPolicy>) {
  const file = realDataPath();
  const parts: string[] = [];
  const result = await pipelineRun([{ file, chunks: createReadStream(file) }], { grid, extrapolate }, (chunk) => void parts.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')));
  const lines = parts.join('').split('\n').slice(1, -1);
  return { result, cells: lines.map((line) => line.split(',')) };
}

const policies = (prompt: ExtrapolationPolicy, token: ExtrapolationPolicy): Record<FittedMetric, ExtrapolationPolicy> => ({ prompt_time: prompt, token_time: token, peak_power: 'auto', average_power: 'auto' });

describe('differsFromLinear', () => {
  it.each([
    ['the tails the backtests choose', policies('auto', 'auto')],
    ["SplitwiseSim's line for prompt_time, a proportional tail for token_time", policies('linear', 'proportional')],
    ["a proportional tail for prompt_time, SplitwiseSim's line for token_time", policies('proportional', 'linear')],
  ])('counts the rows that differ from SplitwiseSim line, with %s', async (_name, extrapolate) => {
    const [tailed, line] = [await rows(extrapolate), await rows(policies('linear', 'linear'))];
    expect(tailed.cells.length).toBe(line.cells.length);
    // Columns: model, hardware, prompt, batch, token, peak, average, prompt_time (7), token_time (8), e2e, tp, source (11).
    let differing = 0;
    tailed.cells.forEach((row, i) => {
      const other = line.cells[i] as string[];
      expect(row.slice(0, 5)).toEqual(other.slice(0, 5));
      if (row[11] === 'extrapolated' && (row[7] !== other[7] || row[8] !== other[8])) differing++;
    });
    const counted = tailed.result.groups.reduce((sum, g) => sum + g.emitted.differsFromLinear, 0);
    expect(counted).toBe(differing);
    expect(differing).toBeGreaterThan(0);
    expect(line.result.groups.reduce((sum, g) => sum + g.emitted.differsFromLinear, 0)).toBe(0);
  });
});
