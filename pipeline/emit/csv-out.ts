import { stringify } from 'csv-stringify/sync';
import { OUTPUT_COLUMNS } from '../core/columns.js';
import { SHORTEST_RANGE, writeDigits, writeShortest } from './shortest.js';
import type { ChunkPool } from './chunk-pool.js';

/** Columns after `source` when per-row uncertainty is asked for. */
export const UNCERTAINTY_COLUMNS = ['prompt_time_err', 'token_time_err', 'err_basis'] as const;

/** The header line of perf_db.csv. */
export function headerLine(uncertainty = false): string {
  return `${[...OUTPUT_COLUMNS, ...(uncertainty ? UNCERTAINTY_COLUMNS : [])].join(',')}\n`;
}

/**
 * CSV cells for strings, quoted by csv-stringify's rules (quotes around a cell
 * holding a comma, quote, CR or LF; inner quotes doubled). Called once per
 * group, so the hot path never has to decide on quoting.
 */
export function quoteCells(values: readonly string[]): string[] {
  // A cell with none of those characters is written as it is: no need to build a stringifier for it.
  return values.map((v) => (/[",\r\n]/.test(v) ? stringify([[v]], { eof: false }) : v));
}

/**
 * A number as Number.prototype.toString writes it: the shortest digits that
 * read back to the same double (the digits of Python's repr). null is an
 * empty cell: the metric was not in the input.
 */
export function formatNumber(value: number | null): string {
  return value === null ? '' : String(value);
}

/** Writes text known to be ASCII (every character below U+0080) at `offset`; returns the offset after it. */
export function writeAscii(buffer: Uint8Array, offset: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) buffer[offset + i] = text.charCodeAt(i);
  return offset + n;
}

/** Writes a number's text as formatNumber gives it at `offset` (40 bytes free); returns the offset after it. */
export function writeNumber(buffer: Uint8Array, offset: number, value: number): number {
  const end = writeShortest(buffer, offset, value);
  return end >= 0 ? end : writeAscii(buffer, offset, String(value));
}

/** Writes an integer as String writes it at `offset`; returns the offset after it. The sizes (0 to 2^31) digit by digit, with no string made. */
export function writeInteger(buffer: Uint8Array, offset: number, n: number): number {
  return n >= 0 && n < SHORTEST_RANGE[1] && Number.isInteger(n) ? writeDigits(buffer, offset, n) : writeAscii(buffer, offset, String(n));
}

/** Copies the first `length` bytes of `bytes` to `offset`; returns the offset after them. */
export function writeBytes(buffer: Uint8Array, offset: number, bytes: Uint8Array, length = bytes.length): number {
  for (let i = 0; i < length; i++) buffer[offset + i] = bytes[i] as number;
  return offset + length;
}

const FIRST_CHUNK_BYTES = 1 << 14;
/** The next chunk's number; per thread, as are the writers and whatever notes their offsets. */
let nextGeneration = 0;
const COMMA = 44;
/** Repeated pieces up to this many bytes are copied in a loop (see ChunkWriter.repeat). */
const SHORT_COPY = 96;

/**
 * Fills fixed-size byte chunks row by row. Rows are written as ASCII text
 * (numbers, commas, source names) plus pre-encoded UTF-8 bytes for the names,
 * short pieces copied in a loop (faster than a native call for a few bytes,
 * and no garbage), or repeated from earlier in the chunk (`repeat`).
 * `take()` hands the filled chunk over and starts a new one, so a chunk can
 * be written or transferred while the next is filled.
 *
 * The rule `repeat` rests on: bytes are only ever appended to a chunk, and
 * whatever starts a chunk anew (a new buffer, or the same one rewound) gives
 * it a new `generation`. An offset noted with one generation is read only
 * while the writer still has it.
 */
export class ChunkWriter {
  private buffer!: Uint8Array;
  /** The same bytes, for repeat's eight-byte copies. */
  private view!: DataView;
  private offset = 0;
  /** Chunks start small and double up to `maxSize`, so that a group of a few rows allocates a few kilobytes, not a full chunk. */
  private maxSize: number;
  private rowBytes: number;
  private limit: number;
  /** The chunk being filled, unique among every writer's chunks in this thread. */
  private chunk = nextGeneration++;

  /**
   * `rowBytes`: an upper bound on one row's length; a chunk is full when less
   * than that is left. `spare`: chunks of the full size to fill before any new one.
   */
  constructor(
    maxSize: number,
    rowBytes: number,
    private readonly spare: ChunkPool | null = null,
  ) {
    this.rowBytes = rowBytes;
    this.maxSize = Math.max(maxSize, 4 * rowBytes);
    // With a spare chunk at hand, the first is full-size at no cost.
    this.use(this.spareChunk() ?? this.fresh(Math.min(this.maxSize, Math.max(FIRST_CHUNK_BYTES, 4 * rowBytes))));
    this.limit = this.buffer.length - rowBytes;
  }

  /**
   * Raises the bound on one row's length, for a writer shared by groups (a
   * group with longer names); true when the chunk filled so far must be
   * taken before the next row is written.
   */
  bound(rowBytes: number): boolean {
    if (rowBytes <= this.rowBytes) return false;
    this.rowBytes = rowBytes;
    this.maxSize = Math.max(this.maxSize, 4 * rowBytes);
    if (this.offset === 0 && this.buffer.length < 4 * rowBytes) {
      this.use(this.fresh(4 * rowBytes));
      this.chunk = nextGeneration++;
    }
    this.limit = this.buffer.length - rowBytes;
    return this.offset > this.limit;
  }

  /** The chunk being filled (see the rule above): an offset noted in it may be repeated from while this is unchanged. */
  get generation(): number {
    return this.chunk;
  }

  get length(): number {
    return this.offset;
  }

  get full(): boolean {
    return this.offset >= this.limit;
  }

  /** Text known to be ASCII (every character below U+0080). */
  ascii(text: string): void {
    this.offset = writeAscii(this.buffer, this.offset, text);
  }

  /** A comma. */
  comma(): void {
    this.buffer[this.offset++] = COMMA;
  }

  /** An integer (a size) and the comma after it. */
  integer(n: number): void {
    const end = writeInteger(this.buffer, this.offset, n);
    this.buffer[end] = COMMA;
    this.offset = end + 1;
  }

  /** A number, as formatNumber writes it; a row's bound leaves room for it. */
  number(value: number): void {
    this.offset = writeNumber(this.buffer, this.offset, value);
  }

  /** The first `length` bytes of `bytes`. */
  bytes(bytes: Uint8Array, length = bytes.length): void {
    this.offset = writeBytes(this.buffer, this.offset, bytes, length);
  }

  /**
   * Copies `length` bytes written earlier into this chunk, from `start`
   * (they end before the offset: the two never overlap). A short piece goes
   * eight bytes at a time through the DataView, which the compiler turns into
   * plain loads and stores (bit for bit, any pattern, and UTF-8 never even
   * forms a NaN's), faster than a native call; a long one in one native copy.
   */
  repeat(start: number, length: number): void {
    if (length > SHORT_COPY) {
      this.buffer.copyWithin(this.offset, start, start + length);
      this.offset += length;
      return;
    }
    const { view, buffer } = this;
    const end = start + length;
    let to = this.offset;
    let from = start;
    for (; from + 8 <= end; from += 8, to += 8) view.setFloat64(to, view.getFloat64(from, true), true);
    for (; from < end; from++, to++) buffer[to] = buffer[from] as number;
    this.offset = to;
  }

  /**
   * The filled chunk. With `reuse`, the next rows overwrite it: only for a
   * consumer that is done with each chunk before asking for the next (a
   * synchronous write); otherwise a new buffer is started.
   */
  take(reuse = false): Uint8Array {
    const filled = this.buffer.subarray(0, this.offset);
    const grown = Math.min(this.maxSize, Math.max(this.buffer.length * 2, 4 * this.rowBytes));
    if (!reuse || grown !== this.buffer.length) this.use((grown === this.maxSize ? this.spareChunk() : undefined) ?? this.fresh(grown));
    this.limit = this.buffer.length - this.rowBytes;
    this.offset = 0;
    this.chunk = nextGeneration++;
    return filled;
  }

  /**
   * The last chunk, or null when nothing was written into it: no new one is
   * started, and the empty chunk goes back to the spares (if of their size).
   * The writer is not used after this.
   */
  finish(): Uint8Array | null {
    if (this.offset > 0) return this.buffer.subarray(0, this.offset);
    this.spare?.give(this.buffer.buffer);
    return null;
  }

  /** A new chunk, shared memory where the spares are (see ChunkPool). */
  private fresh(size: number): Uint8Array {
    return this.spare?.fresh(size) ?? new Uint8Array(size);
  }

  private use(buffer: Uint8Array): void {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  private spareChunk(): Uint8Array | undefined {
    return this.spare?.size === this.maxSize ? this.spare.take() : undefined;
  }
}
