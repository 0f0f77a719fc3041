import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, generate, NO_PLOTS, scipyFixture, scratch, type ScipyEntry } from './helpers.js';

/**
 * End to end on SplitwiseSim's perf_model.csv (data/raw, fetched from the
 * ../shared/data mirror when missing), checked against the committed scipy /
 * pandas numbers in test/fixtures/scipy (make_reference.py).
 */
interface ConfigMedians {
  model: string;
  hardware: string;
  tensor_parallel: number;
  prompt_size: number;
  batch_size: number;
  token_size: number;
  prompt_time: number;
  token_time: number;
  e2e_time: number;
}

const interp = scipyFixture<ScipyEntry[]>('interp1d-real.json');
const medians = scipyFixture<ConfigMedians[]>('e2e-check.json');

const HEADER = 'model,hardware,prompt_size,batch_size,token_size,peak_power,average_power,prompt_time,token_time,e2e_time,tensor_parallel,source';
// SplitwiseSim's own line beyond the range, the parity this file checks (the default tails: test/tails-real.test.ts).
const ARGS = ['--extrapolate', 'linear', '--prompts', '128..8192', '--step', '64'];

interface Row {
  model: string;
  hardware: string;
  p: number;
  b: number;
  t: number;
  pt: number;
  tt: number;
  e2e: number;
  tp: number;
  source: string;
}

let dir: string;
let first: Buffer;
let second: Buffer;
let header: string;
let rows: Row[];

beforeAll(async () => {
  dir = await scratch();
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  // the second run skips the charts, which must not change perf_db.csv
  const runs = await Promise.all([generate([...ARGS, '--out', a]), generate([...ARGS, '--out', b, NO_PLOTS])]);
  for (const run of runs) {
    expect(run.status, run.stderr).toBe(0);
    // the only thing allowed on stderr is the note that the raw file was fetched from the mirror
    expect(run.stderr.replace(/^fetched perf_model\.csv .*\n/m, '')).toBe('');
  }
  [first, second] = await Promise.all([readFile(join(a, 'perf_db.csv')), readFile(join(b, 'perf_db.csv'))]);
  const [head, ...body] = first.toString('utf8').split('\n');
  expect(body.pop()).toBe('');
  header = head as string;
  rows = body.map((line) => {
    const f = line.split(',');
    expect(f).toHaveLength(12);
    return {
      model: f[0] as string,
      hardware: f[1] as string,
      p: Number(f[2]),
      b: Number(f[3]),
      t: Number(f[4]),
      pt: Number(f[7]),
      tt: Number(f[8]),
      e2e: Number(f[9]),
      tp: Number(f[10]),
      source: f[11] as string,
    };
  });
});

afterAll(async () => {
  await cleanUp(dir);
});

const groupOf = (r: { model: string; hardware: string; tensor_parallel?: number; tp?: number }) => `${r.model}/${r.hardware}/tp=${r.tensor_parallel ?? r.tp}`;

describe('generate on the real data', () => {
  it('writes the SplitwiseSim header plus source', () => {
    expect(header).toBe(HEADER);
  });

  it('writes 74,676 rows, 228 of them measured', () => {
    expect(rows).toHaveLength(74_676);
    expect(rows.filter((r) => r.source === 'measured')).toHaveLength(228);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['measured', 'interpolated', 'extrapolated']));
  });

  it('writes the same bytes on a second run', () => {
    expect(second.equals(first)).toBe(true);
  });

  it('sorts rows by model, hardware, tensor_parallel, prompt, batch, token', () => {
    const compare = (a: Row, b: Row) =>
      (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) ||
      (a.hardware < b.hardware ? -1 : a.hardware > b.hardware ? 1 : 0) ||
      a.tp - b.tp ||
      a.p - b.p ||
      a.b - b.b ||
      a.t - b.t;
    const unordered = rows.flatMap((r, i) => (i > 0 && compare(rows[i - 1] as Row, r) >= 0 ? [i + 2] : []));
    expect(unordered, 'file lines not strictly after the previous one').toEqual([]);
  });

  it('writes each measured configuration with the pandas medians', () => {
    const measured = new Map(rows.filter((r) => r.source === 'measured').map((r) => [`${groupOf(r)} ${r.p},${r.b},${r.t}`, r]));
    expect(measured.size).toBe(medians.length);
    for (const m of medians) {
      const r = measured.get(`${groupOf(m)} ${m.prompt_size},${m.batch_size},${m.token_size}`);
      expect(r, `${groupOf(m)} ${m.prompt_size},${m.batch_size},${m.token_size}`).toBeDefined();
      expect([r?.pt, r?.tt, r?.e2e]).toEqual([m.prompt_time, m.token_time, m.e2e_time]);
    }
  });

  it('predicts prompt_time and token_time as scipy interp1d does at batch_tokens, and clamps where scipy goes <= 0', () => {
    const scipy = new Map(interp.map((e) => [`${groupOf(e)} ${e.metric}`, e]));
    const at = new Map(interp.map((e) => [`${groupOf(e)} ${e.metric}`, new Map(e.queries.map((q, i) => [q, e.values[i] as number]))]));
    const wrong: string[] = [];
    let exact = 0;
    let clamped = 0;
    let predicted = 0;
    for (const r of rows) {
      if (r.source === 'measured') continue;
      predicted++;
      const bt = r.p * r.b;
      for (const [metric, value] of [['prompt_time', r.pt], ['token_time', r.tt]] as const) {
        const name = `${groupOf(r)} ${metric}`;
        const expected = at.get(name)?.get(bt);
        if (expected === undefined) {
          wrong.push(`${name} at ${bt}: no scipy value`);
        } else if (expected > 0) {
          if (value === expected) exact++;
          else if (!(Math.abs(value - expected) / expected <= 1e-12)) wrong.push(`${name} at ${bt}: ${value}, scipy ${expected}`);
        } else {
          // clamped to the nearest end's value
          const { x, y } = scipy.get(name) as ScipyEntry;
          const end = bt < (x[0] as number) ? y[0] : y[y.length - 1];
          if (value !== end) wrong.push(`${name} at ${bt}: ${value}, expected the end value ${end} (scipy ${expected})`);
          clamped++;
        }
      }
      if (r.e2e !== r.pt + (r.t - 1) * r.tt) wrong.push(`${groupOf(r)} ${r.p},${r.b},${r.t}: e2e ${r.e2e} is not prompt + (tokens - 1) * token`);
    }
    expect(wrong).toEqual([]);
    expect(predicted).toBe(74_676 - 228);
    expect(clamped).toBeGreaterThan(0);
    // the implementation mirrors scipy's arithmetic: every unclamped value is bit-identical
    expect(exact + clamped).toBe(2 * predicted);
  });

  it('labels a prediction interpolated inside the measured batch_tokens range and extrapolated outside', () => {
    const range = new Map(interp.filter((e) => e.metric === 'prompt_time').map((e) => [groupOf(e), [e.x[0] as number, e.x[e.x.length - 1] as number] as const]));
    const wrong = rows.flatMap((r) => {
      if (r.source === 'measured') return [];
      const [lo, hi] = range.get(groupOf(r)) ?? [NaN, NaN];
      const bt = r.p * r.b;
      const expected = bt >= lo && bt <= hi ? 'interpolated' : 'extrapolated';
      return r.source === expected ? [] : [`${groupOf(r)} ${r.p},${r.b},${r.t}: ${r.source}, expected ${expected}`];
    });
    expect(wrong).toEqual([]);
  });

  it('writes the same bytes whatever --concurrency, in worker threads or not', async () => {
    // 593,292 rows: above the size from which groups are emitted in worker threads
    const dense = ['--prompts', '128..8192', '--step', '8', NO_PLOTS];
    const [one, two] = [join(dir, 'concurrency-1'), join(dir, 'concurrency-2')];
    const runs = await Promise.all([
      generate([...dense, '--concurrency', '1', '--out', one]),
      generate([...dense, '--concurrency', '2', '--out', two]),
    ]);
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[0]?.stdout).toMatch(/^Wrote 593292 rows /);
    const [a, b] = await Promise.all([readFile(join(one, 'perf_db.csv')), readFile(join(two, 'perf_db.csv'))]);
    expect(b.equals(a)).toBe(true);
  });
});
