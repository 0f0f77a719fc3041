import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import { MAX_SIZE } from '../pipeline/core/limits.js';
import { CsvError } from 'csv-parse';
import { translateParseError } from '../pipeline/read/syntax.js';
import { ingest, type IngestOptions, type IngestSource } from '../pipeline/stages/ingest.js';
import type { Measurement } from '../pipeline/types.js';
import { source } from './helpers.js';

/** SplitwiseSim's column order: field numbers 1..11. */
const HEADER = 'model,hardware,prompt_size,batch_size,token_size,peak_power,average_power,prompt_time,token_time,e2e_time,tensor_parallel';
const COLUMN = Object.fromEntries(HEADER.split(',').map((name, i) => [name, i + 1])) as Record<string, number>;
const GOOD = 'm,h,512,2,128,1.5,1.25,196.25,54.5,7168.75,2';
const GOOD_ROW: Omit<Measurement, 'line'> = {
  model: 'm',
  hardware: 'h',
  tensor_parallel: 2,
  prompt_size: 512,
  batch_size: 2,
  token_size: 128,
  metrics: { peak_power: 1.5, average_power: 1.25, prompt_time: 196.25, token_time: 54.5, e2e_time: 7168.75 },
  file: 'x.csv',
};
const ERROR: IngestOptions = { onInvalid: 'error' };

/** The good row with one field replaced. */
function withField(column: string, value: string): string {
  const fields = GOOD.split(',');
  fields[(COLUMN[column] as number) - 1] = value;
  return fields.join(',');
}

/** Header, one good row (line 2), then the given line (line 3). */
function fileWith(line: string): string {
  return `${HEADER}\n${GOOD}\n${line}\n`;
}

async function ingestError(sources: IngestSource[], options: IngestOptions = ERROR): Promise<PerfDbError> {
  try {
    await ingest(sources, options);
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
  throw new Error('ingest() did not throw');
}

describe('ingest() refuses an invalid value with its code, line and field number', () => {
  it.each([
    ['a word for a time', withField('prompt_time', 'abc'), 'E_NON_NUMERIC', 'prompt_time'],
    ['trailing letters', withField('batch_size', '2x'), 'E_NON_NUMERIC', 'batch_size'],
    ['a hex number', withField('token_size', '0x80'), 'E_NON_NUMERIC', 'token_size'],
    ['an empty time', withField('token_time', ''), 'E_EMPTY_VALUE', 'token_time'],
    ['a blank size', withField('prompt_size', '   '), 'E_EMPTY_VALUE', 'prompt_size'],
    ['an empty model name', withField('model', ''), 'E_EMPTY_VALUE', 'model'],
    ['a blank hardware name', withField('hardware', '  '), 'E_EMPTY_VALUE', 'hardware'],
    ['NaN', withField('prompt_time', 'NaN'), 'E_NON_FINITE', 'prompt_time'],
    ['Infinity', withField('token_time', 'Infinity'), 'E_NON_FINITE', 'token_time'],
    ['-inf', withField('e2e_time', '-inf'), 'E_NON_FINITE', 'e2e_time'],
    ['1e400, which overflows', withField('e2e_time', '1e400'), 'E_NON_FINITE', 'e2e_time'],
    ['1e400 for a size', withField('prompt_size', '1e400'), 'E_NON_FINITE', 'prompt_size'],
    ['a negative time', withField('prompt_time', '-5'), 'E_NOT_POSITIVE', 'prompt_time'],
    ['a zero time', withField('token_time', '0'), 'E_NOT_POSITIVE', 'token_time'],
    ['a zero size', withField('batch_size', '0'), 'E_NOT_POSITIVE', 'batch_size'],
    ['a negative size', withField('token_size', '-128'), 'E_NOT_POSITIVE', 'token_size'],
    ['a zero tensor_parallel', withField('tensor_parallel', '0'), 'E_NOT_POSITIVE', 'tensor_parallel'],
    ['a negative power', withField('peak_power', '-0.5'), 'E_NEGATIVE', 'peak_power'],
    ['a negative average power', withField('average_power', '-1e-9'), 'E_NEGATIVE', 'average_power'],
    ['a fractional size', withField('prompt_size', '512.5'), 'E_NOT_INTEGER', 'prompt_size'],
    ['a fractional tensor_parallel', withField('tensor_parallel', '1.5'), 'E_NOT_INTEGER', 'tensor_parallel'],
    // Both read as the double 512: the digits say they are not whole.
    ['a size just below a whole number, beyond double precision', withField('prompt_size', '511.99999999999999999'), 'E_NOT_INTEGER', 'prompt_size'],
    ['a size just above a whole number, beyond double precision', withField('batch_size', '2.0000000000000000001'), 'E_NOT_INTEGER', 'batch_size'],
    ['a fraction moved by its exponent, still a fraction', withField('token_size', '1.285e2'), 'E_NOT_INTEGER', 'token_size'],
    ['a size above 2^26', withField('token_size', String(MAX_SIZE + 1)), 'E_OUT_OF_RANGE', 'token_size'],
    ['a size far above 2^26', withField('prompt_size', '1e9'), 'E_OUT_OF_RANGE', 'prompt_size'],
  ])('%s -> %s', async (_what, line, code, column) => {
    const error = await ingestError([source(fileWith(line))]);
    expect(error.code).toBe(code);
    expect(error.place).toEqual({ file: 'x.csv', line: 3, column: COLUMN[column] });
    expect(error.exitCode).toBe(1);
    // Every one says what to do about it.
    expect(error.hint.length).toBeGreaterThan(10);
    expect(error.format()).toMatch(/; hint: \S/);
  });
});

describe('ingest() reads whole sizes however they are written', () => {
  it.each([
    ['512.000', 512],
    ['5.12e2', 512],
    ['51200e-2', 512],
    ['+512', 512],
    [' 512 ', 512],
    ['0.512E3', 512],
  ])('prompt_size %j -> %d', async (text, size) => {
    const { rows } = await ingest([source(fileWith(withField('prompt_size', text)))], ERROR);
    expect(rows.map((r) => r.prompt_size)).toEqual([512, size]); // line 2's, then line 3's
  });
});

describe('ingest() places a syntax error on the line and field the file has it at', () => {
  // GOOD with its model quoted over a line end: the record takes lines 2 and 3
  const spanning = (end: string) => `"m${end}x",h,512,2,128,1.5,1.25,196.25,54.5,7168.75,2`;
  const badQuote = 'm,h,512,2,1"28,1.5,1.25,196.25,54.5,7168.75,2';
  it.each([
    ['a stray quote in field 5, after a quoted CRLF', ['HEADER', spanning('\r\n'), GOOD, badQuote].join('\r\n'), 'E_BAD_QUOTE', 5, 5],
    ['a stray quote in field 5, after a quoted LF', ['HEADER', spanning('\n'), GOOD, badQuote].join('\n'), 'E_BAD_QUOTE', 5, 5],
    ['a quote after a closing quote, in field 3', ['HEADER', GOOD, GOOD, 'm,h,"512"2,2,128,1.5,1.25,196.25,54.5,7168.75,2', GOOD].join('\n'), 'E_BAD_QUOTE', 4, 3],
    // the quote opens on line 3 and runs to the end of the file (line 6): the place is where it opens
    ['a quote never closed, opened in field 1 of line 3', ['HEADER', GOOD, `"${GOOD}`, GOOD, GOOD, GOOD].join('\n'), 'E_UNBALANCED_QUOTE', 3, 1],
    ['a quote never closed, after a quoted CRLF and an empty line', ['HEADER', spanning('\r\n'), '', `m,"h,512`, GOOD].join('\r\n'), 'E_UNBALANCED_QUOTE', 5, 2],
  ])('%s -> %s', async (_what, text, code, line, column) => {
    const error = await ingestError([source(`${text.replace('HEADER', HEADER)}\n`)]);
    expect([error.code, error.place.line, error.place.column]).toEqual([code, line, column]);
  });
});

describe('ingest() refuses a malformed row or file with its code and place', () => {
  it.each([
    // too few fields: the first missing field; too many: the first extra field
    ['a row with a field missing', fileWith(GOOD.split(',').slice(0, 10).join(',')), 'E_FIELD_COUNT', 3, 11],
    ['a row with two fields missing', fileWith(GOOD.split(',').slice(0, 9).join(',')), 'E_FIELD_COUNT', 3, 10],
    ['a row with an extra field', fileWith(`${GOOD},7`), 'E_FIELD_COUNT', 3, 12],
    ['a misspelt required column', `${HEADER.replace('prompt_time', 'prompt_tme')}\n${GOOD}\n`, 'E_MISSING_COLUMN', 1, undefined],
    ['an absent required column', `${HEADER.replace(',token_time', '')}\n${GOOD.replace(',54.5', '')}\n`, 'E_MISSING_COLUMN', 1, undefined],
    ['a duplicated column', `${HEADER},prompt_time\n${GOOD},1\n`, 'E_DUPLICATE_COLUMN', 1, 12],
    ['an unclosed quote', `${HEADER}\n${GOOD}\n"m,h,512,2,128,1.5,1.25,196.25,54.5,7168.75,2\n`, 'E_UNBALANCED_QUOTE', 3, 1],
    ['an empty file', '', 'E_EMPTY_FILE', undefined, undefined],
    ['a file of blank lines', '\n\n\n', 'E_EMPTY_FILE', undefined, undefined],
    ['a file of spaces and tabs', ' \n\t \r\n  \n', 'E_EMPTY_FILE', undefined, undefined],
    ['a header and no rows', `${HEADER}\n`, 'E_NO_ROWS', 2, undefined],
    ['NUL bytes', `${HEADER}\n\u0000\u0000\u0000\n`, 'E_NOT_TEXT', 2, 1],
  ])('%s -> %s', async (_what, text, code, line, column) => {
    const error = await ingestError([source(text)]);
    expect(error.code).toBe(code);
    expect(error.place.file).toBe('x.csv');
    expect(error.place.line).toBe(line);
    expect(error.place.column).toBe(column);
  });

  it('suggests the required name for a misspelt column', async () => {
    const error = await ingestError([source(`${HEADER.replace('prompt_time', 'prompt_tme')}\n${GOOD}\n`)]);
    expect(error.message).toContain('"prompt_time"');
    expect(error.hint).toContain('"prompt_time"');
    expect(error.hint).toContain('"prompt_tme"');
  });

  it('lists the required columns when no header name is close to the missing one', async () => {
    const error = await ingestError([source(`${HEADER.replace(',token_time', '')}\n${GOOD.replace(',54.5', '')}\n`)]);
    expect(error.message).toContain('"token_time"');
    expect(error.hint).toContain('model, hardware, tensor_parallel, prompt_size, batch_size, token_size, prompt_time, token_time');
  });

  it('names both fields of a duplicated column', async () => {
    const error = await ingestError([source(`${HEADER},prompt_time\n${GOOD},1\n`)]);
    expect(error.message).toContain('fields 8 and 12');
  });

  it('format() writes one line starting with file:line:column: CODE', async () => {
    const plain = await ingestError([source(fileWith(withField('prompt_time', 'abc')))]);
    expect(plain.format()).toMatch(/^x\.csv:3:8: E_NON_NUMERIC prompt_time "abc" is not a number/);
    expect(plain.format()).not.toMatch(/[\r\n]/);
  });

  it('format() stays on one line when the bad value holds a newline', async () => {
    const error = await ingestError([source(fileWith(withField('prompt_time', '"abc\ndef"')))]);
    expect(error.code).toBe('E_NON_NUMERIC');
    expect(error.format()).not.toMatch(/[\r\n]/);
    expect(error.format()).toContain('"abc\\ndef"');
  });

  it('stops at the first invalid row when onInvalid is error', async () => {
    const text = `${HEADER}\n${withField('prompt_time', 'x')}\n${withField('token_time', 'y')}\n`;
    const error = await ingestError([source(text)]);
    expect(error.place).toMatchObject({ line: 2, column: 8 });
  });

  it('names the second file when the second file is bad', async () => {
    const error = await ingestError([source(fileWith(GOOD), 'a.csv'), source(fileWith(withField('batch_size', '0')), 'b.csv')]);
    expect(error.place).toEqual({ file: 'b.csv', line: 3, column: 4 });
  });

  it('a quote after a closing quote -> E_BAD_QUOTE on its line', async () => {
    const error = await ingestError([source(fileWith(withField('model', '"m"x')))]);
    expect(error.code).toBe('E_BAD_QUOTE');
    expect(error.place).toEqual({ file: 'x.csv', line: 3, column: 1 });
  });

  it('settles, with a PerfDbError, when the parser fails in the middle of a chunk', async () => {
    // a regression test: this used to leave ingest() waiting forever for a 'drain' event
    const rows = Array.from({ length: 2000 }, () => GOOD);
    rows[1000] = withField('model', 'm"x');
    const error = await ingestError([source(`${HEADER}\n${rows.join('\n')}\n`)]);
    expect(error.place).toMatchObject({ file: 'x.csv', line: 1002 });
  });

  it('a stray quote inside an unquoted field -> E_BAD_QUOTE', async () => {
    const error = await ingestError([source(fileWith(withField('model', 'm"x')))]);
    expect(error.code).toBe('E_BAD_QUOTE');
    expect(error.place).toEqual({ file: 'x.csv', line: 3, column: 1 });
  });
});

describe('ingest() accepts', () => {
  const canonical = async (text: string) => (await ingest([source(text)], ERROR)).rows;

  it('a canonical file, as typed measurements with file and line', async () => {
    const result = await ingest([source(fileWith(GOOD))], ERROR);
    expect(result.rows).toEqual([
      { ...GOOD_ROW, line: 2 },
      { ...GOOD_ROW, line: 3 },
    ]);
    expect(result.rejected).toEqual([]);
    expect(result.files).toHaveLength(1);
    expect(result.files[0]).toMatchObject({
      file: 'x.csv',
      rowsRead: 2,
      rowsRejected: 0,
      columns: HEADER.split(','),
      unknownColumns: [],
      missingOptionalColumns: [],
    });
  });

  it('a byte order mark before the header', async () => {
    const result = await ingest([source(`\uFEFF${fileWith(GOOD)}`)], ERROR);
    expect(result.rows).toEqual(await canonical(fileWith(GOOD)));
    expect(result.files[0]?.columns[0]).toBe('model');
  });

  it('CRLF line endings, with the same line numbers', async () => {
    const crlf = fileWith(GOOD).replaceAll('\n', '\r\n');
    expect(await canonical(crlf)).toEqual(await canonical(fileWith(GOOD)));
  });

  it('columns in any order, giving the same rows as the canonical order', async () => {
    const names = HEADER.split(',');
    const values = GOOD.split(',');
    const order = [10, 7, 0, 9, 2, 5, 1, 8, 4, 3, 6];
    const pick = (list: string[]) => order.map((i) => list[i]).join(',');
    const reordered = `${pick(names)}\n${pick(values)}\n`;
    expect(await canonical(reordered)).toEqual([{ ...GOOD_ROW, line: 2 }]);
  });

  it.each([
    ['scientific notation for a size', 'prompt_size', '5.12e2', 512],
    ['an upper-case exponent', 'prompt_time', '1.9625E2', 196.25],
    ['a plus sign', 'batch_size', '+2', 2],
    ['a trailing point on a size', 'token_size', '128.', 128],
    ['a trailing zero fraction on a size', 'tensor_parallel', '2.0', 2],
    ['spaces around a number', 'token_time', '  54.5 ', 54.5],
    ['a leading point', 'average_power', '.25', 0.25],
    ['a zero power', 'peak_power', '0', 0],
    ['the largest size, 2^26', 'token_size', String(MAX_SIZE), MAX_SIZE],
  ])('%s (%s = %s)', async (_what, column, text, value) => {
    const [parsed] = await canonical(`${HEADER}\n${withField(column, text)}\n`);
    const read = column in GOOD_ROW.metrics ? parsed?.metrics[column as keyof Measurement['metrics']] : parsed?.[column as keyof Measurement];
    expect(read).toBe(value);
  });

  it('unknown extra columns, listed and ignored', async () => {
    const text = `gpu_temp,${HEADER},notes\n71,${GOOD},"fine, mostly"\n`;
    const result = await ingest([source(text)], ERROR);
    expect(result.rows).toEqual([{ ...GOOD_ROW, line: 2 }]);
    expect(result.files[0]?.unknownColumns).toEqual(['gpu_temp', 'notes']);
  });

  it('absent optional columns, as null metrics listed in missingOptionalColumns', async () => {
    const text = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time\nm,h,2,512,2,128,196.25,54.5\n';
    const result = await ingest([source(text)], ERROR);
    expect(result.rows).toEqual([
      { ...GOOD_ROW, metrics: { peak_power: null, average_power: null, prompt_time: 196.25, token_time: 54.5, e2e_time: null }, line: 2 },
    ]);
    expect(result.files[0]?.missingOptionalColumns).toEqual(['e2e_time', 'peak_power', 'average_power']);
  });

  it('a quoted name holding a comma and a quote', async () => {
    const [parsed] = await canonical(`${HEADER}\n${withField('model', '"a,""b"""')}\n`);
    expect(parsed?.model).toBe('a,"b"');
  });

  it('blank lines between rows, keeping physical line numbers', async () => {
    const rows = await canonical(`${HEADER}\n\n${GOOD}\n\n${GOOD}\n`);
    expect(rows.map((r) => r.line)).toEqual([3, 5]);
  });

  it('a file without a final newline', async () => {
    expect(await canonical(`${HEADER}\n${GOOD}`)).toEqual([{ ...GOOD_ROW, line: 2 }]);
  });

  it('any split into chunks, giving the same rows', async () => {
    const text = fileWith(GOOD);
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += 7) pieces.push(text.slice(i, i + 7));
    const bytes = [...Buffer.from(text)].map((b) => Uint8Array.of(b));
    expect(await canonical(text)).toEqual((await ingest([source(pieces)], ERROR)).rows);
    const fromBytes = await ingest([{ file: 'x.csv', chunks: (async function* () { yield* bytes; })() }], ERROR);
    expect(fromBytes.rows).toEqual(await canonical(text));
  });

  it('several files, keeping file order then row order', async () => {
    const result = await ingest([source(fileWith(GOOD), 'b.csv'), source(`${HEADER}\n${GOOD}\n`, 'a.csv')], ERROR);
    expect(result.rows.map((r) => `${r.file}:${r.line}`)).toEqual(['b.csv:2', 'b.csv:3', 'a.csv:2']);
    expect(result.files.map((f) => f.file)).toEqual(['b.csv', 'a.csv']);
  });
});

describe('ingest() with onInvalid skip', () => {
  it('sets bad rows aside with file, line, column and code, and keeps the good ones', async () => {
    const text = [
      HEADER,
      GOOD,
      withField('prompt_time', 'NaN'),
      GOOD.split(',').slice(0, 10).join(','),
      withField('model', 'kept'),
      withField('peak_power', '-1'),
      '',
    ].join('\n');
    const result = await ingest([source(text)], { onInvalid: 'skip' });
    expect(result.rows).toEqual([
      { ...GOOD_ROW, line: 2 },
      { ...GOOD_ROW, model: 'kept', line: 5 },
    ]);
    expect(result.rejected.map(({ reason: _reason, ...r }) => r)).toEqual([
      { file: 'x.csv', line: 3, column: 8, code: 'E_NON_FINITE', group: 'm/h/tp=2' },
      // Cut before tensor_parallel: the group cannot be read.
      { file: 'x.csv', line: 4, column: 11, code: 'E_FIELD_COUNT', group: null },
      { file: 'x.csv', line: 6, column: 6, code: 'E_NEGATIVE', group: 'm/h/tp=2' },
    ]);
    expect(result.rejected[0]?.reason).toContain('prompt_time "NaN"');
    expect(result.files[0]).toMatchObject({ rowsRead: 5, rowsRejected: 3 });
  });

  it('skips a line of spaces, tabs or only commas as a blank line, before the header and among the rows', async () => {
    // Lines by hand: 1 spaces, 2 header, 3 good, 4 a tab and spaces, 5 a bad power, 6 only commas, 7 spaces at the end.
    const text = ` \n${HEADER}\n${GOOD}\n\t  \n${withField('peak_power', '-1')}\n, ,,,,,,,,,\n   `;
    const result = await ingest([source(text)], { onInvalid: 'skip' });
    expect(result.rows.map((r) => r.line)).toEqual([3]);
    expect(result.rejected.map((r) => [r.line, r.code])).toEqual([[5, 'E_NEGATIVE']]);
    expect(result.files[0]).toMatchObject({ rowsRead: 2, rowsRejected: 1 });
  });

  it('says a file of blank lines holds only them, and an empty file that it is empty', async () => {
    expect((await ingestError([source(' \n\t\n')])).message).toContain('only blank lines');
    expect((await ingestError([source('')])).message).toContain('the file is empty');
  });

  it('names each record by the line it starts on, past quoted line ends (LF, CR, CRLF) and skipped empty lines', async () => {
    // Lines by hand: 1 header, 2 good, 3-4 a time with a quoted LF, 5 good, 6-8 a size with a quoted CRLF and a CR,
    // 9 empty, 10 good, 11 a bad power.
    const text = [
      `${HEADER}\r\n${GOOD}\r\n`,
      `${withField('prompt_time', '"19\n6"')}\r\n`,
      `${GOOD}\n`,
      `${withField('batch_size', '"2x\r\n\r"')}\r\n`,
      '\r\n',
      `${withField('model', 'kept')}\r`,
      `${withField('peak_power', '-1')}\n`,
    ].join('');
    const result = await ingest([source(text)], { onInvalid: 'skip' });
    expect(result.rows.map((r) => r.line)).toEqual([2, 5, 10]);
    expect(result.rejected.map((r) => [r.line, r.column, r.code])).toEqual([
      [3, 8, 'E_NON_NUMERIC'],
      [6, 4, 'E_NON_NUMERIC'],
      [11, 6, 'E_NEGATIVE'],
    ]);
    // With --on-invalid error, the first one stops the run at its first line.
    expect(await ingestError([source(text)])).toMatchObject({ code: 'E_NON_NUMERIC', place: { line: 3, column: 8 } });
  });

  it('still refuses a bad header', async () => {
    const error = await ingestError([source(`${HEADER},model\n${GOOD},m\n`)], { onInvalid: 'skip' });
    expect(error.code).toBe('E_DUPLICATE_COLUMN');
  });

  it('keeps a file whose every row is rejected when another file has rows', async () => {
    const result = await ingest([source(`${HEADER}\n${withField('prompt_time', 'x')}\n`, 'bad.csv'), source(`${HEADER}\n${GOOD}\n`, 'good.csv')], { onInvalid: 'skip' });
    expect(result.rows).toHaveLength(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.files.map((f) => f.rowsRejected)).toEqual([1, 0]);
  });

  it('refuses inputs whose every row is rejected with E_NO_VALID_ROWS naming the first', async () => {
    const error = await ingestError([source(`${HEADER}\n${withField('prompt_time', 'x')}\n`, 'bad.csv')], { onInvalid: 'skip' });
    expect(error.code).toBe('E_NO_VALID_ROWS');
    expect(error.message).toContain('bad.csv:2: E_NON_NUMERIC');
  });

  it('refuses no inputs at all with E_NO_INPUT', async () => {
    expect((await ingestError([], ERROR)).code).toBe('E_NO_INPUT');
  });
});

describe('ingest() file summary', () => {
  it('reports the sha256 and byte count of the bytes read', async () => {
    const text = `${HEADER}\n${withField('model', 'modèle-ü')}\n`;
    const result = await ingest([source(text)], ERROR);
    const expected = createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
    expect(result.files[0]?.sha256).toBe(expected);
    expect(result.files[0]?.bytes).toBe(Buffer.byteLength(text, 'utf8'));
    // two bytes each for è and ü
    expect(result.files[0]?.bytes).toBe(text.length + 2);
  });

  it('hashes the bytes as given, byte order mark included', async () => {
    const text = `\uFEFF${HEADER}\n${GOOD}\n`;
    const result = await ingest([source(text)], ERROR);
    expect(result.files[0]?.sha256).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(result.files[0]?.bytes).toBe(Buffer.byteLength(text));
  });
});

describe('translateParseError()', () => {
  it('gives a csv-parse error it has no code for E_CSV_SYNTAX, with the file and line', () => {
    const error = translateParseError(Object.assign(new CsvError('CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', 'Invalid Record Length'), { lines: 7 }), 'in.csv');
    expect(error).toBeInstanceOf(PerfDbError);
    expect(error).toMatchObject({ code: 'E_CSV_SYNTAX', message: 'the CSV cannot be parsed: Invalid Record Length', place: { file: 'in.csv', line: 7 } });
  });

  it('passes on an error that is not csv-parse\'s (a bug stays a bug)', () => {
    const bug = new TypeError('x is undefined');
    expect(translateParseError(bug, 'in.csv')).toBe(bug);
  });
});
