/**
 * Worker threads emit groups in slices of prompt sizes (emit/slices.ts); the
 * writer concatenates their bytes and merges their summaries. Both must be
 * exactly what emitting each group in one piece gives, for any cut: the
 * monotonicity check seeds each slice with the rows it compares across the
 * cut, including measured configurations off the grid and rows skipped
 * beyond --max-extrapolation.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitChecked } from '../pipeline/emit/checked.js';
import { mergeSummaries, sliceTasks } from '../pipeline/emit/slices.js';
import type { EmitSummary, EmitTask } from '../pipeline/emit/types.js';
import { aggregate } from '../pipeline/stages/aggregate.js';
import { dedupe } from '../pipeline/stages/dedupe.js';
import { emitTasks } from '../pipeline/stages/emit.js';
import { fit } from '../pipeline/stages/fit.js';
import { ingest } from '../pipeline/stages/ingest.js';
import { runOptions } from '../pipeline/options/defaults.js';
import type { RunOptions } from '../pipeline/options/types.js';
import type { Grid, Measurement } from '../pipeline/types.js';
import { realDataPath, source } from './helpers.js';

let rows: Measurement[];
beforeAll(async () => {
  const options = runOptions();
  rows = dedupe((await ingest([source(readFileSync(realDataPath(), 'utf8'), 'perf_model.csv')], options)).rows, options).rows;
});

function tasksFor(options: Partial<RunOptions>): EmitTask[] {
  const resolved = runOptions(options);
  const { plans, trust } = fit(rows, aggregate(rows), resolved);
  return emitTasks(plans, trust, resolved);
}

function collect(task: EmitTask): { bytes: Buffer; summary: EmitSummary } {
  const chunks: Uint8Array[] = [];
  const emission = emitChecked(task);
  let step = emission.next();
  for (; !step.done; step = emission.next()) chunks.push(step.value.slice());
  return { bytes: Buffer.concat(chunks), summary: step.value };
}

/** The groups emitted slice by slice, concatenated and merged per group. */
function sliced(tasks: readonly EmitTask[], sliceRows: number): { bytes: Buffer; summaries: EmitSummary[]; slices: number } {
  const slices = sliceTasks(tasks, sliceRows);
  const parts = slices.map(collect);
  const summaries = tasks.map((t) => mergeSummaries(parts.filter((_, i) => slices[i]?.index === t.index).map((p) => p.summary)));
  return { bytes: Buffer.concat(parts.map((p) => p.bytes)), summaries, slices: slices.length };
}

function whole(tasks: readonly EmitTask[]): { bytes: Buffer; summaries: EmitSummary[] } {
  const parts = tasks.map(collect);
  return { bytes: Buffer.concat(parts.map((p) => p.bytes)), summaries: parts.map((p) => p.summary) };
}

// Prompts that step over the measured ones (128, 256, ... are off this grid), a batch and a token size off the measured ones.
const PROMPTS = [1, 100, 300, 700, 1000, 2000, 3000, 5000, 9000];
const ODD: Grid = { prompts: PROMPTS, batches: [1, 3, 8, 40], tokens: [1, 300] };

describe('sliceTasks() and mergeSummaries()', () => {
  it.each([
    ['the default options', {}],
    ['--uncertainty --exclude-anomalies', { uncertainty: true, excludeAnomalies: true }],
    ['--max-extrapolation 2 with skip', { maxExtrapolation: { factor: 2, action: 'skip' as const } }],
    ['--extrapolate linear', { extrapolate: { prompt_time: 'linear' as const, token_time: 'linear' as const, peak_power: 'linear' as const, average_power: 'linear' as const } }],
  ])('give the bytes and summaries of whole groups for any slice size, with %s', (_name, extra) => {
    const tasks = tasksFor({ grid: ODD, ...extra });
    const reference = whole(tasks);
    // The violations across a cut are what a wrong seed would lose: the real data has some.
    expect(reference.summaries.reduce((n, s) => n + s.monotonicity.count, 0)).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (sliceRows) => {
        const got = sliced(tasks, sliceRows);
        expect(got.slices).toBeGreaterThan(tasks.length);
        expect(got.bytes.equals(reference.bytes)).toBe(true);
        expect(got.summaries).toEqual(reference.summaries);
        // The merged summary serialises as the whole one, field for field.
        expect(JSON.stringify(got.summaries)).toBe(JSON.stringify(reference.summaries));
      }),
      { numRuns: 12, seed: 20261201 },
    );
  });

  it('cuts only between prompt sizes, every prompt in exactly one slice, in order', () => {
    const tasks = tasksFor({ grid: ODD });
    const slices = sliceTasks(tasks, 50);
    for (const task of tasks) {
      const own = slices.filter((s) => s.index === task.index).map((s) => s.slice as [number, number]);
      expect(own[0]?.[0]).toBe(0);
      own.forEach(([from, to], i) => {
        expect(to).toBeGreaterThan(from);
        if (i > 0) expect(from).toBe(own[i - 1]?.[1]);
      });
      // 9 grid prompts and the measured ones off the grid.
      expect(own.at(-1)?.[1]).toBe(new Set([...PROMPTS, ...task.configurations.map((c) => c.prompt_size)]).size);
    }
  });

  it('mergeSummaries() keeps the first point of the largest factor and the first clamp, as one pass does', () => {
    const tasks = tasksFor({ grid: ODD });
    const base = whole(tasks).summaries[0] as EmitSummary;
    const at = (factor: number, prompt_size: number, first: number | null): EmitSummary => ({
      ...base,
      maxExtrapolation: { factor, prompt_size, batch_size: 1 },
      clamped: { ...base.clamped, token_time: { points: 1, rows: 2, first: first === null ? null : { prompt_size: first, batch_size: 1, linear: -1, clampedTo: 1 } } },
    });
    const merged = mergeSummaries([at(2, 100, null), at(3, 200, 7), at(3, 300, 8), at(1.5, 400, 9)]);
    expect(merged.maxExtrapolation).toEqual({ factor: 3, prompt_size: 200, batch_size: 1 });
    expect(merged.clamped.token_time).toEqual({ points: 4, rows: 8, first: { prompt_size: 7, batch_size: 1, linear: -1, clampedTo: 1 } });
    expect(merged.rows).toBe(4 * base.rows);
  });
});
