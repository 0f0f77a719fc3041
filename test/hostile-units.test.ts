/**
 * The hostile-input classes, one by one, below the command line: text that
 * is not what it seems, values at the edge of the double range, lookups
 * that must not trust their files, errors that must not change class, and
 * the pieces that make 10,000 groups cheap (copy search, shared chunks,
 * the report written in pieces). Expected answers come from independent
 * references: Node's own UTF-8 decoder, JSON.stringify, a brute-force search.
 */
import { isUtf8 } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { findCopies } from '../pipeline/checks/measured.js';
import { findLookalikes } from '../pipeline/checks/names.js';
import { PerfDbError, resourceError } from '../pipeline/core/errors.js';
import { outputPathError, readError } from '../pipeline/io/file-errors.js';
import { readFits } from '../pipeline/db/fits-file.js';
import { rebuildError, serializeError } from '../pipeline/emit/messages.js';
import { openInput } from '../pipeline/io/inputs.js';
import { firstInvalid, TextGuard } from '../pipeline/read/text.js';
import { reportJson } from '../pipeline/report/json.js';
import { ingest } from '../pipeline/stages/ingest.js';
import type { Configuration } from '../pipeline/types.js';
import { normalizeArgs } from '../scripts/cli-args.js';
import { ROOT, source } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time';
const ROWS = ['m,h,2,128,1,128,10,5', 'm,h,2,256,1,128,12,5.5', 'm,h,2,512,2,128,30,6'];

async function ingestBytes(chunks: Buffer[]) {
  try {
    return await ingest([{ file: 'x.csv', chunks: (async function* () { yield* chunks; })() }], { onInvalid: 'error' });
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
}

/** Splits bytes at the given cut points. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out.filter((c) => c.length > 0);
}

describe('text that is not what it seems', () => {
  it('finds the first invalid UTF-8 byte exactly where Node\'s fatal decoder stops accepting', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const bytes = Buffer.from(raw);
        const at = firstInvalid(bytes);
        expect(at === -1).toBe(isUtf8(bytes));
        if (at !== -1) {
          // Valid up to the byte, and no valid sequence starts there.
          expect(isUtf8(bytes.subarray(0, at))).toBe(true);
          for (let n = 1; n <= 4 && at + n <= bytes.length; n++) expect(isUtf8(bytes.subarray(at, at + n))).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['overlong NUL', [0xc0, 0x80]],
    ['overlong slash', [0xe0, 0x80, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a sequence cut short by a comma', [0xe2, 0x82, 0x2c]],
    ['Latin-1 é', [0xe9]],
  ])('refuses %s inside a name at its line and field, however the bytes are chunked', async (_name, bad) => {
    const text = Buffer.from(`${HEADER}\n${ROWS[0]}\n${ROWS[1]}\n${ROWS[2]}\n`);
    const at = text.indexOf('h,2,512');
    const bytes = Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at)]);
    for (const cuts of [[], [at + 1], [at + 2], [at, at + 1, at + 2, at + 3], [1, 7, at - 1]]) {
      const error = await ingestBytes(split(bytes, cuts));
      expect(error).toBeInstanceOf(PerfDbError);
      expect(error).toMatchObject({ code: 'E_INVALID_UTF8', place: { file: 'x.csv', line: 4, column: 2 } });
    }
  });

  it('accepts any valid UTF-8 split anywhere, a multi-byte character across chunks included', async () => {
    const text = Buffer.from(`${HEADER}\n${ROWS.map((r) => r.replace(/^m,/, 'mödel-🚀-日本,')).join('\n')}\n`);
    const whole = await ingestBytes([text]);
    expect(whole).not.toBeInstanceOf(PerfDbError);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(text.length), { maxLength: 12 }), async (cuts) => {
        const result = await ingestBytes(split(text, cuts));
        expect(result).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it('finds a NUL anywhere, at its line and field', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ROWS[i % 3] as string);
    rows[250] = 'm,h,2,128,1,128,1\u00000,5';
    const bytes = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`);
    expect(bytes.indexOf(0)).toBeGreaterThan(4096);
    for (const cuts of [[], [bytes.indexOf(0)], [bytes.indexOf(0) + 1, 100]]) {
      expect(await ingestBytes(split(bytes, cuts))).toMatchObject({ code: 'E_NOT_TEXT', place: { line: 252, column: 7 } });
    }
  });

  it('reads random bytes in random chunks as it reads them whole: the same verdict, the same first bad byte, every byte passed on once', () => {
    const verdict = (chunks: Buffer[]) => {
      const guard = new TextGuard('x');
      const passed: Buffer[] = [];
      try {
        for (const c of chunks) passed.push(guard.check(c));
        passed.push(guard.end());
      } catch (error) {
        return { error: (error as PerfDbError).format() };
      }
      return { bad: guard.bad, passed: Buffer.concat(passed).toString('hex') };
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), fc.array(fc.nat(160), { maxLength: 8 }), fc.boolean(), (raw, cuts, textStart) => {
        const bytes = Buffer.concat([Buffer.from(textStart ? 'model,hardware,prompt_size,batch_size,token_size,prompt_time,tok\n' : ''), Buffer.from(raw)]);
        expect(verdict(split(bytes, cuts))).toEqual(verdict([bytes]));
      }),
      { numRuns: 1500 },
    );
  });

  it('stops at the first line longer than the longest record, whatever the chunks and line ends, at its line (CR, LF, CRLF each one)', () => {
    // The reference: the file split at every CR, LF or CRLF, as the parser splits it.
    const firstLong = (text: string, max: number) => {
      const at = text.split(/\r\n|\r|\n/).findIndex((line) => Buffer.byteLength(line) > max);
      return at === -1 ? null : at + 1;
    };
    const verdict = (chunks: Buffer[], max: number) => {
      const guard = new TextGuard('x', max);
      try {
        for (const c of chunks) guard.check(c);
        guard.end();
      } catch (error) {
        return (error as PerfDbError).place.line ?? -1;
      }
      return null;
    };
    const line = fc.tuple(fc.stringMatching(/^[a-z,é]{0,120}$/), fc.constantFrom('\n', '\r', '\r\n'));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(400), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), (lines, cuts, max) => {
        // The first line is long enough to be the whole header: the start checks never stop it.
        const text = `${'h'.repeat(64)}\n${lines.map(([body, end]) => body + end).join('')}`;
        const bytes = Buffer.from(text);
        expect(verdict(split(bytes, cuts), max + 64)).toBe(firstLong(text, max + 64));
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses a line of empty fields longer than 1 MiB before parsing it (E_RECORD_TOO_LARGE), at its line', async () => {
    const bytes = Buffer.from(`${HEADER}\r${ROWS[0]}\r\n${','.repeat(3 * 2 ** 20)}\n${ROWS[1]}\n`);
    for (const cuts of [[], [1 << 16, 1 << 17, 5 << 16], [HEADER.length + 1]]) {
      expect(await ingestBytes(split(bytes, cuts))).toMatchObject({ code: 'E_RECORD_TOO_LARGE', place: { file: 'x.csv', line: 3 } });
    }
  });

  it('names a bad byte before the byte that makes its line too long, in the same chunk, as the fault', async () => {
    const long = Buffer.concat([Buffer.from(`${HEADER}\n${ROWS[0]}\n`), Buffer.alloc(2 ** 20 - 10, 0x2c), Buffer.from([0xff]), Buffer.alloc(2 ** 20, 0x2c), Buffer.from('\n')]);
    expect(await ingestBytes([long])).toMatchObject({ code: 'E_INVALID_UTF8', place: { line: 3 } });
    // After it, the line is the fault.
    const after = Buffer.concat([Buffer.from(`${HEADER}\n${ROWS[0]}\n`), Buffer.alloc(2 ** 20 + 10, 0x2c), Buffer.from([0xff, 0x0a])]);
    expect(await ingestBytes([after])).toMatchObject({ code: 'E_RECORD_TOO_LARGE', place: { line: 3 } });
  });

  it('names a bad byte at its line and field when a syntax error follows it in the same chunk', async () => {
    const [first, second] = ROWS as [string, string];
    const comma = second.indexOf(',');
    // Line 3: the bad byte in field 2 (just after the first comma); line 5: a stray quote in field 1.
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n${first}\n${second.slice(0, comma + 1)}`), Buffer.from([0xe9]), Buffer.from(`${second.slice(comma + 1)}\n${first}\nm"x${first.slice(1)}\n`)]);
    expect(await ingestBytes([bytes])).toMatchObject({ code: 'E_INVALID_UTF8', place: { line: 3, column: 2 } });
  });

  it('names the line of a bad byte in a file with CR line ends, as the parser counts them', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\r${ROWS[0]}\r\n${ROWS[1]}\r`), Buffer.from([0xff]), Buffer.from(`${ROWS[2]}\r`)]);
    for (const cuts of [[], [HEADER.length + 1], [HEADER.length + ROWS[0]!.length + 2]]) {
      expect(await ingestBytes(split(bytes, cuts))).toMatchObject({ code: 'E_INVALID_UTF8', place: { line: 4 } });
    }
  });

  it.each([
    ['UTF-16 LE with its byte-order mark', Buffer.from(`\uFEFF${HEADER}\n${ROWS[0]}\n`, 'utf16le'), 'E_UTF16'],
    ['UTF-16 BE with its byte-order mark', Buffer.from(`\uFEFF${HEADER}\n`, 'utf16le').swap16(), 'E_UTF16'],
    ['UTF-16 LE without a byte-order mark', Buffer.from(`${HEADER}\n${ROWS[0]}\n`, 'utf16le'), 'E_UTF16'],
    ['a zip archive', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]), 'E_NOT_TEXT'],
    ['a zstd frame', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]), 'E_NOT_TEXT'],
  ])('names %s for what it is', async (_name, bytes, code) => {
    expect(await ingestBytes([bytes])).toMatchObject({ code, place: { file: 'x.csv', line: 1 } });
  });

  const utf32le = (text: string) => Buffer.concat([...text].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0])));
  it.each([
    ['UTF-32 LE with its byte-order mark', utf32le(`\uFEFF${HEADER}\n`)],
    ['UTF-32 BE with its byte-order mark', utf32le(`\uFEFF${HEADER}\n`).swap32()],
    ['UTF-32 LE without a byte-order mark', utf32le(`${HEADER}\n${ROWS[0]}\n`)],
    ['UTF-32 BE without a byte-order mark', utf32le(`${HEADER}\n`).swap32()],
  ])('tells %s from UTF-16, with a hint that converts from UTF-32', async (_name, bytes) => {
    const error = (await ingestBytes([bytes])) as PerfDbError;
    expect(error).toMatchObject({ code: 'E_UTF16', message: 'the file is UTF-32 encoded; expected UTF-8 text', place: { line: 1 } });
    expect(error.hint).toContain('iconv -f UTF-32 -t UTF-8');
  });

  it.each([
    ['an escape sequence', 'm\u001b[31m', 'a control character (U+001B)'],
    ['a tab', 'm\tx', 'a control character (U+0009)'],
    ['a C1 next line', 'm\u0085x', 'a control character (U+0085)'],
    ['a right-to-left override', 'm\u202ex', 'a text-direction character (U+202E)'],
    ['a first-strong isolate', 'm\u2068x', 'a text-direction character (U+2068)'],
  ])('refuses a model name holding %s, at its line and field', async (_what, name, kind) => {
    const error = (await ingestBytes([Buffer.from(`${HEADER}\n${ROWS[0]}\n"${name}",h,2,256,1,128,12,5.5\n`)])) as PerfDbError;
    expect(error.code).toBe('E_CONTROL_CHARACTER');
    expect(error.message).toContain(`holds ${kind}; expected a printable name`);
    expect(error.place).toMatchObject({ line: 3, column: 1 });
  });

  it.each([
    ['an 8-bit escape introducer (U+009B)', 'm\u009b31mRED', '\\u009b'],
    ['a C1 next line (U+0085)', 'm\u0085x', '\\u0085'],
    ['a line separator (U+2028)', 'm\u2028x', '\\u2028'],
    ['a right-to-left override (U+202E)', 'm\u202ex', '\\u202e'],
  ])('writes %s in an error line as its escape, never raw', (_what, name, escaped) => {
    const error = new PerfDbError('E_CANNOT_FIT', `the group ${name} cannot be fitted`, { file: `${name}.csv`, group: `${name}/h/tp=1`, hint: `rename ${name}` });
    const line = error.format();
    expect(line).not.toMatch(/[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(line.split(escaped)).toHaveLength(5);
  });

  it('flags names that differ only by invisible characters (zero-width space, byte-order mark, joiner)', () => {
    const g = (id: string, model: string) => ({ id, model, hardware: 'h' });
    const found = findLookalikes([g('a', 'llama2-70b'), g('b', 'llama2\u200b-70b'), g('c', '\ufeffllama2-70b'), g('d', 'llama2-7\u200d0b'), g('e', 'llama2-70')]);
    expect(found.map((l) => [l.group, l.differs])).toEqual([
      ['a', 'invisible characters'],
      ['b', 'invisible characters'],
      ['c', 'invisible characters'],
      ['d', 'invisible characters'],
    ]);
  });

  it('reads every line ending the same, whatever their mix and wherever a chunk cuts a CRLF', async () => {
    const lf = await ingestBytes([Buffer.from(`${HEADER}\n${ROWS.join('\n')}\n`)]);
    const mixed = Buffer.from(`${HEADER}\n${ROWS[0]}\r\n${ROWS[1]}\r${ROWS[2]}\r\n`);
    const crAt = mixed.indexOf('\r\n');
    const strip = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'sha256' || k === 'bytes' || k === 'line' ? undefined : v)));
    for (const cuts of [[], [crAt + 1], [crAt, crAt + 1]]) expect(strip(await ingestBytes(split(mixed, cuts)))).toEqual(strip(lf));
  });

  it('flags names that differ only by surrounding spaces or Unicode normalisation, and no other', () => {
    const g = (id: string, model: string, hardware = 'h') => ({ id, model, hardware });
    const found = findLookalikes([g('a', 'llama'), g('b', ' llama'), g('c', 'caf\u00e9'), g('d', 'cafe\u0301'), g('e', 'Llama'), g('f', 'llama-2')]);
    expect(found.map((l) => [l.group, l.differs])).toEqual([
      ['a', 'surrounding spaces'],
      ['b', 'surrounding spaces'],
      ['c', 'Unicode normalisation'],
      ['d', 'Unicode normalisation'],
    ]);
  });
});

describe('values at the edge of the double range', () => {
  const withTime = (value: string) => source(`${HEADER}\n${ROWS[0]}\nm,h,2,256,1,128,${value},5.5\n${ROWS[2]}\n`);
  it.each([
    ['1e-400', /underflows to zero/],
    ['-1e-400', /underflows to zero/],
    ['0.0000e-500', /is not positive/],
    ['1e13', /outside the times accepted/],
    ['1e305', /outside the times accepted/],
    ['4.9e-324', /outside the times accepted/],
  ])('refuses prompt_time %s with a message of its own', async (value, message) => {
    const error = await ingest([withTime(value)], { onInvalid: 'error' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerfDbError);
    expect((error as PerfDbError).message).toMatch(message);
    expect((error as PerfDbError).place).toMatchObject({ line: 3, column: 7 });
  });

  it.each([
    [3, 'tensor_parallel'],
    [4, 'prompt_size'],
    [9, 'peak_power'],
  ])('calls 1e-400 an underflow in column %i (%s) too, not a zero', async (column, name) => {
    const header = `${HEADER},peak_power`;
    const fields = `m,h,2,256,1,128,12,5.5,1`.split(',');
    fields[column - 1] = '1e-400';
    const text = `${header}\n${ROWS[0]},1\n${fields.join(',')}\n${ROWS[2]},1\n`;
    const error = await ingest([source(text)], { onInvalid: 'error' }).catch((e: unknown) => e);
    expect((error as PerfDbError).message).toBe(`${name} "1e-400" underflows to zero (below the smallest double); expected ${name === 'peak_power' ? 'a finite number >= 0' : name === 'tensor_parallel' ? 'a positive integer (GPUs)' : 'a positive integer number of tokens'}`);
    expect((error as PerfDbError).place).toMatchObject({ line: 3, column });
  });

  it('accepts the bounds themselves', async () => {
    for (const value of ['1e-9', '1e12']) expect((await ingest([withTime(value)], { onInvalid: 'error' })).rows).toHaveLength(3);
  });
});

describe('normalizeArgs()', () => {
  const kinds = { boolean: ['strict', 'plots', 'help'], key: { strict: true, plots: true, help: true, prompts: true, input: true, out: true } };
  it.each([
    [['--prompts', '-5..10'], ['--prompts=-5..10']],
    [['--input', '-'], ['--input=-']],
    [['--strict=true', '--no-plots'], ['--strict=true', '--no-plots']],
    [['--prompts', '128', '--', '--strict=maybe'], ['--prompts', '128', '--', '--strict=maybe']],
    [['--unknown', '-1'], ['--unknown', '-1']],
    // `--input=` is the empty value, which the option's own check refuses: yargs would drop it from an array option.
    [['--input=', '--out=x'], ['--input', '', '--out=x']],
  ])('passes %j on as %j', (args, expected) => {
    expect(normalizeArgs(args, kinds, {})).toEqual(expected);
  });

  it.each([
    [['--strict=maybe'], /--strict is a flag and takes no value; got "maybe"/],
    [['--no-strict=1'], /--no-strict is a flag/],
    [['--input'], /--input needs a value/],
    [['--prompts', '--strict'], /--prompts needs a value/],
  ])('refuses %j', (args, message) => {
    const error = (() => {
      try {
        normalizeArgs(args, kinds, {});
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toMatchObject({ code: 'E_BAD_OPTION', exitCode: 2 });
    expect((error as Error).message).toMatch(message);
  });

  it('names the options npm took for itself when `--` is missing', () => {
    expect(() => normalizeArgs(['128..8192'], kinds, { npm_lifecycle_event: 'generate', npm_config_prompts: 'true' })).toThrow(/npm took --prompts for its own settings/);
    // Given after `--`, the same setting is ours, and nothing is said.
    expect(normalizeArgs(['--prompts', '128'], kinds, { npm_lifecycle_event: 'generate', npm_config_prompts: 'true' })).toEqual(['--prompts', '128']);
  });
});

describe('lookups that do not trust fits.json', () => {
  const good = JSON.parse(readFileSync(join(ROOT, 'data', 'generated', 'fits.json'), 'utf8')) as Record<string, unknown> & { groups: Record<string, unknown>[] };
  const upperBand = (f: typeof good) => (f as unknown as { bands: { prompt_time: { upper: Record<string, number> } } }).bands.prompt_time.upper;
  const knots = (f: typeof good) => (f.groups[0] as { fits: { prompt_time: { knots: { x: number[]; y: number[] } } } }).fits.prompt_time.knots;
  const cases: [string, (f: typeof good) => unknown, RegExp][] = [
    ['null knots', (f) => ((f.groups[0] as { fits: { prompt_time: Record<string, unknown> } }).fits.prompt_time.knots = null), /knots/],
    ['knots missing', (f) => delete (f.groups[0] as { fits: { prompt_time: Record<string, unknown> } }).fits.prompt_time.knots, /knots/],
    ['x and y of different lengths', (f) => knots(f).y.pop(), /x but .* y/],
    ['an unknown method', (f) => ((f.groups[0] as { fits: { token_time: Record<string, unknown> } }).fits.token_time.method = 'cubic'), /method/],
    ['a single knot', (f) => Object.assign(knots(f), { x: [128], y: [10] }), /x/],
    ['reversed knots', (f) => knots(f).x.reverse(), /does not rise/],
    ['negated knots', (f) => Object.assign(knots(f), { x: knots(f).x.map((x) => -x) }), /x/],
    ['a zero time', (f) => (knots(f).y[1] = 0), /not a positive time/],
    ['a reversed range', (f) => ((f.groups[0] as { range: number[] }).range.reverse()), /range/],
    ['groups not an array', (f) => (f.groups = {} as never), /groups/],
    ['a string for a number', (f) => ((f as unknown as { coverage: unknown }).coverage = '0.8'), /coverage/],
    ['a band that overflows at its largest factor', (f) => Object.assign(upperBand(f), { q: 1e308, gamma: 2, maxFactor: 8 }), /bands\/prompt_time\/upper: .*infinite half-width/],
    ['a growth exponent beyond the calibration\'s', (f) => Object.assign(upperBand(f), { gamma: 3 }), /bands\/prompt_time/],
  ];
  /** The good fits.json damaged, written to a file, read: the error, and the file's path. */
  const readDamaged = async (damage: (f: typeof good) => unknown) => {
    const fits = structuredClone(good);
    damage(fits);
    const path = join(dir, `fits-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(fits));
    return { error: await readFits(path).catch((e: unknown) => e), path };
  };
  it.each(cases)('refuses %s in one line naming the place, never a stack trace', async (_name, damage, where) => {
    const { error, path } = await readDamaged(damage);
    expect(error).toBeInstanceOf(PerfDbError);
    expect(error).toMatchObject({ code: 'E_BAD_DATABASE', place: { file: path } });
    expect((error as PerfDbError).message).toMatch(where);
  });

  /** data/generated/fits.json's first group is bloom-176b/a100-80gb/tp=8, knots at batch_tokens 128..32768, as its range. */
  type Fit = { key: string; knots: { x: number[]; y: number[] }; model: { coef: number[] }; tails: Record<'upper' | 'lower', Record<string, unknown> & { model: { coef: number[] } | null }> };
  const fit = (f: typeof good, metric: 'prompt_time' | 'token_time') => (f.groups[0] as { fits: Record<string, Fit> }).fits[metric] as Fit;
  const group = (f: typeof good) => f.groups[0] as { range: number[] };
  const limits = 'the times a run accepts, 1e-9 to 1000000000000 ms';
  const coefs = "is outside 0 to 1000000000000; a model's coefficients are non-negative and at most the largest time a run accepts, in ms per unit of their term";
  const span = 'the range is the measured batch_tokens range, first knot to last';
  it('reads the fits.json a run wrote, the group these cases damage included', async () => {
    const fits = await readFits(join(ROOT, 'data', 'generated', 'fits.json'));
    expect(fits.groups[0]).toMatchObject({ id: 'bloom-176b/a100-80gb/tp=8', range: [128, 32768] });
  });

  it.each<[string, (f: typeof good) => unknown, string]>([
    ['knot times that overflow a prediction', (f) => fit(f, 'prompt_time').knots.y.fill(1.7e308), `/groups/0/fits/prompt_time/knots/y/0: 1.7e+308 ms is outside ${limits}`],
    ['a knot time below a picosecond', (f) => (fit(f, 'token_time').knots.y[3] = 1e-12), `/groups/0/fits/token_time/knots/y/3: 1e-12 ms is outside ${limits}`],
    ["a model's coefficients that overflow", (f) => (fit(f, 'token_time').model.coef = [1.7e308, 1.7e308, 1.7e308]), `/groups/0/fits/token_time/model/coef/0: 1.7e+308 ${coefs}`],
    ["a model tail's coefficients that overflow", (f) => ((fit(f, 'token_time').tails.upper.model as { coef: number[] }).coef = [1.7e308, 1.7e308, 1.7e308]), `/groups/0/fits/token_time/tails/upper/model/coef/0: 1.7e+308 ${coefs}`],
    ['a negative coefficient', (f) => (fit(f, 'prompt_time').model.coef[2] = -1), `/groups/0/fits/prompt_time/model/coef/2: -1 ${coefs}`],
    ["a tail's end value beyond the largest time", (f) => (fit(f, 'prompt_time').tails.upper.y = 1e300), `/groups/0/fits/prompt_time/tails/upper/y: 1e+300 ms is outside ${limits}`],
    ["a tail's floor of zero", (f) => (fit(f, 'prompt_time').tails.lower.floor = 0), '/groups/0/fits/prompt_time/tails/lower/floor: 0 is not a positive time'],
    ["a tail's slope steeper than any two knots give", (f) => (fit(f, 'prompt_time').tails.upper.slope = 1e300), "/groups/0/fits/prompt_time/tails/upper/slope: 1e+300 is steeper than 1000000000000 ms per unit of x, the most two knots' times can differ by"],
    ['a range that does not hold the knots', (f) => (group(f).range = [1, 2]), `/groups/0/range: [1, 2] is not the span of the prompt_time knots, 128..32768; ${span}`],
    ['a range wider than the knots', (f) => (group(f).range = [64, 32768]), `/groups/0/range: [64, 32768] is not the span of the prompt_time knots, 128..32768; ${span}`],
    ["token_time's batch_tokens knots short of the range", (f) => (fit(f, 'token_time').knots.x.pop(), fit(f, 'token_time').knots.y.pop()), `/groups/0/range: [128, 32768] is not the span of the token_time knots, 128..16384; ${span}`],
    ['prompt_time keyed on batch_size', (f) => (fit(f, 'prompt_time').key = 'batch_size'), '/groups/0/fits/prompt_time/key: batch_size, but prompt_time is fitted on batch_tokens (only token_time may be keyed on batch_size)'],
  ])('refuses %s at its JSON path, with the limit it breaks', async (_name, damage, what) => {
    const { error, path } = await readDamaged(damage);
    expect(error).toBeInstanceOf(PerfDbError);
    expect((error as PerfDbError).format()).toBe(`${path}: E_BAD_DATABASE fits.json is not a valid fits file: ${what}; hint: the file is damaged or was edited; regenerate it with \`npm run generate\``);
  });

  it.each([
    ['null', 'E_BAD_DATABASE'],
    ['[]', 'E_BAD_DATABASE'],
    ['"fits"', 'E_BAD_DATABASE'],
    ['{"fitsVersion": 2}', 'E_SCHEMA_VERSION'],
    ['{', 'E_BAD_DATABASE'],
  ])('refuses the file %s', async (text, code) => {
    const path = join(dir, 'fits-text.json');
    writeFileSync(path, text);
    expect(await readFits(path).catch((e: unknown) => e)).toMatchObject({ code });
  });
});

describe('errors that cross from a worker', () => {
  it.each([
    ['an ENOENT with a code and a path', Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', syscall: 'open', path: '/x' })],
    ['an error with a made-up E_ code', Object.assign(new Error('looks known'), { code: 'E_EMPTY_FILE' })],
    ['a TypeError', new TypeError('x is undefined')],
  ])('keeps %s a bug (not a one-line user error)', (_name, error) => {
    const rebuilt = rebuildError(serializeError(error));
    expect(rebuilt).not.toBeInstanceOf(PerfDbError);
    expect(rebuilt.message).toContain('in an emit worker');
  });

  it('lets the project\'s own errors cross as they are', () => {
    const rebuilt = rebuildError(serializeError(new PerfDbError('E_NO_ROWS', 'no rows', { file: 'a.csv', line: 2, hint: 'h' })));
    expect(rebuilt).toBeInstanceOf(PerfDbError);
    expect((rebuilt as PerfDbError).format()).toBe('a.csv:2: E_NO_ROWS no rows; hint: h');
  });
});

describe('the system refusing a resource', () => {
  const emfile = () => Object.assign(new Error("EMFILE: too many open files, open '/o/plots/a.svg'"), { code: 'EMFILE', syscall: 'open', path: '/o/plots/a.svg' });
  const workerInit = () => Object.assign(new Error('Worker initialization failure: EMFILE'), { code: 'ERR_WORKER_INIT_FAILED' });

  it.each([
    ['too many open files in a worker', () => rebuildError(serializeError(emfile())), 'open files', 'ulimit -n'],
    ['too many open files reading an input', () => readError(emfile(), 'in.csv'), 'open files', 'ulimit -n'],
    ['too many open files writing the outputs', () => outputPathError(emfile(), 'out'), 'open files', 'ulimit -n'],
    ['a worker that cannot start', () => resourceError(workerInit()), 'room to start a thread', '--concurrency 1'],
    ['no memory', () => resourceError(Object.assign(new Error('ENOMEM: not enough memory'), { code: 'ENOMEM' })), 'memory', '--concurrency 1'],
  ])('makes %s E_OUT_OF_RESOURCES, with the limit to raise', (_what, make, what, hint) => {
    const error = make() as PerfDbError;
    expect(error).toBeInstanceOf(PerfDbError);
    expect(error.code).toBe('E_OUT_OF_RESOURCES');
    expect(error.message).toMatch(new RegExp(`^the system has no more ${what} for this run: `));
    expect(error.hint).toContain(hint);
    expect(error.format().split('\n')).toHaveLength(1);
  });

  it('leaves other errors as they are', () => {
    expect(resourceError(new TypeError('x'))).toBeNull();
    expect(resourceError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))).toBeNull();
    expect(resourceError(null)).toBeNull();
  });
});

describe('what makes many groups cheap', () => {
  /** The plain search: each series against every earlier one. */
  function bruteForce(groups: { id: string; configurations: Configuration[] }[]) {
    const sorted = [...groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const out: { group: string; of: string }[] = [];
    const keys = (g: (typeof sorted)[number]) => g.configurations.map((c) => `${c.prompt_size}/${c.batch_size}/${c.token_size}`).join(';');
    const values = (g: (typeof sorted)[number]) => g.configurations.map((c) => c.metrics.prompt_time?.median ?? NaN);
    for (let j = 1; j < sorted.length; j++) {
      const b = values(sorted[j]!);
      if (b.every((v) => v === 0)) continue;
      for (let i = 0; i < j; i++) {
        const a = values(sorted[i]!);
        if (keys(sorted[i]!) !== keys(sorted[j]!)) continue;
        const f = b[0]! / a[0]!;
        if (b.every((v, k) => v === a[k]) || (a[0] !== 0 && b.every((v, k) => a[k] !== 0 && Math.abs(v / a[k]! - f) <= 1e-12 * Math.abs(f)))) {
          out.push(f >= 1 ? { group: sorted[j]!.id, of: sorted[i]!.id } : { group: sorted[i]!.id, of: sorted[j]!.id });
          break;
        }
      }
    }
    return out;
  }

  it('finds the copies a brute-force search finds', () => {
    const config = (p: number, v: number): Configuration => ({ prompt_size: p, batch_size: 1, token_size: 128, count: 1, metrics: { prompt_time: { median: v } } }) as unknown as Configuration;
    fc.assert(
      fc.property(fc.array(fc.record({ base: fc.integer({ min: 0, max: 3 }), factor: fc.constantFrom(1, 2, 0.5, 3), sizes: fc.constantFrom([128, 256], [128, 512], [128, 256, 512]) }), { minLength: 1, maxLength: 12 }), (specs) => {
        const bases = [[10, 20, 35], [7, 9, 11], [0, 0, 0], [5, 0, 8]];
        const groups = specs.map((s, i) => ({ id: `g${String(i).padStart(2, '0')}`, configurations: s.sizes.map((p, k) => config(p, (bases[s.base]![k] as number) * s.factor)) }));
        expect(findCopies(groups, ['prompt_time']).map((c) => ({ group: c.group, of: c.of }))).toEqual(bruteForce(groups));
      }),
      { numRuns: 400 },
    );
  });

  it('writes quality-report.json in pieces with the bytes JSON.stringify writes', () => {
    const report = JSON.parse(readFileSync(join(ROOT, 'data', 'generated', 'quality-report.json'), 'utf8')) as Record<string, unknown>;
    for (const value of [report, { ...report, groups: [] }, { a: 1, groups: [{ b: [1, { c: null }], d: 'x\ny' }, {}], e: undefined }, {}, { groups: [[]] }]) {
      expect([...reportJson(value)].join('')).toBe(`${JSON.stringify(value, null, 2)}\n`);
    }
  });
});

describe('openInput() on paths that lead nowhere', () => {
  const here = mkdtempSync(join(tmpdir(), 'perfdb-paths-'));
  afterAll(() => rmSync(here, { recursive: true, force: true }));
  it.each([
    ['a loop of symbolic links', () => {
      symlinkSync(join(here, 'b'), join(here, 'a'));
      symlinkSync(join(here, 'a'), join(here, 'b'));
      return join(here, 'a');
    }, /cannot be read: too many symbolic links \(ELOOP\)/],
    ['a name longer than the file system allows', () => join(here, `${'n'.repeat(300)}.csv`), /cannot be read: the path is too long \(ENAMETOOLONG\)/],
  ])('refuses %s with E_UNREADABLE naming the cause', async (_what, make, cause) => {
    const error = await openInput(make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerfDbError);
    expect((error as PerfDbError).code).toBe('E_UNREADABLE');
    expect((error as PerfDbError).message).toMatch(cause);
  });
});

describe('PerfDbError.format() of a group with a huge name', () => {
  it('shows the name by its start and length, in the message and after it, and keeps a short name whole', () => {
    const group = `${'m'.repeat(1 << 20)}/h/tp=2`;
    const line = new PerfDbError('E_CANNOT_FIT', `cannot fit ${group}: one point`, { group, hint: 'measure more' }).format();
    const shown = `${'m'.repeat(120)}…(${group.length} chars)`;
    expect(line).toBe(`E_CANNOT_FIT cannot fit ${shown}: one point (group ${shown}); hint: measure more`);
    expect(new PerfDbError('E_CANNOT_FIT', 'cannot fit m/h/tp=2', { group: 'm/h/tp=2', hint: 'h' }).format()).toBe('E_CANNOT_FIT cannot fit m/h/tp=2 (group m/h/tp=2); hint: h');
  });
});
