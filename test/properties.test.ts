/**
 * Property-based tests of the whole pipeline on random data sets: what must
 * hold whatever the data, the row order or the split into files, and that no
 * corruption of a valid file ends in anything but the project's own error.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import type { RunOptions } from '../pipeline/options/types.js';
import { everyMetric, pipelineRun, source } from './helpers.js';


const HEADER = ['model', 'hardware', 'tensor_parallel', 'prompt_size', 'batch_size', 'token_size', 'prompt_time', 'token_time', 'e2e_time'];

interface Rep {
  group: number;
  prompt: number;
  batch: number;
  tokens: number;
  pt: number;
  tt: number;
}

/** A random data set: 1-2 groups, each with at least two distinct batch_tokens, 1-3 repetitions per configuration. */
const dataSet = fc
  .array(
    fc.record({
      group: fc.integer({ min: 0, max: 1 }),
      prompt: fc.constantFrom(64, 128, 256, 512, 1024),
      batch: fc.constantFrom(1, 2, 4, 8),
      tokens: fc.constantFrom(16, 128),
      pt: fc.double({ min: 1, max: 1e4, noNaN: true }),
      tt: fc.double({ min: 1, max: 1e3, noNaN: true }),
    }),
    { minLength: 2, maxLength: 30 },
  )
  .filter((reps) => [0, 1].every((g) => {
    const xs = new Set(reps.filter((r) => r.group === g).map((r) => r.prompt * r.batch));
    return xs.size === 0 || xs.size >= 2;
  }));

function line(r: Rep): string {
  const e2e = r.pt + (r.tokens - 1) * r.tt;
  return [r.group === 0 ? 'llama' : 'bloom,"x"', 'gpu', 2, r.prompt, r.batch, r.tokens, r.pt, r.tt, e2e]
    .map((v) => (typeof v === 'string' && /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v)))
    .join(',');
}

const csv = (reps: readonly Rep[]) => `${HEADER.join(',')}\n${reps.map(line).join('\n')}\n`;

async function run(files: string[], extra: Partial<RunOptions> = {}): Promise<string> {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  await pipelineRun(
    files.map((text, i) => source(text, `f${i}.csv`)),
    { grid: { prompts: [64, 100, 256, 700, 2048], batches: [1, 3, 8], tokens: null }, onInvalid: 'error', strict: false, maxRows: 1e6, concurrency: 1, ...extra },
    (chunk) => {
      chunks.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk));
    },
  );
  return chunks.join('');
}

/**
 * Every pair of rows of one group that differ in one size only where a time
 * falls as that size grows: prompt_time along prompt_size or batch_size,
 * token_time along batch_size, e2e_time along token_size. Written here from
 * the CSV alone, apart from the pipeline's own checker; a fall of less than
 * 1e-12 relative is rounding.
 */
function fallingPairs(csvText: string): string[] {
  const rows = parse(csvText, { columns: true }) as Record<string, string>[];
  const out: string[] = [];
  const checks: [string, string[]][] = [['prompt_size', ['prompt_time']], ['batch_size', ['prompt_time', 'token_time']], ['token_size', ['e2e_time']]];
  for (const [axis, metrics] of checks) {
    const lines = new Map<string, Record<string, string>[]>();
    for (const r of rows) {
      const key = ['model', 'hardware', 'tensor_parallel', 'prompt_size', 'batch_size', 'token_size'].filter((c) => c !== axis).map((c) => r[c]).join('|');
      lines.set(key, [...(lines.get(key) ?? []), r]);
    }
    for (const line of lines.values()) {
      line.sort((a, b) => Number(a[axis]) - Number(b[axis]));
      for (let i = 1; i < line.length; i++) {
        for (const m of metrics) {
          const [before, after] = [Number(line[i - 1]?.[m]), Number(line[i]?.[m])];
          if (before - after > 1e-12 * Math.abs(before)) out.push(`${m} along ${axis}: ${before} -> ${after}`);
        }
      }
    }
  }
  return out;
}

describe('runPipeline() on random data sets', () => {
  it('gives the same bytes for any order of the rows and any split into files', async () => {
    await fc.assert(
      fc.asyncProperty(dataSet, fc.integer({ min: 1, max: 4 }), fc.integer(), async (reps, parts, seed) => {
        const expected = await run([csv(reps)]);
        const shuffled = fc.sample(fc.shuffledSubarray(reps, { minLength: reps.length, maxLength: reps.length }), { numRuns: 1, seed })[0] as Rep[];
        const files = Array.from({ length: parts }, (_, k) => shuffled.filter((_, i) => i % parts === k)).filter((f) => f.length > 0);
        expect(await run(files.map(csv))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  // Two rows of one configuration with the same prompt_time but another token_time are not duplicates: both count in the median.
  const COUNTEREXAMPLE: Rep[] = [
    { group: 0, prompt: 256, batch: 4, tokens: 16, pt: 1.0000000000000002, tt: 1 },
    { group: 0, prompt: 256, batch: 4, tokens: 16, pt: 1, tt: 1 },
    { group: 0, prompt: 64, batch: 1, tokens: 16, pt: 1, tt: 1 },
    { group: 1, prompt: 64, batch: 1, tokens: 16, pt: 1, tt: 1 },
    { group: 0, prompt: 256, batch: 4, tokens: 16, pt: 1.0000000000000002, tt: 1.0000000000000002 },
    { group: 1, prompt: 64, batch: 8, tokens: 16, pt: 1, tt: 1 },
  ];

  it('emits every measured configuration exactly once, with its median, as measured', async () => {
    await fc.assert(
      fc.asyncProperty(dataSet, async (reps) => {
        const rows = (await run([csv(reps)])).trim().split('\n').slice(1);
        const measured = rows.filter((r) => r.endsWith(',measured'));
        const configs = new Map<string, number[]>();
        const seen = new Set<string>();
        for (const r of reps) {
          const key = `${r.group === 0 ? 'llama' : '"bloom,""x"""'},gpu,${r.prompt},${r.batch},${r.tokens}`;
          const list = configs.get(key) ?? [];
          // Exact duplicates (every value the same: prompt_time, token_time and the e2e_time they give) are dropped before the median.
          const row = `${key},${r.pt},${r.tt}`;
          if (!seen.has(row)) list.push(r.pt);
          seen.add(row);
          configs.set(key, list);
        }
        expect(measured).toHaveLength(configs.size);
        for (const [key, pts] of configs) {
          const found = measured.filter((r) => r.startsWith(`${key},`));
          expect(found, key).toHaveLength(1);
          const cells = (found[0] as string).slice(key.length + 1).split(',');
          const sorted = [...pts].sort((a, b) => a - b);
          const n = sorted.length;
          const median = n % 2 === 1 ? sorted[(n - 1) / 2] : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
          expect(Number(cells[2])).toBe(median);
        }
      }),
      { numRuns: 300, examples: [[COUNTEREXAMPLE]] },
    );
  });

  it('reproduces the knots: a predicted row at a knot equals its median to rounding (linear mirrors scipy: y_lo + slope * dx, exact only up to a few ulp of the knot values)', async () => {
    await fc.assert(
      fc.asyncProperty(dataSet, async (reps) => {
        const rows = (await run([csv(reps)], { grid: { prompts: [64, 128, 256, 512, 1024], batches: [1, 2, 4, 8], tokens: [16, 128] } })).trim().split('\n').slice(1);
        for (const g of [0, 1]) {
          const mine = reps.filter((r) => r.group === g);
          const byX = new Map<number, number[]>();
          const seen = new Set<string>();
          for (const r of mine) {
            const key = `${r.prompt},${r.batch},${r.tokens},${r.pt},${r.tt}`;
            if (seen.has(key)) continue;
            seen.add(key);
            byX.set(r.prompt * r.batch, [...(byX.get(r.prompt * r.batch) ?? []), r.pt]);
          }
          const name = g === 0 ? 'llama' : '"bloom,""x"""';
          const medianOf = (pts: number[]) => {
            const sorted = [...pts].sort((a, b) => a - b);
            const n = sorted.length;
            return n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
          };
          // The arithmetic y_lo + slope * dx rounds at the scale of the larger knot value.
          const scale = Math.max(0, ...[...byX.values()].map(medianOf));
          for (const r of rows.filter((row) => row.startsWith(`${name},`) && !row.endsWith(',measured'))) {
            const cells = r.slice(name.length + 1).split(',');
            const x = Number(cells[1]) * Number(cells[2]);
            const pts = byX.get(x);
            if (pts === undefined) continue;
            expect(Math.abs(Number(cells[6]) - medianOf(pts))).toBeLessThanOrEqual(4 * Number.EPSILON * scale);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['isotonic', 'clamp'],
    ['auto', 'clamp'],
    ['isotonic', 'auto'],
    ['auto', 'auto'],
    ['isotonic', 'proportional'],
  ] as const)('gives monotone rows for monotone data with --method %s and --extrapolate %s', async (method, extrapolate) => {
    const monotone = fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 9, maxLength: 9 }).map((steps) => {
      // prompt_time and token_time grow with batch_tokens; one configuration per knot.
      const xs = [64, 128, 256, 512, 1024, 2048, 4096, 8192];
      let pt = 10;
      let tt = 5;
      return xs.map((x, i): Rep => {
        pt += steps[i] as number;
        tt += (steps[i] as number) / 10;
        return { group: 0, prompt: x / 8 >= 64 ? x / 8 : x, batch: x / 8 >= 64 ? 8 : 1, tokens: 16, pt, tt };
      });
    });
    await fc.assert(
      fc.asyncProperty(monotone, async (reps) => {
        const out = await run([csv(reps)], {
          methods: { prompt_time: method, token_time: method, peak_power: 'linear', average_power: 'linear' },
          extrapolate: everyMetric(extrapolate),
        });
        expect(fallingPairs(out)).toEqual([]);
        // and --strict agrees: it has nothing to refuse
        await run([csv(reps)], { methods: { prompt_time: method, token_time: method, peak_power: 'linear', average_power: 'linear' }, extrapolate: everyMetric(extrapolate), strict: true });
      }),
      { numRuns: 200 },
    );
  });

  it('turns any corruption of a valid file into a PerfDbError, never another exception', async () => {
    const valid = csv([
      { group: 0, prompt: 128, batch: 1, tokens: 16, pt: 10, tt: 5 },
      { group: 0, prompt: 256, batch: 1, tokens: 16, pt: 20, tt: 6 },
      { group: 0, prompt: 512, batch: 2, tokens: 128, pt: 80, tt: 7 },
    ]);
    const corruption = fc.oneof(
      // Replace a span with random text (any code points, including quotes, commas, NULs and newlines).
      fc.tuple(fc.nat(valid.length), fc.nat(12), fc.string({ unit: 'binary', maxLength: 12 })).map(([at, cut, text]) => valid.slice(0, at) + text + valid.slice(at + cut)),
      // Cut the file anywhere.
      fc.nat(valid.length).map((at) => valid.slice(0, at)),
      // Insert one of the characters that matter to CSV, many times.
      fc.tuple(fc.nat(valid.length), fc.constantFrom('"', ',', '\n', '\r', '\u0000', '\uFEFF', 'NaN', '-', 'e999'), fc.integer({ min: 1, max: 5 })).map(([at, s, k]) => valid.slice(0, at) + s.repeat(k) + valid.slice(at)),
    );
    await fc.assert(
      fc.asyncProperty(corruption, fc.constantFrom('error', 'skip') as fc.Arbitrary<'error' | 'skip'>, async (text, onInvalid) => {
        try {
          await run([text], { onInvalid });
        } catch (error) {
          if (!(error instanceof PerfDbError)) throw error;
          expect(error.format()).not.toContain('\n');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
