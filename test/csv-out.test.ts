import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { quoteCells } from '../pipeline/emit/csv-out.js';

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
