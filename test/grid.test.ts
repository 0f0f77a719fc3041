import { describe, expect, it } from 'vitest';
import { countRows, resolveGrid } from '../pipeline/core/grid.js';
import type { Configuration } from '../pipeline/types.js';
import { deepFreeze } from './helpers.js';

function config(prompt_size: number, batch_size: number, token_size: number): Configuration {
  const none = { peak_power: null, average_power: null, prompt_time: null, token_time: null, e2e_time: null };
  const empty = { peak_power: [], average_power: [], prompt_time: [], token_time: [], e2e_time: [] };
  return { model: 'm', hardware: 'h', tensor_parallel: 1, prompt_size, batch_size, token_size, count: 1, metrics: none, repetitions: empty };
}

const measured = deepFreeze([config(128, 1, 16), config(256, 4, 16), config(256, 1, 48), config(512, 1, 16)]);

describe('resolveGrid()', () => {
  it('keeps the sizes the grid gives', () => {
    expect(resolveGrid({ prompts: [1, 2], batches: [3], tokens: [4, 5] }, measured)).toEqual({ prompts: [1, 2], batches: [3], tokens: [4, 5] });
  });

  it('takes the distinct measured sizes, ascending, where the grid leaves a dimension open', () => {
    expect(resolveGrid({ prompts: null, batches: null, tokens: [10] }, measured)).toEqual({ prompts: [128, 256, 512], batches: [1, 4], tokens: [10] });
  });
});

describe('countRows()', () => {
  it('counts the grid plus the measured configurations off it', () => {
    // grid 2 x 2 x 1 = 4; off it: (256, 4, 16) (batch 4), (256, 1, 48) (token 48), (512, 1, 16) (prompt 512)
    expect(countRows({ prompts: [128, 256], batches: [1, 2], tokens: [16] }, measured)).toBe(7);
  });

  it('counts each measured configuration on the grid once', () => {
    // grid 3 x 2 x 2 = 12, every measured configuration on it
    expect(countRows({ prompts: [128, 256, 512], batches: [1, 4], tokens: [16, 48] }, measured)).toBe(12);
  });

  it('counts the measured cross product for an open grid', () => {
    // 3 prompts x 2 batches x 2 tokens
    expect(countRows({ prompts: null, batches: null, tokens: null }, measured)).toBe(12);
  });
});
