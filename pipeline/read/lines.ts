/**
 * The line each record starts on. The parser gives the line a record ends
 * on, counting every CR and LF inside a quoted field apart (so a quoted CRLF
 * counts two); a record whose field holds a line end starts lines before
 * that, and the records after it are named by where they lie in the file,
 * with CR, LF and CRLF each one line end, as the bytes' own count has them.
 */
export class RecordLines {
  /** The line the next record starts on, before the empty lines skipped ahead of it. */
  private next = 1;
  private parsedLines = 0;
  private emptyLines = 0;

  /** The record's first line, from the parser's info on it; call once per record, in order. */
  start(record: readonly string[], info: { lines: number; empty_lines: number }): number {
    const skipped = info.empty_lines - this.emptyLines;
    const start = this.next + skipped;
    // One line taken (the parser's count moved by one, past the skipped ones): no field holds a line end.
    const spanned = info.lines - this.parsedLines - skipped > 1;
    this.next = start + (spanned ? lineEndsIn(record) : 0) + 1;
    this.parsedLines = info.lines;
    this.emptyLines = info.empty_lines;
    return start;
  }

  /** The first line of the record the parser failed in, from the error's count of empty lines skipped. */
  failing(error: { empty_lines?: unknown }): number {
    const empty = typeof error.empty_lines === 'number' ? error.empty_lines : this.emptyLines;
    return this.next + Math.max(0, empty - this.emptyLines);
  }
}

function lineEndsIn(record: readonly string[]): number {
  let n = 0;
  for (const field of record) n += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  return n;
}
