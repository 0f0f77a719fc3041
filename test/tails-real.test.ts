/**
 * The default database on the real data and the README grid, against the
 * promises of the trust work: no predicted row below its group's smallest
 * measured median; no time falling between neighbouring extrapolated rows;
 * measured and interpolated rows byte-identical to SplitwiseSim's; and with
 * --extrapolate linear, the file this project wrote before tails existed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, generate, NO_PLOTS, realDataPath, scratch } from './helpers.js';

const GRID = ['--prompts', '128..8192', '--step', '64'];
/** sha256 of perf_db.csv from the README command before the tails: SplitwiseSim's line everywhere. */
const SPLITWISE_SHA256 = '97a84692743e8595826fe774406ee621261c654a5f26c2640ce59d98385bb696';

let dir: string;
let text: { auto: string; linear: string };
let rows: Record<string, string>[];
let report: { trust: { metrics: { metric: string; interior: { coverage: { nominal: number; achieved: number }[] }; upper: { coverage: { nominal: number; achieved: number }[] } }[] } };

beforeAll(async () => {
  dir = await scratch('perfdb-tails-');
  const [a, b] = await Promise.all([
    generate(['--input', realDataPath(), ...GRID, NO_PLOTS, '--out', join(dir, 'auto')]),
    generate(['--input', realDataPath(), ...GRID, NO_PLOTS, '--extrapolate', 'linear', '--out', join(dir, 'linear')]),
  ]);
  expect(a.status, a.stderr).toBe(0);
  expect(b.status, b.stderr).toBe(0);
  text = { auto: await readFile(join(dir, 'auto', 'perf_db.csv'), 'utf8'), linear: await readFile(join(dir, 'linear', 'perf_db.csv'), 'utf8') };
  rows = parse(text.auto, { columns: true }) as Record<string, string>[];
  report = JSON.parse(await readFile(join(dir, 'auto', 'quality-report.json'), 'utf8')) as typeof report;
});
afterAll(() => cleanUp(dir));

const group = (r: Record<string, string>) => `${r.model}/${r.hardware}/${r.tensor_parallel}`;

describe('the default database on the real data', () => {
  it('has no predicted row below its group\'s smallest measured median, of prompt_time or token_time', () => {
    const smallest = new Map<string, { pt: number; tt: number }>();
    for (const r of rows.filter((q) => q.source === 'measured')) {
      const m = smallest.get(group(r)) ?? { pt: Infinity, tt: Infinity };
      smallest.set(group(r), { pt: Math.min(m.pt, Number(r.prompt_time)), tt: Math.min(m.tt, Number(r.token_time)) });
    }
    const below = rows.filter((r) => r.source !== 'measured' && (Number(r.prompt_time) < smallest.get(group(r))!.pt || Number(r.token_time) < smallest.get(group(r))!.tt));
    expect(below).toEqual([]);
  });

  it('never lets a time fall between neighbouring extrapolated rows, along prompt_size or batch_size', () => {
    const falls: string[] = [];
    for (const [axis, fixed] of [['prompt_size', ['batch_size', 'token_size']], ['batch_size', ['prompt_size', 'token_size']]] as const) {
      const lines = new Map<string, Record<string, string>[]>();
      for (const r of rows.filter((q) => q.source === 'extrapolated')) {
        const key = [group(r), ...fixed.map((c) => r[c])].join('|');
        lines.set(key, [...(lines.get(key) ?? []), r]);
      }
      for (const line of lines.values()) {
        line.sort((x, y) => Number(x[axis]) - Number(y[axis]));
        for (let i = 1; i < line.length; i++) {
          for (const m of ['prompt_time', 'token_time']) if (Number(line[i]![m]) < Number(line[i - 1]![m])) falls.push(`${group(line[i]!)} ${m} along ${axis} at ${line[i]![axis]}`);
        }
      }
    }
    expect(falls).toEqual([]);
  });

  it('keeps every measured and interpolated row byte for byte as SplitwiseSim (--extrapolate linear) writes it', () => {
    const kept = (t: string) => t.split('\n').filter((l) => l.endsWith(',measured') || l.endsWith(',interpolated'));
    expect(kept(text.auto)).toEqual(kept(text.linear));
    expect(kept(text.auto)).toHaveLength(228 + 41_520);
  });

  it('writes, with --extrapolate linear, the perf_db.csv of SplitwiseSim\'s line everywhere', () => {
    expect(createHash('sha256').update(text.linear).digest('hex')).toBe(SPLITWISE_SHA256);
  });

  it.each(['prompt_time', 'token_time'])('calibrates %s: nominal 0.8 covers 0.75-0.88 and 0.95 covers 0.90-0.98, inside and above the range, each family left out', (metric) => {
    const m = report.trust.metrics.find((x) => x.metric === metric);
    for (const region of [m?.interior, m?.upper]) {
      const at = (p: number) => region?.coverage.find((c) => c.nominal === p)?.achieved as number;
      expect(at(0.8)).toBeGreaterThanOrEqual(0.75);
      expect(at(0.8)).toBeLessThanOrEqual(0.88);
      expect(at(0.95)).toBeGreaterThanOrEqual(0.9);
      expect(at(0.95)).toBeLessThanOrEqual(0.98);
    }
  });
});
