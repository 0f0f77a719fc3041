/**
 * --keep-duplicates: bit-for-bit what SplitwiseSim's DatabasePerformanceModel
 * answers, which keeps the 120 exact duplicate rows of perf_model.csv in its
 * medians (the default drops them, which moves the medians at batch_tokens
 * 512 by up to 0.6%).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, generate, NO_PLOTS, realDataPath, scipyFixture, scratch, type ScipyEntry } from './helpers.js';

let dir: string;
let rows: string[][];

beforeAll(async () => {
  dir = await scratch();
  const run = await generate(['--input', realDataPath(), '--prompts', '128..8192', '--step', '64', '--keep-duplicates', '--extrapolate', 'linear', NO_PLOTS, '--out', dir]);
  expect(run.status, run.stderr).toBe(0);
  rows = (await readFile(join(dir, 'perf_db.csv'), 'utf8')).trim().split('\n').slice(1).map((line) => line.split(','));
});
afterAll(() => cleanUp(dir));

describe('generate --keep-duplicates on the real data', () => {
  it('predicts exactly what SplitwiseSim answers (scipy interp1d on the medians of every row, duplicates kept)', () => {
    const fixture = scipyFixture<ScipyEntry[]>('interp1d-real-with-duplicates.json');
    let compared = 0;
    for (const entry of fixture) {
      const column = entry.metric === 'prompt_time' ? 7 : 8;
      const expected = new Map(entry.queries.map((q, i) => [q, entry.values[i] as number]));
      for (const r of rows) {
        if (r[0] !== entry.model || r[1] !== entry.hardware || Number(r[10]) !== entry.tensor_parallel || r[11] === 'measured') continue;
        const value = expected.get(Number(r[2]) * Number(r[3]));
        if (value === undefined || !(value > 0)) continue; // impossible extrapolations are clamped (README)
        expect(Number(r[column])).toBe(value);
        compared++;
      }
    }
    expect(compared).toBe(137_367);
  });

  it('gives measured rows the median over every repetition, duplicates included', async () => {
    const raw = (await readFile(realDataPath(), 'utf8')).trim().split('\n');
    const header = (raw[0] as string).split(',');
    const col = (name: string) => header.indexOf(name);
    const byConfig = new Map<string, number[]>();
    for (const line of raw.slice(1)) {
      const f = line.split(',');
      const key = [f[col('model')], f[col('hardware')], f[col('prompt_size')], f[col('batch_size')], f[col('token_size')], f[col('tensor_parallel')]].join(',');
      byConfig.set(key, [...(byConfig.get(key) ?? []), Number(f[col('prompt_time')])]);
    }
    const measured = rows.filter((r) => r[11] === 'measured');
    expect(measured).toHaveLength(228);
    for (const r of measured) {
      const values = (byConfig.get([r[0], r[1], r[2], r[3], r[4], r[10]].join(',')) ?? []).sort((a, b) => a - b);
      const n = values.length;
      const median = n % 2 === 1 ? values[(n - 1) / 2] : ((values[n / 2 - 1] as number) + (values[n / 2] as number)) / 2;
      expect(Number(r[7])).toBe(median);
    }
  });
});
