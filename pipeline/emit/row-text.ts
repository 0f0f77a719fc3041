/**
 * The text of perf_db.csv's rows, written into a ChunkWriter: a measured row
 * from its medians, a predicted row from its point, repeating what it shares
 * with the row before it.
 */
import { formatError, measuredError } from '../fit/uncertainty.js';
import type { Configuration, GroupFit, Source } from '../types.js';
import { formatNumber, quoteCells, type ChunkWriter } from './csv-out.js';
import type { PointRows } from './point.js';
import type { EmitTask } from './types.js';

/**
 * Where the parts of the last predicted row lie in the chunk being filled.
 * The next row of the same point repeats them (ChunkWriter.repeat) instead of
 * writing them again: only token_size and e2e_time are new.
 */
export class LastRow {
  /** The chunk (ChunkWriter.generation) the offsets are in; -1 before the group's first predicted row. */
  generation = -1;
  /** The point (PointRows.serial) and the version of its values the row was written with. */
  serial = -1;
  version = -1;
  /** The row's first byte; lead and sizes take `sized` bytes from there. */
  start = 0;
  sized = 0;
  /** `peak,avg,prompt,token,`: between token_size's comma and e2e_time; `peak,avg,prompt,` is its head. */
  middle = 0;
  middleLength = 0;
  headLength = 0;
  /** The values the head was written with. */
  peak: number | null = null;
  average: number | null = null;
  prompt = NaN;
  /** After e2e_time, to the line's end, and its text. */
  tail = 0;
  tailLength = 0;
  tailText = '';
  /** Where each value between token_size and e2e_time was last written. */
  readonly numbers = { peak: new RepeatedNumber(), average: new RepeatedNumber(), prompt: new RepeatedNumber(), token: new RepeatedNumber() };
}

/**
 * A predicted row: the group's names, the sizes, the point's cached text
 * around e2e_time, which depends on the token size. What the row shares with
 * the last one (the names always, the sizes, the values' text and the tail
 * within a point) is copied from it when it lies in the same chunk.
 */
export function writePredicted(out: ChunkWriter, last: LastRow, lead: Uint8Array, predicted: PointRows, p: number, b: number, t: number): number {
  const e2e = predicted.promptTime + (t - 1) * predicted.tokenTime;
  const sameChunk = last.generation === out.generation;
  const samePoint = sameChunk && last.serial === predicted.serial;
  const start = out.length;
  if (samePoint) out.repeat(last.start, last.sized);
  else {
    if (sameChunk) out.repeat(last.start, lead.length);
    else out.bytes(lead);
    out.integer(p);
    out.integer(b);
  }
  const sized = out.length - start;
  out.integer(t);
  const middle = out.length;
  const { numbers } = last;
  if (samePoint && last.version === predicted.version) out.repeat(last.middle, last.middleLength);
  else {
    // A decode-model tail changes only token_time from row to row: the head is then one copy.
    if (sameChunk && predicted.promptTime === last.prompt && predicted.peak === last.peak && predicted.average === last.average) out.repeat(last.middle, last.headLength);
    else {
      numbers.peak.write(out, predicted.peak);
      out.comma();
      numbers.average.write(out, predicted.average);
      out.comma();
      numbers.prompt.write(out, predicted.promptTime);
      out.comma();
      last.peak = predicted.peak;
      last.average = predicted.average;
      last.prompt = predicted.promptTime;
    }
    last.headLength = out.length - middle;
    numbers.token.write(out, predicted.tokenTime);
    out.comma();
  }
  const middleLength = out.length - middle;
  out.number(e2e);
  const tail = out.length;
  // The tail is the same for most points (their source's): copied, unless it holds the point's own err cells.
  if (samePoint || (sameChunk && predicted.tail === last.tailText)) out.repeat(last.tail, last.tailLength);
  else out.ascii(predicted.tail);
  last.tailText = predicted.tail;
  last.generation = out.generation;
  last.serial = predicted.serial;
  last.version = predicted.version;
  last.start = start;
  last.sized = sized;
  last.middle = middle;
  last.middleLength = middleLength;
  last.tail = tail;
  last.tailLength = out.length - tail;
  return e2e;
}

export interface RowFormat {
  /** `model,hardware,` as UTF-8, quoted once for the group. */
  lead: Uint8Array;
  /** `,tp,source` after e2e_time, per source. */
  tails: Record<Source, string>;
  errors: EmitTask['errors'];
}

export function rowFormat(fit: GroupFit, errors: EmitTask['errors']): RowFormat {
  const [model, hardware] = quoteCells([fit.model, fit.hardware]) as [string, string];
  const tp = String(fit.tensor_parallel);
  return {
    lead: new TextEncoder().encode(`${model},${hardware},`),
    tails: { measured: `,${tp},measured`, interpolated: `,${tp},interpolated`, extrapolated: `,${tp},extrapolated` },
    errors,
  };
}

/** A measured row from its medians (e2e_time empty when the input had none); returns the values the checker sees. */
export function writeMeasured(out: ChunkWriter, format: RowFormat, c: Configuration, t: number): [number, number, number] {
  const pt = c.metrics.prompt_time?.median ?? NaN;
  const tt = c.metrics.token_time?.median ?? NaN;
  const e2eMedian = c.metrics.e2e_time?.median;
  const e2e = e2eMedian ?? pt + (t - 1) * tt;
  const power = (m: 'peak_power' | 'average_power') => formatNumber(c.metrics[m]?.median ?? null);
  out.ascii(`${t},${power('peak_power')},${power('average_power')},${pt},${tt},${e2eMedian === undefined ? '' : e2e}${format.tails.measured}`);
  if (format.errors !== null) {
    const { coverage } = format.errors;
    out.ascii(`,${formatError(measuredError(c.repetitions.prompt_time, coverage))},${formatError(measuredError(c.repetitions.token_time, coverage))},repetitions`);
  }
  out.ascii('\n');
  return [pt, tt, e2e];
}

/**
 * A number column whose value often repeats from row to row (a point's values
 * over its token sizes, a tail held flat): the text of a repeated value is
 * copied from where it was last written in the chunk instead of formatted again.
 */
export class RepeatedNumber {
  private value = NaN;
  private generation = -1;
  private start = 0;
  private length = 0;

  /**
   * Writes the value's text (nothing for null: the metric was not in the input).
   * Values equal under === share their text: only 0 and -0 are equal and
   * different, and toString writes both as 0.
   */
  write(out: ChunkWriter, value: number | null): void {
    if (value === null) return;
    if (value === this.value && out.generation === this.generation) return out.repeat(this.start, this.length);
    this.value = value;
    this.generation = out.generation;
    this.start = out.length;
    out.number(value);
    this.length = out.length - this.start;
  }
}
