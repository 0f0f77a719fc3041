/**
 * Same input, same bytes: every output but the list of input files is the
 * same whatever the row order, the split into files and their column orders.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, generate, NO_PLOTS, realDataPath, scratch } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await scratch();
});
afterAll(() => cleanUp(dir));

/** A deterministic shuffle (xorshift), so that a failure can be reproduced. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('generate on the real data', () => {
  it('writes the same perf_db.csv, fits.json and report findings for shuffled rows split into two files with other column orders', async () => {
    const [header, ...rows] = (await readFile(realDataPath(), 'utf8')).trim().split('\n') as [string, ...string[]];
    const columns = header.split(',');
    const mixed = shuffle(rows, 20261127);
    const half = mixed.length >> 1;
    const order = shuffle(columns.map((_, i) => i), 7);
    const reorder = (line: string) => order.map((i) => line.split(',')[i]).join(',');
    await writeFile(join(dir, 'a.csv'), `${mixed.slice(0, half).join('\n')}\n`.replace(/^/, `${header}\n`));
    await writeFile(join(dir, 'b.csv'), `${[reorder(header), ...mixed.slice(half).map(reorder)].join('\n')}\n`);
    const args = ['--prompts', '128..8192', '--step', '64', '--method', 'auto', '--uncertainty', NO_PLOTS];
    const [one, two] = [join(dir, 'one'), join(dir, 'two')];
    expect((await generate(['--input', realDataPath(), '--out', one, ...args])).status).toBe(0);
    expect((await generate(['--input', join(dir, 'a.csv'), '--input', join(dir, 'b.csv'), '--out', two, ...args])).status).toBe(0);
    for (const name of ['perf_db.csv', 'fits.json']) {
      expect((await readFile(join(two, name))).equals(await readFile(join(one, name))), name).toBe(true);
    }
    const report = async (out: string) => JSON.parse(await readFile(join(out, 'quality-report.json'), 'utf8')) as { groups: unknown; summary: unknown; output: unknown };
    const [r1, r2] = [await report(one), await report(two)];
    expect(r2.groups).toEqual(r1.groups);
    expect(r2.summary).toEqual(r1.summary);
    expect(r2.output).toEqual(r1.output);
  });
});
