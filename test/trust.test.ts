/**
 * The trust machinery against independent numbers: scipy's nnls, and the
 * models, backtests and tail choice recomputed with numpy / scipy / pandas
 * from the README's definitions (test/fixtures/scipy/make_trust_reference.py).
 */
import { createReadStream } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nnls } from '../pipeline/fit/nnls.js';
import { runOptions } from '../pipeline/options/defaults.js';
import { runPipeline } from '../pipeline/run.js';
import type { PipelineResult } from '../pipeline/types.js';
import { realDataPath, scipyFixture } from './helpers.js';

interface Reference {
  nnls: { A: number[][]; b: number[]; x: number[] }[];
  groups: {
    model: string;
    hardware: string;
    tensor_parallel: number;
    broken: number[][];
    decode: number[];
    prefill: number[];
    interior: Record<string, number[][]>;
    frontier: Record<string, Record<string, number[][]>>;
  }[];
  summary: Record<string, { scores: Record<string, number>; chosen: string }>;
}

const ref = scipyFixture<Reference>('trust-reference.json');
const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-12);

let result: PipelineResult;
beforeAll(async () => {
  const path = realDataPath();
  result = await runPipeline([{ file: path, chunks: createReadStream(path) }], runOptions({ concurrency: 1 }), () => undefined, {});
});

describe('nnls()', () => {
  it.each(ref.nnls.map((c, i) => [i, c] as const))('solves case %d as scipy.optimize.nnls does', (_i, c) => {
    const x = nnls(c.A, c.b);
    x.forEach((v, k) => expect(Math.abs(v - (c.x[k] as number))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c.x[k] as number))));
  });
});

describe('the fit stage on the real data', () => {
  const group = (g: Reference['groups'][number]) => {
    const found = result.groups.find((r) => r.fit.model === g.model && r.fit.hardware === g.hardware && r.fit.tensor_parallel === g.tensor_parallel);
    if (found === undefined) throw new Error(`no group ${g.model}`);
    return found;
  };

  it.each(ref.groups.map((g) => [`${g.model}/${g.hardware}/tp=${g.tensor_parallel}`, g] as const))('%s: broken configurations and model coefficients as numpy', (_id, g) => {
    const r = group(g);
    expect(r.broken).toEqual(g.broken.map((k) => k.join(',')).sort());
    r.fit.fits.token_time?.model?.coef.forEach((c, k) => expect(close(c, g.decode[k] as number, 1e-7)).toBe(true));
    r.fit.fits.prompt_time?.model?.coef.forEach((c, k) => expect(close(c, g.prefill[k] as number, 1e-7)).toBe(true));
  });

  it.each(ref.groups.map((g) => [`${g.model}/${g.hardware}/tp=${g.tensor_parallel}`, g] as const))('%s: configuration leave-one-out and frontier backtests as scipy', (_id, g) => {
    const r = group(g);
    for (const metric of ['prompt_time', 'token_time'] as const) {
      const evidence = r.evidence[metric] ?? [];
      const interior = evidence.filter((e) => e.kind === 'interior').map((e) => [e.prompt_size, e.batch_size, e.token_size, e.predicted, e.measured]);
      expect(interior.length).toBe(g.interior[metric]?.length);
      interior.forEach((row, i) => row.forEach((v, k) => expect(close(v, g.interior[metric]![i]![k]!, 1e-12)).toBe(true)));
      for (const [name, expected] of Object.entries(g.frontier[metric] ?? {})) {
        const [side, k, tail] = name.split('/');
        const got = evidence.filter((e) => e.kind === side && e.k === Number(k) && e.tail === tail).map((e) => [e.prompt_size, e.batch_size, e.token_size, e.f, e.predicted, e.measured]);
        expect(got.length, name).toBe(expected.length);
        // The model tail's coefficients come from nnls: equal to about 1e-7; the rest to rounding.
        got.forEach((row, i) => row.forEach((v, j) => expect(close(v, expected[i]![j]!, tail === 'model' ? 1e-6 : 1e-12), `${name} ${i} ${j}`).toBe(true)));
      }
    }
  });

  it.each(['prompt_time', 'token_time'] as const)('chooses the %s tail the pooled frontier backtests choose, with the same scores', (metric) => {
    const trust = result.trust.metrics[metric];
    const expected = ref.summary[metric]!;
    expect(trust?.upper.chosen).toBe(expected.chosen);
    for (const s of trust?.upper.scores ?? []) if (s.tail !== 'own') expect(close(s.error as number, expected.scores[s.tail] as number, 1e-6)).toBe(true);
  });
});

describe('--method token_time=decode', () => {
  it('writes every predicted token_time as a + b B + c B (P + T/2) with the numpy coefficients, inside and beyond the range', async () => {
    const path = realDataPath();
    let text = '';
    const decoder = new TextDecoder();
    const options = runOptions({ concurrency: 1, grid: { prompts: [128, 700, 8192], batches: [1, 3, 64], tokens: [128, 1000] }, methods: { prompt_time: 'linear', token_time: 'decode', peak_power: 'linear', average_power: 'linear' } });
    await runPipeline([{ file: path, chunks: createReadStream(path) }], options, (chunk) => void (text += typeof chunk === 'string' ? chunk : decoder.decode(chunk)), {});
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(','));
    let checked = 0;
    for (const g of ref.groups) {
      const [a, b, c] = g.decode as [number, number, number];
      for (const r of rows.filter((q) => q[0] === g.model && q[1] === g.hardware && Number(q[10]) === g.tensor_parallel && q[11] !== 'measured')) {
        const [P, B, T] = [Number(r[2]), Number(r[3]), Number(r[4])];
        expect(close(Number(r[8]), a + b * B + c * B * (P + T / 2), 1e-7), r.join(',')).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(12 * 10);
  });
});
