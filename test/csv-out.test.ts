import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { ChunkWriter, quoteCells, writeInteger } from '../pipeline/emit/csv-out.js';
import { RepeatedNumber } from '../pipeline/emit/row-text.js';

describe('quoteCells()', () => {
  it.each([
    ['plain', 'llama2-70b', 'llama2-70b'],
    ['empty', '', ''],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a newline', 'a\nb', '"a\nb"'],
    ['a carriage return', 'a\rb', '"a\rb"'],
    ['spaces around', ' a ', ' a '],
  ])('writes a name with %s as csv-stringify does', (_name, value, expected) => {
    expect(quoteCells([value])).toEqual([expected]);
  });

  it('gives csv-stringify\'s cell for any string', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '字', '😀', ',', '"', '\r', '\n', ' ', ';', '\t', '#', "'") });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), (values) => {
        expect(quoteCells(values)).toEqual(values.map((v) => stringify([[v]], { eof: false })));
      }),
      { numRuns: 500, seed: 20261201 },
    );
  });
});

describe('writeInteger()', () => {
  const text = (n: number) => {
    const buffer = new Uint8Array(40);
    return new TextDecoder().decode(buffer.subarray(0, writeInteger(buffer, 0, n)));
  };

  it.each([
    [0, '0'],
    [7, '7'],
    [9, '9'],
    [10, '10'],
    [99, '99'],
    [100, '100'],
    [8192, '8192'],
    [1_000_000, '1000000'],
    [2 ** 53 - 1, '9007199254740991'],
  ])('writes %d as %s', (n, expected) => expect(text(n)).toBe(expected));

  it('writes what String writes for every integer up to 20,000 (the sizes)', () => {
    for (let n = 0; n <= 20_000; n++) if (text(n) !== String(n)) expect(text(n)).toBe(String(n));
  });

  it('writes what String writes for any safe integer, and for what is not one', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => text(n) === String(n)));
    for (const n of [-1, -250, 0.5, 1e21, 2 ** 53]) expect(text(n)).toBe(String(n));
  });
});

describe('ChunkWriter.repeat() and RepeatedNumber', () => {
  const decode = (chunk: Uint8Array) => new TextDecoder().decode(chunk);

  it('copies bytes written earlier into the same chunk', () => {
    const out = new ChunkWriter(1 << 16, 64);
    out.ascii('abc,');
    out.repeat(0, 3);
    out.repeat(1, 2);
    expect(decode(out.take())).toBe('abc,abcbc');
  });

  it('copies any bytes, short pieces and long, to the byte', () => {
    // Every length either side of the eight-byte steps and of the short-copy bound, from every alignment,
    // over bytes that include each pattern a double's NaN can have (0x7f or 0xff above 0xf0).
    const source = new Uint8Array(256);
    for (let i = 0; i < source.length; i++) source[i] = ([0xf8, 0x7f, 0xff, 0xf1, 0, 0x2c][i % 6] as number) ^ (i & 0x0f);
    for (let length = 0; length <= 200; length++) {
      for (let from = 0; from < 9; from++) {
        const out = new ChunkWriter(1 << 16, 512);
        out.bytes(source);
        out.ascii('|');
        out.repeat(from, length);
        const chunk = out.take();
        expect(chunk.length).toBe(source.length + 1 + length);
        expect([...chunk.subarray(source.length + 1)]).toEqual([...source.subarray(from, from + length)]);
      }
    }
  });

  it('copies a repeated value within a chunk, and formats it again in the next', () => {
    const out = new ChunkWriter(1 << 16, 64);
    const column = new RepeatedNumber();
    const start = out.generation;
    column.write(out, 0.1 + 0.2);
    out.ascii(',');
    column.write(out, 0.1 + 0.2);
    column.write(out, null);
    out.ascii(',');
    column.write(out, 2.5);
    expect(decode(out.take(true))).toBe('0.30000000000000004,0.30000000000000004,2.5');
    expect(out.generation).not.toBe(start);
    // The same buffer again: what was there is gone, so the value is written anew.
    out.ascii('x');
    column.write(out, 2.5);
    expect(decode(out.take(true))).toBe('x2.5');
  });

  it('numbers the chunks of every writer apart', () => {
    const [a, b] = [new ChunkWriter(1 << 16, 64), new ChunkWriter(1 << 16, 64)];
    const seen = new Set([a.generation, b.generation]);
    a.take();
    seen.add(a.generation);
    b.take(true);
    seen.add(b.generation);
    expect(seen.size).toBe(4);
  });
});
