/**
 * Written chunks go back to the worker that filled them (ChunkPool), to be
 * filled again: the bytes must not depend on it, whatever the spare chunks
 * still hold, and a chunk goes back only once the sink says it is written.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitChecked } from '../pipeline/emit/checked.js';
import { ChunkPool } from '../pipeline/emit/chunk-pool.js';
import { ChunkWriter } from '../pipeline/emit/csv-out.js';
import { emitHere, emitInWorkers } from '../pipeline/emit/pool.js';
import type { ChunkOptions } from '../pipeline/emit/rows.js';
import type { EmitTask } from '../pipeline/emit/types.js';
import { aggregate } from '../pipeline/stages/aggregate.js';
import { dedupe } from '../pipeline/stages/dedupe.js';
import { emitTasks } from '../pipeline/stages/emit.js';
import { fit } from '../pipeline/stages/fit.js';
import { ingest } from '../pipeline/stages/ingest.js';
import { runOptions } from '../pipeline/options/defaults.js';
import type { Grid, Measurement } from '../pipeline/types.js';
import { realDataPath, source } from './helpers.js';

let rows: Measurement[];
beforeAll(async () => {
  const options = runOptions();
  rows = dedupe((await ingest([source(readFileSync(realDataPath(), 'utf8'), 'perf_model.csv')], options)).rows, options).rows;
});

function tasksFor(grid: Grid): EmitTask[] {
  const resolved = runOptions({ grid });
  const { plans, trust } = fit(rows, aggregate(rows), resolved);
  return emitTasks(plans, trust, resolved);
}

/** A task's bytes, copied chunk by chunk, and the buffers its chunks were written in. */
function collect(task: EmitTask, chunks: ChunkOptions = {}): { bytes: Buffer; buffers: ArrayBufferLike[] } {
  const parts: Buffer[] = [];
  const buffers: ArrayBufferLike[] = [];
  const emission = emitChecked(task, undefined, chunks);
  for (let step = emission.next(); !step.done; step = emission.next()) {
    parts.push(Buffer.from(step.value));
    buffers.push(step.value.buffer);
  }
  return { bytes: Buffer.concat(parts), buffers };
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('ChunkPool', () => {
  it('makes shared chunks where it is shared, and keeps only the kind it makes', () => {
    const shared = new ChunkPool(64, 4, true);
    expect(shared.fresh(100)?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.fresh(100)?.length).toBe(100);
    shared.give(new ArrayBuffer(64));
    expect(shared.take()).toBeUndefined();
    const mine = new SharedArrayBuffer(64);
    shared.give(mine);
    expect(shared.take()?.buffer).toBe(mine);
    // A writer on the shared pool makes every chunk in shared memory, from the smallest of its ramp on.
    const writer = new ChunkWriter(4096, 64, shared);
    const made: ArrayBufferLike[] = [];
    for (let i = 0; i < 4; i++) {
      while (!writer.full) writer.ascii('0123456789abcdef');
      made.push(writer.take().buffer);
    }
    expect(made.every((b) => b instanceof SharedArrayBuffer)).toBe(true);
    // Not shared: no chunk of its own, ordinary ones kept, shared ones not.
    const plain = new ChunkPool(64, 4);
    expect(plain.fresh(100)).toBeUndefined();
    plain.give(new SharedArrayBuffer(64));
    expect(plain.take()).toBeUndefined();
  });

  it('keeps only chunks of its size, at most as many as it may', () => {
    const pool = new ChunkPool(64, 2);
    pool.give(new ArrayBuffer(32));
    expect(pool.take()).toBeUndefined();
    const [a, b, c] = [new ArrayBuffer(64), new ArrayBuffer(64), new ArrayBuffer(64)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect([pool.take()?.buffer, pool.take()?.buffer, pool.take()]).toEqual([b, a, undefined]);
  });

  it('gives a writer its first chunk full-size, and every later full-size one, before any new one', () => {
    const pool = new ChunkPool(4096, 4);
    const spare = [new ArrayBuffer(4096), new ArrayBuffer(4096)];
    for (const buffer of spare) pool.give(buffer);
    const writer = new ChunkWriter(4096, 64, pool);
    const taken: ArrayBufferLike[] = [];
    for (let i = 0; i < 4; i++) {
      while (!writer.full) writer.ascii('0123456789abcdef');
      taken.push(writer.take().buffer);
    }
    expect(taken.slice(0, 2)).toEqual([spare[1], spare[0]]);
    expect(taken.every((b) => b.byteLength === 4096)).toBe(true);
    expect(new Set(taken).size).toBe(4);
  });

  it('never lets the spare chunks\' old bytes into the rows, on a grid whose points repeat their text', () => {
    const tasks = tasksFor({ prompts: range(1, 400, 3), batches: range(1, 16, 1), tokens: [1, 128, 300, 512] });
    const [first, second] = tasks as [EmitTask, EmitTask];
    // Spare chunks full of another group's rows, at the offsets this group's own would be repeated from.
    const stale = collect(second, { chunkBytes: 1 << 14 }).buffers.filter((b) => b.byteLength === 1 << 14);
    expect(stale.length).toBeGreaterThan(4);
    const pool = new ChunkPool(1 << 14, stale.length);
    for (const buffer of stale) pool.give(buffer as ArrayBuffer);
    const fresh = collect(first, { chunkBytes: 1 << 14 });
    const reused = collect(first, { chunkBytes: 1 << 14, spare: pool });
    expect(reused.buffers.slice(0, stale.length).every((b) => stale.includes(b))).toBe(true);
    expect(reused.bytes.equals(fresh.bytes)).toBe(true);
  });
});

describe('the end of a group or slice', () => {
  it('takes no spare chunk for a next chunk that will never be filled', () => {
    const [task] = tasksFor({ prompts: [100, 200], batches: [1, 2], tokens: [128] }) as [EmitTask];
    const pool = new ChunkPool(1 << 14, 4);
    const spare = [new ArrayBuffer(1 << 14), new ArrayBuffer(1 << 14)];
    for (const buffer of spare) pool.give(buffer);
    const { buffers } = collect(task, { chunkBytes: 1 << 14, spare: pool });
    // One chunk, from the spares; the other spare is still there.
    expect(buffers).toEqual([spare[1]]);
    expect([pool.take()?.buffer, pool.take()]).toEqual([spare[0], undefined]);
  });

  it('gives an unfilled spare-sized last chunk back, and keeps no smaller one', () => {
    const pool = new ChunkPool(4096, 4);
    const spare = new ArrayBuffer(4096);
    pool.give(spare);
    expect(new ChunkWriter(4096, 64, pool).finish()).toBeNull();
    expect(pool.take()?.buffer).toBe(spare);
    // Without a spare, the first chunk is the smallest of the ramp: not the pool's size, so not kept.
    const large = new ChunkPool(1 << 20, 4);
    expect(new ChunkWriter(1 << 20, 64, large).finish()).toBeNull();
    expect(large.take()).toBeUndefined();
    const written = new ChunkWriter(4096, 64, pool);
    written.ascii('abc');
    expect(new TextDecoder().decode(written.finish() ?? new Uint8Array())).toBe('abc');
    expect(pool.take()).toBeUndefined();
  });
});

describe('emitInWorkers with a sink that says when a chunk is written', () => {
  /** The bytes written, and per chunk its buffer's size when written and the chunk, to see later whether it went back. */
  async function run(tasks: readonly EmitTask[], workers: number, says: boolean) {
    const parts: Buffer[] = [];
    const chunks: { buffer: number; chunk: Uint8Array }[] = [];
    let pending: (() => void)[] = [];
    const sink = (chunk: string | Uint8Array, written?: () => void) => {
      parts.push(Buffer.from(chunk));
      if (typeof chunk !== 'string') chunks.push({ buffer: chunk.buffer.byteLength, chunk });
      if (says && written !== undefined) pending.push(written);
      // Written a moment later, as a file stream does.
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          for (const done of pending) done();
          pending = [];
          resolve();
        }),
      );
    };
    await emitInWorkers(tasks, workers, sink, () => undefined);
    return { bytes: Buffer.concat(parts), chunks };
  }

  it('gives the written chunks back, which the workers fill again, and writes the bytes of one thread', async () => {
    const tasks = tasksFor({ prompts: range(1, 4096, 2), batches: range(1, 32, 1), tokens: [128] }).slice(0, 4);
    const single: Buffer[] = [];
    await emitHere(tasks, (chunk) => void single.push(Buffer.from(chunk)), () => undefined);
    const [given, kept, one] = [await run(tasks, 2, true), await run(tasks, 2, false), await run(tasks, 1, true)];
    expect(given.bytes.equals(Buffer.concat(single))).toBe(true);
    expect(kept.bytes.equals(given.bytes)).toBe(true);
    expect(one.bytes.equals(given.bytes)).toBe(true);
    // The workers' chunks are shared memory, handed over and given back without a transfer: none is ever detached.
    for (const r of [given, kept, one]) {
      expect(r.chunks.every((c) => c.chunk.buffer instanceof SharedArrayBuffer)).toBe(true);
      expect(r.chunks.filter((c) => c.chunk.buffer.byteLength === 0)).toEqual([]);
    }
    // Filled again: a slice then starts on a full-size chunk, not on the smallest of a new writer's ramp of sizes.
    // With one worker, only the two slices it emits before any chunk is written start small.
    const starts = (r: typeof given) => r.chunks.filter((c) => c.buffer === 1 << 14).length;
    expect(starts(kept)).toBeGreaterThanOrEqual(12);
    expect(starts(one)).toBe(2);
    expect(starts(given)).toBeLessThan(starts(kept));
  });
});

describe('emitInWorkers with one worker going from group to group', () => {
  it('emits each slice with its own group, even where two groups share one fit', async () => {
    const grid: Grid = { prompts: range(16, 4096, 64), batches: [1, 2, 4, 8, 16, 32], tokens: range(1, 512, 16) };
    const [first] = tasksFor(grid) as [EmitTask];
    // The same group on another grid, as a second task: the same fit object, other sizes and rows.
    const other = { ...(tasksFor({ ...grid, tokens: [1, 7, 9] })[0] as EmitTask), fit: first.fit, index: 1 };
    const tasks = [first, other, { ...first, index: 2 }];
    const bytes = async (emit: (sink: (chunk: string | Uint8Array) => void) => Promise<unknown>) => {
      const parts: Buffer[] = [];
      await emit((chunk) => void parts.push(Buffer.from(chunk)));
      return Buffer.concat(parts);
    };
    const here = await bytes((sink) => emitHere(tasks, sink, () => undefined));
    for (const workers of [1, 2]) expect((await bytes((sink) => emitInWorkers(tasks, workers, sink, () => undefined))).equals(here)).toBe(true);
  });
});
