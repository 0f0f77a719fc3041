import { isUtf8 } from 'node:buffer';
import { PerfDbError } from '../core/errors.js';
import { MAX_RECORD_SIZE } from '../core/limits.js';
import { recordTooLarge } from './syntax.js';

/** The first byte that is not UTF-8 text: where it is and what it is. */
export interface BadByte {
  kind: 'nul' | 'utf8';
  /** Offset in the file, from 0. */
  offset: number;
  /** Physical line, from 1. */
  line: number;
}

/**
 * Watches the bytes of a file as they stream by: NUL bytes and invalid UTF-8
 * anywhere (a sequence split between two chunks is joined first), and UTF-16 or UTF-32
 * at the start. A UTF-16 or binary start stops at once; a later bad byte is
 * kept, so that ingest can name the record and field it falls in. A line
 * longer than the longest record stops at once too, before the parser sees
 * it: the parser counts only the fields' characters, so a line of a hundred
 * million commas would otherwise become a record of as many empty fields.
 */
export class TextGuard {
  bad: BadByte | null = null;
  private offset = 0;
  private lines = 1;
  /** Bytes of the line being read, since the last line end (CR or LF). */
  private lineBytes = 0;
  /** Whether the last byte seen was a CR: an LF first in the next chunk ends no line of its own. */
  private afterCr = false;
  private carry: Buffer = Buffer.alloc(0);
  /** The first bytes, held until there are enough to tell UTF-16, an archive or binary data, whatever the chunk sizes. */
  private head: Buffer | null = Buffer.alloc(0);

  constructor(
    private readonly file: string,
    private readonly maxLine: number = MAX_RECORD_SIZE,
  ) {}

  /** Checks a chunk; returns the bytes that may go on to the parser (none while the start is still being gathered). */
  check(chunk: Buffer): Buffer {
    if (this.head !== null) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < START_BYTES) return EMPTY;
      return this.start();
    }
    this.scan(chunk);
    return chunk;
  }

  /** At the end of the file: the bytes still held, checked; a multi-byte sequence cut short by the end is invalid too. */
  end(): Buffer {
    const rest = this.head !== null && this.head.length > 0 ? this.start() : EMPTY;
    if (this.bad === null && this.carry.length > 0) this.bad = { kind: 'utf8', offset: this.offset - this.carry.length, line: this.lines };
    return rest;
  }

  private start(): Buffer {
    const head = this.head as Buffer;
    this.head = null;
    checkStart(head, this.file);
    this.scan(head);
    return head;
  }

  private scan(chunk: Buffer): void {
    const [start, lines] = [this.offset, this.lines];
    if (this.bad === null) this.scanText(chunk);
    this.checkLines(chunk, start, lines);
    if (chunk.length > 0) this.afterCr = chunk[chunk.length - 1] === 13;
  }

  private scanText(chunk: Buffer): void {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const start = this.offset - this.carry.length;
    const whole = completeLength(bytes);
    const body = bytes.subarray(0, whole);
    const nul = body.indexOf(0);
    const invalid = isUtf8(body) ? -1 : firstInvalid(body);
    const at = nul === -1 ? invalid : invalid === -1 ? nul : Math.min(nul, invalid);
    if (at !== -1) this.bad = { kind: at === nul ? 'nul' : 'utf8', offset: start + at, line: this.lines + countLines(body, at, this.afterCr) };
    else this.lines += countLines(body, body.length, this.afterCr);
    this.carry = Buffer.from(bytes.subarray(whole));
    this.offset += chunk.length;
  }

  /**
   * E_RECORD_TOO_LARGE where a line of the chunk (which starts at byte `start`
   * of the file, on line `lines`), with what came before it, is longer than
   * maxLine bytes; a bad byte before the one that makes it too long is the
   * earlier fault. Most chunks cannot hold one that long: only their last
   * line end is looked for.
   */
  private checkLines(chunk: Buffer, start: number, lines: number): void {
    if (this.lineBytes + chunk.length <= this.maxLine) {
      const lastEnd = Math.max(chunk.lastIndexOf(10), chunk.lastIndexOf(13));
      this.lineBytes = lastEnd === -1 ? this.lineBytes + chunk.length : chunk.length - lastEnd - 1;
      return;
    }
    let lf = chunk.indexOf(10);
    let cr = chunk.indexOf(13);
    for (let from = 0; ; ) {
      const next = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      const end = next === -1 ? chunk.length : next;
      if (this.lineBytes + end - from > this.maxLine) {
        const over = start + from + this.maxLine - this.lineBytes;
        throw this.bad !== null && this.bad.offset <= over ? badByteError(this.bad, this.file) : recordTooLarge({ file: this.file, line: lines + countLines(chunk, from, this.afterCr) });
      }
      if (next === -1) {
        this.lineBytes += end - from;
        return;
      }
      this.lineBytes = 0;
      from = next + 1;
      if (lf !== -1 && lf < from) lf = chunk.indexOf(10, from);
      if (cr !== -1 && cr < from) cr = chunk.indexOf(13, from);
    }
  }
}

/** How many bytes the start checks look at. */
const START_BYTES = 64;
const EMPTY = Buffer.alloc(0);

/** The error for a bad byte, placed at its line and field. */
export function badByteError(bad: BadByte, file: string, column?: number): PerfDbError {
  const place = { file, line: bad.line, ...(column === undefined ? {} : { column }) };
  if (bad.kind === 'nul') {
    return new PerfDbError('E_NOT_TEXT', `a NUL byte at byte ${bad.offset + 1}: the file holds binary data; expected CSV text`, {
      ...place,
      hint: 'a NUL inside a CSV usually means a corrupt or truncated copy; re-copy the file, or check the path points at the CSV',
    });
  }
  return new PerfDbError('E_INVALID_UTF8', `byte ${bad.offset + 1} is not valid UTF-8; expected UTF-8 text`, {
    ...place,
    hint: 'convert the file to UTF-8, e.g. `iconv -f LATIN1 -t UTF-8 in.csv > out.csv`; invalid bytes would make different names look alike',
  });
}

/** Archives by their magic bytes: a compressed CSV must be unpacked first. */
const ARCHIVES: [string, number[], string][] = [
  ['gzip', [0x1f, 0x8b], 'gunzip -k'],
  ['zip', [0x50, 0x4b, 0x03, 0x04], 'unzip'],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd], 'unzstd'],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a], 'unxz -k'],
];

/** Archives, UTF-16 (with its byte-order mark, or ASCII with a NUL after every character) and binary starts. */
function checkStart(chunk: Buffer, file: string): void {
  for (const [kind, magic, tool] of ARCHIVES) {
    if (magic.every((b, i) => chunk[i] === b)) {
      throw new PerfDbError('E_NOT_TEXT', `the file is a ${kind} archive; expected CSV text`, { file, line: 1, hint: `unpack it first (\`${tool} FILE\`) and pass the CSV inside` });
    }
  }
  const b0 = chunk[0];
  const b1 = chunk[1];
  const head = chunk.subarray(0, START_BYTES);
  if (isUtf32(head)) {
    throw new PerfDbError('E_UTF16', 'the file is UTF-32 encoded; expected UTF-8 text', {
      file,
      line: 1,
      hint: 'convert it, e.g. `iconv -f UTF-32 -t UTF-8 in.csv > out.csv`',
    });
  }
  const bom = (b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff);
  let zeros = 0;
  for (let i = 0; i < head.length; i++) if (head[i] === 0) zeros++;
  const alternating = head.length >= 8 && zeros >= head.length / 2 - 2 && zeros <= head.length / 2 + 1;
  if (bom || alternating) {
    throw new PerfDbError('E_UTF16', 'the file is UTF-16 encoded; expected UTF-8 text', {
      file,
      line: 1,
      hint: 'convert it, e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv` (or save it as "CSV UTF-8" in a spreadsheet)',
    });
  }
  if (head.includes(0)) {
    throw new PerfDbError('E_NOT_TEXT', 'the file holds binary data (NUL bytes); expected CSV text', {
      file,
      line: 1,
      hint: 'check that the path points at the CSV and not at an archive or a binary log',
    });
  }
}

/** UTF-32 by its byte-order mark (either order), or ASCII with three NULs beside every character. */
function isUtf32(head: Buffer): boolean {
  const bom = (head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) || (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff);
  if (bom) return true;
  if (head.length < 16 || head.length % 4 !== 0) return false;
  let le = true;
  let be = true;
  for (let i = 0; i < head.length; i += 4) {
    if (head[i + 1] !== 0 || head[i + 2] !== 0 || head[i + 3] !== 0 || head[i] === 0) le = false;
    if (head[i] !== 0 || head[i + 1] !== 0 || head[i + 2] !== 0 || head[i + 3] === 0) be = false;
  }
  return le || be;
}

/** The length of the part of `bytes` that does not end inside a multi-byte sequence. */
function completeLength(bytes: Buffer): number {
  let i = bytes.length - 1;
  for (let back = 0; back < 3 && i >= 0 && ((bytes[i] as number) & 0xc0) === 0x80; back++) i--;
  if (i < 0) return bytes.length;
  const lead = bytes[i] as number;
  const need = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 1;
  return bytes.length - i < need ? i : bytes.length;
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence (RFC 3629). */
export function firstInvalid(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need === -1) return i;
    // The second byte's range rules out overlong forms, surrogates and code points above U+10FFFF.
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    const second = bytes[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Line ends in bytes[0, end), as the file has them (RecordLines counts so too): a CR, or an LF not right after a CR (`afterCr`: the byte before bytes[0] was one). */
function countLines(bytes: Buffer, end: number, afterCr: boolean): number {
  let n = 0;
  for (let i = bytes.indexOf(13); i !== -1 && i < end; i = bytes.indexOf(13, i + 1)) n++;
  for (let i = bytes.indexOf(10); i !== -1 && i < end; i = bytes.indexOf(10, i + 1)) if (i === 0 ? !afterCr : bytes[i - 1] !== 13) n++;
  return n;
}
