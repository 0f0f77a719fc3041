import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../pipeline/stages/aggregate.js';
import { countRows, resolveGrid } from '../pipeline/core/grid.js';
import type { Configuration, GroupFit, Grid, Measurement, Metrics } from '../pipeline/types.js';
import type { EmitSummary } from '../pipeline/emit/types.js';
import { deepFreeze, emitRows, fitGroups, row } from './helpers.js';

/**
 * One group, knots at batch_tokens 128, 256, 512 with dyadic values, so every
 * prediction below is exact in binary and can be written down by hand:
 *   prompt_time   16, 32, 64      slope 1/8 on both segments
 *   token_time     2,  3,  4      slopes 1/128, 1/256
 *   peak_power   0.5, 0.75, 1     slopes 1/512, 1/1024
 *   average_power 0.25, 0.5, 0.75
 * (128, 1, 16) is measured twice (prompt_time 15 and 17: median 16, e2e 46 and 48: 47).
 */
function measurement(model: string, p: number, b: number, t: number, m: Partial<Metrics>): Measurement {
  return row({ model, hardware: 'h', tensor_parallel: 2, prompt_size: p, batch_size: b, token_size: t, metrics: m });
}
function groupRows(model: string): Measurement[] {
  return [
    measurement(model, 128, 1, 16, { prompt_time: 15, token_time: 2, e2e_time: 46, peak_power: 0.5, average_power: 0.25 }),
    measurement(model, 128, 1, 16, { prompt_time: 17, token_time: 2, e2e_time: 48, peak_power: 0.5, average_power: 0.25 }),
    measurement(model, 256, 1, 16, { prompt_time: 32, token_time: 3, e2e_time: 78, peak_power: 0.75, average_power: 0.5 }),
    measurement(model, 512, 1, 16, { prompt_time: 64, token_time: 4, e2e_time: 125, peak_power: 1, average_power: 0.75 }),
    // off the token grid; e2e 175 is not 32 + 47 * 3 = 173, so the measured median must be the one emitted
    measurement(model, 256, 1, 48, { prompt_time: 32, token_time: 3, e2e_time: 175, peak_power: 0.75, average_power: 0.5 }),
  ];
}

function prepare(rows: Measurement[]): { group: GroupFit; measured: Configuration[] } {
  const [group] = fitGroups(rows);
  if (group === undefined) throw new Error('no group');
  return deepFreeze({ group, measured: aggregate(rows) });
}

/** Chunks as text: emitGroup yields UTF-8 bytes (strings were its first chunk type, and are read too). */
function decode(chunks: readonly (string | Uint8Array)[]): string {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))).toString('utf8');
}

function run(group: GroupFit, measured: readonly Configuration[], grid: Grid, chunkBytes?: number) {
  const chunks: (string | Uint8Array)[] = [];
  const generator = emitRows(group, measured, grid, chunkBytes === undefined ? {} : { chunkBytes });
  let step = generator.next();
  while (!step.done) {
    chunks.push(step.value);
    step = generator.next();
  }
  return { text: decode(chunks), chunks, summary: step.value as unknown as EmitSummary };
}

/** from, from + 1, ..., to: a wide prompt grid. */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const GRID: Grid = deepFreeze({ prompts: [64, 128, 384], batches: [1, 2], tokens: [16, 32] });

// prompt, batch, token, peak, average, prompt_time, token_time, e2e_time, source; by hand from the knots above
const EXPECTED: (number | string)[][] = [
  [64, 1, 16, 0.375, 0.125, 8, 1.5, 30.5, 'extrapolated'], // bt 64: 16 - 64/8; e2e 8 + 15 * 1.5
  [64, 1, 32, 0.375, 0.125, 8, 1.5, 54.5, 'extrapolated'], // 8 + 31 * 1.5
  [64, 2, 16, 0.5, 0.25, 16, 2, 46, 'interpolated'], // bt 128, the first knot: inside
  [64, 2, 32, 0.5, 0.25, 16, 2, 78, 'interpolated'],
  [128, 1, 16, 0.5, 0.25, 16, 2, 47, 'measured'], // medians of the two repetitions
  [128, 1, 32, 0.5, 0.25, 16, 2, 78, 'interpolated'],
  [128, 2, 16, 0.75, 0.5, 32, 3, 77, 'interpolated'], // bt 256, a knot
  [128, 2, 32, 0.75, 0.5, 32, 3, 125, 'interpolated'],
  [256, 1, 16, 0.75, 0.5, 32, 3, 78, 'measured'], // prompt 256 is off the grid
  [256, 1, 48, 0.75, 0.5, 32, 3, 175, 'measured'], // token 48 is off the grid
  [384, 1, 16, 0.875, 0.625, 48, 3.5, 100.5, 'interpolated'], // bt 384: 32 + 128/8; 3 + 128/256
  [384, 1, 32, 0.875, 0.625, 48, 3.5, 156.5, 'interpolated'],
  [384, 2, 16, 1.25, 1, 96, 5, 171, 'extrapolated'], // bt 768: 32 + 512/8; 3 + 512/256; e2e 96 + 15 * 5
  [384, 2, 32, 1.25, 1, 96, 5, 251, 'extrapolated'],
  [512, 1, 16, 1, 0.75, 64, 4, 125, 'measured'],
];

/** The expected lines through csv-stringify, which the emitter must match byte for byte. */
function expectedCsv(model: string, hardware: string, tp: number, rows: (number | string | null)[][]): string {
  return stringify(rows.map(([p, b, t, peak, avg, pt, tt, e2e, source]) => [model, hardware, p, b, t, peak, avg, pt, tt, e2e, tp, source]));
}

describe('emitGroup()', () => {
  const { group, measured } = prepare(groupRows('m'));
  const { text: emitted, chunks, summary } = run(group, measured, GRID);
  const lines = emitted.split('\n').slice(0, -1);

  it('emits the grid plus the off-grid measured configurations, with hand-computed values', () => {
    expect(emitted).toBe(expectedCsv('m', 'h', 2, EXPECTED));
  });

  it('emits every measured configuration exactly once, with its medians and source measured', () => {
    for (const c of measured) {
      const key = `m,h,${c.prompt_size},${c.batch_size},${c.token_size},`;
      const matching = lines.filter((l) => l.startsWith(key));
      expect(matching, key).toHaveLength(1);
      expect(matching[0]).toBe(
        `${key}${c.metrics.peak_power?.median},${c.metrics.average_power?.median},${c.metrics.prompt_time?.median},${c.metrics.token_time?.median},${c.metrics.e2e_time?.median},2,measured`,
      );
    }
  });

  it('sorts rows by prompt, batch, token', () => {
    const keys = lines.map((l) => l.split(',').slice(2, 5).map(Number) as [number, number, number]);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect(keys).toEqual(sorted);
    expect(new Set(keys.map((k) => k.join())).size).toBe(keys.length);
  });

  it('derives e2e_time = prompt_time + (token_size - 1) * token_time for predicted rows', () => {
    for (const l of lines.filter((l) => !l.endsWith('measured'))) {
      const f = l.split(',');
      expect(Number(f[9])).toBe(Number(f[7]) + (Number(f[4]) - 1) * Number(f[8]));
    }
  });

  it('counts rows by source and the largest extrapolation', () => {
    expect(summary.group).toBe('m/h/tp=2');
    expect(summary.rows).toBe(15);
    expect(summary.bySource).toEqual({ measured: 4, interpolated: 7, extrapolated: 4 });
    // bt 64 is 128/64 = 2 below the range; bt 768 is 768/512 = 1.5 above it
    expect(summary.maxExtrapolation).toEqual({ factor: 2, prompt_size: 64, batch_size: 1 });
    for (const clamp of Object.values(summary.clamped)) expect(clamp).toEqual({ points: 0, rows: 0, first: null });
  });

  it('countRows() equals the number of lines emitted', () => {
    expect(countRows(GRID, measured)).toBe(lines.length);
    expect(lines.length).toBe(EXPECTED.length);
  });

  it('gives the same text for any chunk size, never splitting a row', () => {
    const wide: Grid = { prompts: range(1, 3000), batches: [1, 2], tokens: [16, 32] };
    const large = run(group, measured, wide);
    // The default chunks start at 16 KiB and double: a few of them, growing, for these 12,000 rows.
    const sizes = large.chunks.map((c) => (typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength));
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.length).toBeLessThanOrEqual(8);
    expect(sizes[0]).toBeLessThanOrEqual(16_384);
    for (let i = 1; i < sizes.length - 1; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1] as number);
    for (const chunkBytes of [1, 4096, 65_536]) {
      const small = run(group, measured, wide, chunkBytes);
      expect(small.text).toBe(large.text);
      expect(small.summary).toEqual(large.summary);
      expect(small.chunks.length).toBeGreaterThan(1);
      for (const chunk of small.chunks) expect(decode([chunk]).endsWith('\n')).toBe(true);
    }
    expect(run(group, measured, GRID, 1).text).toBe(decode(chunks));
  });

  it('yields no chunk larger than chunkBytes', () => {
    const wide: Grid = { prompts: range(1, 3000), batches: [1, 2], tokens: [16, 32] };
    for (const chunk of run(group, measured, wide, 65_536).chunks) {
      expect(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength).toBeLessThanOrEqual(65_536);
    }
  });

  it('raises a small chunkBytes to hold at least four rows, and never splits a row', () => {
    const wide: Grid = { prompts: range(1, 300), batches: [1, 2], tokens: [16, 32] };
    const chunks = run(group, measured, wide, 1_000).chunks.map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c)));
    // The floor is 4 row bounds, 4 * (name bytes + 512) = 2,064 bytes here.
    for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(2_064);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.split('\n').length - 1).toBeGreaterThanOrEqual(4);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('reports every emitted row to onRow, in output order', () => {
    const seen: (number | boolean)[][] = [];
    const generator = emitRows(group, measured, GRID, { onRow: (...args) => void seen.push(args) });
    for (let step = generator.next(); !step.done; step = generator.next());
    expect(seen).toEqual(EXPECTED.map(([p, b, t, , , pt, tt, e2e, source]) => [p, b, t, pt, tt, e2e, source === 'extrapolated']));
  });

  it('emits the measured sizes where the grid leaves a dimension open', () => {
    const open: Grid = { prompts: null, batches: null, tokens: null };
    expect(resolveGrid(open, measured)).toEqual({ prompts: [128, 256, 512], batches: [1], tokens: [16, 48] });
    const { text: measuredOnly, summary: s } = run(group, measured, open);
    // (128, 1, 48) and (512, 1, 48) are predicted at the knots; the rest are measured
    expect(measuredOnly).toBe(
      expectedCsv('m', 'h', 2, [
        [128, 1, 16, 0.5, 0.25, 16, 2, 47, 'measured'],
        [128, 1, 48, 0.5, 0.25, 16, 2, 110, 'interpolated'],
        [256, 1, 16, 0.75, 0.5, 32, 3, 78, 'measured'],
        [256, 1, 48, 0.75, 0.5, 32, 3, 175, 'measured'],
        [512, 1, 16, 1, 0.75, 64, 4, 125, 'measured'],
        [512, 1, 48, 1, 0.75, 64, 4, 252, 'interpolated'], // 64 + 47 * 4
      ]),
    );
    expect(s.rows).toBe(countRows(open, measured));
  });

  it('quotes a name holding a comma or a quote the way csv-stringify does', () => {
    const model = 'a,"b"';
    const hardware = 'h w';
    const rows = groupRows(model).map((r) => ({ ...r, hardware }));
    const named = prepare(rows);
    const { text: quoted } = run(named.group, named.measured, GRID);
    expect(quoted).toBe(expectedCsv(model, hardware, 2, EXPECTED));
    expect(quoted.startsWith('"a,""b""",h w,64,1,16,')).toBe(true);
  });

  it('writes non-ASCII names as UTF-8', () => {
    const model = 'modèle-ü';
    const hardware = 'h100,«pcap»';
    const named = prepare(groupRows(model).map((r) => ({ ...r, hardware })));
    const { text: written } = run(named.group, named.measured, GRID);
    expect(written).toBe(expectedCsv(model, hardware, 2, EXPECTED));
    expect(written.startsWith('modèle-ü,"h100,«pcap»",64,1,16,')).toBe(true);
  });

  it('does not modify its input', () => {
    const copy = structuredClone({ group, measured });
    run(group, measured, GRID);
    expect({ group, measured }).toEqual(copy);
  });
});

describe('emitGroup() clamping', () => {
  // prompt_time 10 at bt 128, 40 at bt 256 (slope 30/128): at bt 64 the line gives 10 - 15 = -5.
  // token_time 2 at bt 128, 1 at bt 256 (slope -1/128): at bt 1024 the line gives 1 - 6 = -5.
  // No power and no e2e_time columns: those cells stay empty.
  const rows = [
    row({ prompt_size: 128, token_size: 16, metrics: { prompt_time: 10, token_time: 2 } }),
    row({ prompt_size: 256, token_size: 16, metrics: { prompt_time: 40, token_time: 1 } }),
  ];
  const { group, measured } = prepare(rows);
  const grid: Grid = { prompts: [64, 1024], batches: [1], tokens: [16, 32] };
  const { text: emitted, summary } = run(group, measured, grid);

  it('sets a time extrapolated to <= 0 to the nearest end value and counts it', () => {
    expect(emitted).toBe(
      expectedCsv('m', 'h', 1, [
        // prompt_time clamped to the low end's 10; token_time 2 + 64/128 = 2.5; e2e 10 + 15 * 2.5
        [64, 1, 16, null, null, 10, 2.5, 47.5, 'extrapolated'],
        [64, 1, 32, null, null, 10, 2.5, 87.5, 'extrapolated'],
        [128, 1, 16, null, null, 10, 2, null, 'measured'],
        [256, 1, 16, null, null, 40, 1, null, 'measured'],
        // prompt_time 40 + 768 * 30/128 = 220; token_time clamped to the high end's 1; e2e 220 + 15 * 1
        [1024, 1, 16, null, null, 220, 1, 235, 'extrapolated'],
        [1024, 1, 32, null, null, 220, 1, 251, 'extrapolated'],
      ]),
    );
    expect(summary.clamped.prompt_time).toEqual({ points: 1, rows: 2, first: { prompt_size: 64, batch_size: 1, linear: -5, clampedTo: 10 } });
    expect(summary.clamped.token_time).toEqual({ points: 1, rows: 2, first: { prompt_size: 1024, batch_size: 1, linear: -5, clampedTo: 1 } });
    expect(summary.clamped.peak_power).toEqual({ points: 0, rows: 0, first: null });
  });

  it('writes empty cells for metrics absent from the input', () => {
    expect(emitted.split('\n')[2]).toBe('m,h,128,1,16,,,10,2,,1,measured');
  });
});

describe('emitGroup() text shared between rows', () => {
  /**
   * A group with a decode model: token_time = 1 + B / 10 + B (P + T/2) / 1000,
   * prompt_time = 2 + P B / 100, at prompts 128..512, batches 1..4, tokens 16
   * and 64. Beyond the range, the model tail makes token_time change with the
   * token size within a point, so rows of one point share some text and not
   * the rest.
   */
  const rows: Measurement[] = [];
  for (const p of [128, 256, 512]) {
    for (const b of [1, 2, 4]) {
      for (const t of [16, 64]) {
        const [pt, tt] = [2 + (p * b) / 100, 1 + b / 10 + (b * (p + t / 2)) / 1000];
        rows.push(measurement('dm', p, b, t, { prompt_time: pt, token_time: tt, e2e_time: pt + (t - 1) * tt, peak_power: 0.5, average_power: 0.25 }));
      }
    }
  }
  const { group, measured } = prepare(rows);
  const grid: Grid = { prompts: range(1, 700).filter((p) => p % 7 === 0 || p < 20), batches: [1, 3, 4, 9], tokens: [16, 17, 1000] };

  function collect(extrapolate: 'linear' | 'model', chunkBytes: number | undefined, reuseChunks: boolean) {
    const values: string[] = [];
    const decoder = new TextDecoder();
    let text = '';
    const onRow = (p: number, b: number, t: number, pt: number, tt: number, e2e: number) => void values.push(`${p},${b},${t},${pt},${tt},${e2e}`);
    const generator = emitRows(group, measured, grid, { extrapolate, onRow, reuseChunks, ...(chunkBytes === undefined ? {} : { chunkBytes }) });
    // A reused chunk is overwritten by the next rows: it is decoded before the next is asked for.
    for (let step = generator.next(); !step.done; step = generator.next()) text += decoder.decode(step.value, { stream: true });
    return { text: text + decoder.decode(), values };
  }

  it.each(['linear', 'model'] as const)('gives every row its own values, whatever the chunks (%s tails)', (extrapolate) => {
    const whole = collect(extrapolate, undefined, false);
    const lines = whole.text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(whole.values.length);
    // Each row's sizes and times are the values the row observer saw, as toString writes them.
    lines.forEach((line, i) => {
      const c = line.split(',');
      expect([c[2], c[3], c[4], c[7], c[8], c[9]].join(',')).toBe(whole.values[i]);
      expect(c.slice(0, 2).concat(c.slice(5, 7), c.slice(10, 11))).toEqual(['dm', 'h', '0.5', '0.25', '2']);
    });
    if (extrapolate === 'model') {
      // The case the test is for: some point's token_time differs between its token sizes.
      const byPoint = new Map<string, Set<string>>();
      for (const v of whole.values) {
        const [p, b, , , tt] = v.split(',');
        const key = `${p},${b}`;
        byPoint.set(key, (byPoint.get(key) ?? new Set()).add(tt as string));
      }
      expect([...byPoint.values()].some((s) => s.size > 1)).toBe(true);
    }
    // Chunks of four rows or so, taken in the middle of points, fresh or the same buffer again: the same bytes.
    for (const chunkBytes of [1, 3_000, 50_000]) {
      for (const reuse of [false, true]) expect(collect(extrapolate, chunkBytes, reuse).text).toBe(whole.text);
    }
  });
});
