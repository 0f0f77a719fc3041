import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import type { IngestSource } from '../pipeline/stages/ingest.js';
import { DIP_RULE as ANOMALY_RULE } from '../pipeline/fit/exclusions.js';
import type { Grid, PipelineResult } from '../pipeline/types.js';
import type { RunOptions } from '../pipeline/options/types.js';
import { bestSuggestions, everySuggestion, measureNext } from '../pipeline/report/measure-next.js';
import { studiedBands } from '../pipeline/report/trust.js';
import { everyMetric, pipelineRun, realDataPath } from './helpers.js';
import { runOptions } from '../pipeline/options/defaults.js';
import { runPipeline } from '../pipeline/run.js';

const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time\n';

/**
 * One group m/h/tp=2 measured at prompts 100, 200, 400 x batches 1, 2, 4, 8, tokens 10:
 * prompt_time = batch_tokens / 10 and token_time = 1 + batch_tokens / 400, except that prompt_time
 * at batch 8 collapses to an eighth of batch 4's (the real data's tp=2 batch-64 collapse):
 *   (100, 8): 40 / 8 = 5,  (200, 8): 80 / 8 = 10,  (400, 8): 160 / 8 = 20.
 * Without those three, every knot lies on y = x / 10, so every method's leave-one-out error is 0
 * and auto keeps linear.
 */
function collapseCsv(model = 'm'): string {
  const lines: string[] = [];
  for (const p of [100, 200, 400]) {
    for (const b of [1, 2, 4, 8]) {
      const pt = b === 8 ? (p * 4) / 10 / 8 : (p * b) / 10;
      lines.push(`${model},h,2,${p},${b},10,${pt},${1 + (p * b) / 400}`);
    }
  }
  return HEADER + lines.join('\n') + '\n';
}

const sourceOf = (text: string, file = 'input.csv'): IngestSource => ({
  file,
  chunks: (async function* () {
    yield text;
  })(),
});

const MEASURED: Grid = Object.freeze({ prompts: null, batches: null, tokens: null });

async function run(texts: readonly string[], options: Partial<RunOptions> = {}): Promise<{ result: PipelineResult; bytes: Buffer }> {
  const chunks: Buffer[] = [];
  const result = await pipelineRun(
    texts.map((t, i) => sourceOf(t, `input-${i}.csv`)),
    { grid: MEASURED, onInvalid: 'error', strict: false, maxRows: 1_000_000, concurrency: 1, ...options },
    (chunk) => {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    },
  );
  return { result, bytes: Buffer.concat(chunks) };
}

async function failure(promise: Promise<unknown>): Promise<PerfDbError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
  throw new Error('expected a PerfDbError');
}

const AUTO = { prompt_time: 'auto', token_time: 'auto', peak_power: 'auto', average_power: 'auto' } as const;

describe('runPipeline() with excludeAnomalies and methods auto', () => {
  it('leaves the collapsed configurations out of the fit with the rule, and emits predictions for them', async () => {
    const { result, bytes } = await run([collapseCsv()], { excludeAnomalies: true, methods: AUTO });
    const [g] = result.groups;
    // drop = (40 - 5) / 40 = 87.5%, and the same for the other two
    const expected = [
      { prompt_size: 100, batch_size: 8, token_size: 10, rule: `prompt_time 5 ms is 87.5% below 40 ms at (prompt 100, batch 4, tokens 10); rule: ${ANOMALY_RULE}` },
      { prompt_size: 200, batch_size: 8, token_size: 10, rule: `prompt_time 10 ms is 87.5% below 80 ms at (prompt 200, batch 4, tokens 10); rule: ${ANOMALY_RULE}` },
      { prompt_size: 400, batch_size: 8, token_size: 10, rule: `prompt_time 20 ms is 87.5% below 160 ms at (prompt 400, batch 4, tokens 10); rule: ${ANOMALY_RULE}` },
    ];
    expect(g?.fit.excluded).toEqual(expected);
    expect(g?.emitted.replaced).toEqual(expected.map((e) => ({ ...e, rule: `left out of the fit: ${e.rule}` })));
    expect(g?.fit.fits.prompt_time?.knots.x).toEqual([100, 200, 400, 800, 1600]);
    expect(g?.fit.fits.prompt_time?.method).toBe('linear');
    // the replaced rows are predictions on the lines x / 10 and 1 + x / 400: (100, 8) at 800 inside, (400, 8) at 3200 beyond 1600
    const text = bytes.toString('utf8');
    expect(text).toContain('m,h,100,8,10,,,80,3,107,2,interpolated\n'); // e2e 80 + 9 * 3
    expect(text).toContain('m,h,400,8,10,,,320,9,401,2,extrapolated\n'); // 160 + 0.1 * 1600; 5 + 0.0025 * 1600; 320 + 9 * 9
    expect(g?.emitted.monotonicity.count).toBe(0);
    expect(g?.emitted.bySource).toEqual({ measured: 9, interpolated: 2, extrapolated: 1 });
  });

  it('keeps every configuration without the option', async () => {
    const { result } = await run([collapseCsv()], { methods: AUTO });
    const [g] = result.groups;
    expect(g?.fit.excluded).toEqual([]);
    expect(g?.emitted.replaced).toEqual([]);
    expect(g?.fit.fits.prompt_time?.knots.x).toEqual([100, 200, 400, 800, 1600, 3200]);
    expect(g?.measuredMonotonicity.count).toBe(3);
  });

  it('leaves out every dipping configuration, also beyond the first 20', async () => {
    // prompts 100..2500 at batches 1 and 2; prompt_time at batch 2 is 1 ms below batch 1's: 25 dips along batch_size
    const lines: string[] = [];
    for (let p = 100; p <= 2500; p += 100) {
      lines.push(`m,h,1,${p},1,10,${p / 10},1`);
      lines.push(`m,h,1,${p},2,10,${p / 10 - 1},1`);
    }
    const { result } = await run([HEADER + lines.join('\n') + '\n'], { excludeAnomalies: true });
    const [g] = result.groups;
    expect(g?.measuredMonotonicity.count).toBe(25);
    expect(g?.fit.excluded).toHaveLength(25);
  });
});

describe('runPipeline() extrapolation limits', () => {
  it('throws E_EXTRAPOLATION with extrapolate error and a grid point outside the range', async () => {
    // range 100..3200; prompt 50 at batch 1 is 50
    const error = await failure(run([collapseCsv()], { extrapolate: everyMetric('error'), grid: { prompts: [50, 100], batches: [1], tokens: [10] } }));
    expect(error.code).toBe('E_EXTRAPOLATION');
    expect(error.message).toContain('(prompt 50, batch 1) has batch_tokens 50, outside the measured range 100..3200');
    expect(error.place.group).toBe('m/h/tp=2');
  });

  it('accepts extrapolate error when every grid point is inside', async () => {
    const { result } = await run([collapseCsv()], { extrapolate: everyMetric('error'), grid: { prompts: [100, 400], batches: [1, 8], tokens: [10] } });
    expect(result.groups[0]?.emitted.bySource.extrapolated).toBe(0);
  });

  it('throws E_TOO_FAR beyond maxExtrapolation with the error action', async () => {
    // (400, 32): 12800 / 3200 = 4 > 2
    const error = await failure(run([collapseCsv()], { maxExtrapolation: { factor: 2, action: 'error' }, grid: { prompts: [100, 400], batches: [1, 8, 32], tokens: [10] } }));
    expect(error.code).toBe('E_TOO_FAR');
    expect(error.message).toContain('(prompt 400, batch 32) has batch_tokens 12800, 4.00 times beyond the measured range 100..3200; --max-extrapolation is 2');
  });

  it('skips and counts the rows beyond maxExtrapolation with the skip action', async () => {
    const grid: Grid = { prompts: [100, 400], batches: [1, 8, 32], tokens: [10, 20] };
    const { result, bytes } = await run([collapseCsv()], { maxExtrapolation: { factor: 2, action: 'skip' }, grid });
    const g = result.groups[0];
    // only (400, 32) is beyond 2 x 3200 (100 x 32 = 3200 is the end itself), for both tokens
    expect(g?.emitted.skippedBeyondMax).toBe(2);
    // the grid's 2 * 3 * 2 = 12 points plus the 8 measured configurations off it (prompt 200; batches 2, 4)
    expect(result.rows).toBe(12 + 8 - 2);
    expect(bytes.toString('utf8')).not.toMatch(/^m,h,400,32,/m);
  });
});

describe('runPipeline() maxRows', () => {
  it('throws E_TOO_MANY_ROWS naming the count', async () => {
    // prompts 1..100 x batches 1..20 x tokens 10 = 2000, plus the measured configurations off it: prompts 200 and 400 (8)
    const grid: Grid = { prompts: Array.from({ length: 100 }, (_, i) => i + 1), batches: Array.from({ length: 20 }, (_, i) => i + 1), tokens: [10] };
    const error = await failure(run([collapseCsv()], { grid, maxRows: 2007 }));
    expect(error.code).toBe('E_TOO_MANY_ROWS');
    expect(error.message).toBe('the grid would emit 2,008 rows, more than --max-rows 2,007');
    expect(error.hint).toContain('--max-rows 2008');
  });

  it('refuses before the fit: no group is fitted, charted or weighed for what to measure next, nothing is written', async () => {
    // 2^20 prompts x 2^20 batches x one token: 2^40 rows (every measured configuration is on the grid), and as many (prompt, batch) pairs to index
    const grid: Grid = { prompts: Array.from({ length: 1 << 20 }, (_, i) => i + 1), batches: Array.from({ length: 1 << 20 }, (_, i) => i + 1), tokens: [10] };
    let fitted = 0;
    let written = 0;
    const sources = [sourceOf(collapseCsv())];
    const error = await failure(runPipeline(sources, runOptions({ grid, maxRows: 1_000_000, concurrency: 1 }), () => void written++, { onFitted: () => void fitted++ }));
    expect(error.code).toBe('E_TOO_MANY_ROWS');
    expect(error.message).toBe(`the grid would emit ${(2 ** 40).toLocaleString('en-US')} rows, more than --max-rows 1,000,000`);
    expect([fitted, written]).toEqual([0, 0]);
  });

  it('accepts exactly maxRows', async () => {
    const { result } = await run([collapseCsv()], { maxRows: 12 });
    expect(result.rows).toBe(12);
  });
});

describe('runPipeline() concurrency', () => {
  it('writes the same bytes with 1 and 2 workers on a grid large enough for worker threads', async () => {
    // two groups x 12500 prompts x 5 batches x 4 tokens = 500,000 rows, the threshold for workers
    const grid: Grid = { prompts: Array.from({ length: 12500 }, (_, i) => i + 1), batches: [1, 2, 4, 8, 16], tokens: [10, 100, 1000, 2000] };
    const texts = [collapseCsv('b'), collapseCsv('a')];
    const one = await run(texts, { grid, concurrency: 1 });
    const two = await run(texts, { grid, concurrency: 2 });
    expect(two.result.timings.map((t) => t[0])).toContain('emit + validate + write (2 workers)'); // the threaded path was taken
    expect(one.result.rows).toBe(500_000);
    expect(two.bytes.length).toBe(one.bytes.length);
    expect(two.bytes.equals(one.bytes)).toBe(true);
    expect(two.result.groups.map((g) => g.emitted)).toEqual(one.result.groups.map((g) => g.emitted));
  });
});

describe('runPipeline() next measurements', () => {
  it('works out while the rows are emitted the very suggestions the report would work out after them', async () => {
    const file = realDataPath();
    const grid: Grid = { prompts: Array.from({ length: 64 }, (_, i) => 128 * (i + 1)), batches: null, tokens: null };
    const result = await pipelineRun([{ file, chunks: createReadStream(file) }], { grid }, () => undefined);
    const bands = studiedBands(result.trust);
    expect(result.suggestions).toEqual([...everySuggestion(result.groups, grid, bands)].flat());
    // Some of every group's candidates, and the report's pick from them that of the whole computation after the rows.
    expect(new Set(result.suggestions?.map((s) => s.group)).size).toBe(result.groups.length);
    const familyOf = result.trust.metrics.prompt_time?.familyOf ?? {};
    expect(bestSuggestions(result.suggestions ?? [], familyOf)).toEqual(measureNext(result.groups, grid, bands, familyOf));
    expect(measureNext(result.groups, grid, bands, familyOf).length).toBeGreaterThan(0);
  });
});
