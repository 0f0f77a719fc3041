import { describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import { parseSizeList } from '../pipeline/options/sizes.js';
import { coverageOption, integerOption, parseExtrapolate, parseMethods } from '../pipeline/options/values.js';
import { resolveGenerateOptions } from '../pipeline/options/generate.js';

function thrown(fn: () => unknown): PerfDbError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PerfDbError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('parseSizeList()', () => {
  it('steps a range by the given step: 128..8192 by 64 gives 127 values', () => {
    const values = parseSizeList('128..8192', 'prompts', 64);
    // (8192 - 128) / 64 + 1 = 127
    expect(values).toHaveLength(127);
    expect(values[0]).toBe(128);
    expect(values[1]).toBe(192);
    expect(values[126]).toBe(8192);
    expect(values.every((v, i) => i === 0 || v - (values[i - 1] as number) === 64)).toBe(true);
  });

  it.each([
    ['128,300,512', 1, [128, 300, 512]],
    ['1..64:4', 1, [1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57, 61]],
    ['1..64:4', 64, [1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57, 61]], // its own step wins
    ['1,8..10', 1, [1, 8, 9, 10]],
    ['1..5', 1, [1, 2, 3, 4, 5]],
    ['1..5', 3, [1, 4]], // the end is not added when the step skips it
    ['7', 1, [7]],
    ['5..5', 1, [5]],
    ['512,128,300,128', 1, [128, 300, 512]], // duplicates removed, sorted
    ['1..4,2..6', 1, [1, 2, 3, 4, 5, 6]], // overlapping ranges
    ['10,9,100', 1, [9, 10, 100]], // numeric, not string, order
    [' 1 , 2 ', 1, [1, 2]],
    ['67108864', 1, [2 ** 26]],
  ])('parses %j (step %s)', (text, step, expected) => {
    expect(parseSizeList(text, 'prompts', step)).toEqual(expected);
  });

  it.each([
    ['8192..128', 'runs backwards'],
    ['0..5', 'outside'],
    ['0', 'outside'],
    ['1.5', 'not a whole number'],
    ['a..b', 'not a whole number'],
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['1..10:0', 'outside'],
    ['-4', 'not a whole number'],
    ['1,,2', 'not a number or range'],
    ['4:2', 'has a step but no range'],
    ['1..67108865', 'outside'],
    ['1e3', 'not a whole number'],
  ])('refuses %j as a usage error E_BAD_RANGE (%s)', (text, what) => {
    const error = thrown(() => parseSizeList(text, 'prompts'));
    expect(error.code).toBe('E_BAD_RANGE');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`--prompts ${JSON.stringify(text)}`);
    expect(error.message).toContain(what);
    expect(error.hint).toContain('128..8192');
  });

  it('refuses a step below 1 given as the default step', () => {
    const error = thrown(() => parseSizeList('1..10', 'prompts', 0));
    expect(error.code).toBe('E_BAD_RANGE');
    expect(error.exitCode).toBe(2);
  });

  it('names the option in the message', () => {
    expect(thrown(() => parseSizeList('x', 'batches')).message).toMatch(/^--batches "x"/);
  });
});

describe('integerOption()', () => {
  it.each([
    [0, 1],
    [1.5, 1],
    [Number.NaN, 1],
    [-3, 1],
    [11, 1, 10],
    ['abc', 1],
    ['', 1],
    ['1e3', 1],
    ['9007199254740993', 1],
  ])('refuses %s for min %s (max %s) as a usage error E_BAD_OPTION', (value: number | string, min, max?: number) => {
    const error = thrown(() => integerOption(value, 'step', min, max));
    expect(error.code).toBe('E_BAD_OPTION');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('--step');
    expect(error.hint).toContain(`from ${min}`);
  });

  it.each([
    [1, 1],
    [64, 1],
    [10, 1, 10],
    [Number.MAX_SAFE_INTEGER, 1],
  ])('returns %s for min %s (max %s)', (value, min, max?: number) => {
    expect(integerOption(value, 'step', min, max)).toBe(value);
    expect(integerOption(String(value), 'step', min, max)).toBe(value);
  });
});

describe('parseMethods()', () => {
  it('gives every metric a plain method and a named metric its own, whatever the order', () => {
    expect(parseMethods(['auto', 'token_time=isotonic'])).toEqual({ prompt_time: 'auto', token_time: 'isotonic', peak_power: 'auto', average_power: 'auto' });
    expect(parseMethods(['token_time=pchip', 'linear'])).toEqual({ prompt_time: 'linear', token_time: 'pchip', peak_power: 'linear', average_power: 'linear' });
    expect(parseMethods(['pchip', 'pchip', 'prompt_time=auto', 'prompt_time=auto'])).toEqual({ prompt_time: 'auto', token_time: 'pchip', peak_power: 'pchip', average_power: 'pchip' });
  });

  it.each([
    [['pchip', 'linear'], '"linear"', '"pchip"'],
    [['prompt_time=pchip', 'prompt_time=isotonic'], '"prompt_time=isotonic"', '"prompt_time=pchip"'],
  ])('refuses the contradiction %j with E_BAD_METHOD naming both entries', (entries, later, earlier) => {
    const error = thrown(() => parseMethods(entries));
    expect(error.code).toBe('E_BAD_METHOD');
    expect(error.message).toBe(`--method ${later}: it contradicts ${earlier} given before; give one method ${entries[0]?.includes('=') ? 'for prompt_time' : 'for every metric'}`);
  });

  it('refuses contradicting --extrapolate entries for one metric', () => {
    const error = thrown(() => parseExtrapolate(['prompt_time=clamp', 'prompt_time=line']));
    expect(error.code).toBe('E_BAD_OPTION');
    expect(error.message).toContain('it contradicts "prompt_time=clamp" given before');
  });

  it.each([
    ['nosuch', '"nosuch" is not a method'],
    ['prompt_time=linear=pchip', '"linear=pchip" is not a method'],
    ['e2e_time=linear', '"e2e_time" is not a fitted metric'],
    ['prompt_time=', '"" is not a method'],
  ])('refuses --method %s with E_BAD_METHOD (exit 2): %s', (entry, what) => {
    const error = thrown(() => parseMethods([entry]));
    expect(error.code).toBe('E_BAD_METHOD');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`--method ${JSON.stringify(entry)}: ${what}`);
  });
});

describe('parseMethods() and the decode model', () => {
  it('takes token_time=decode for token_time alone', () => {
    expect(parseMethods(['token_time=decode', 'pchip'])).toEqual({ prompt_time: 'pchip', token_time: 'decode', peak_power: 'pchip', average_power: 'pchip' });
  });

  it.each([
    [['decode'], 'decode', ' (here it would fit prompt_time too)'],
    [['token_time=decode', 'decode'], 'decode', ' (here it would fit prompt_time too)'],
    [['prompt_time=decode'], 'prompt_time=decode', ''],
    [['token_time=decode', 'average_power=decode'], 'average_power=decode', ''],
  ])('refuses %j as a usage error (E_BAD_METHOD, exit 2) before any input is read', (entries, entry, extra) => {
    const error = thrown(() => parseMethods(entries));
    expect(error.code).toBe('E_BAD_METHOD');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`--method "${entry}": decode is the decode model of token_time and fits no other metric${extra}`);
    expect(error.hint).toBe('write --method token_time=decode; the other metrics keep their own method (linear unless given)');
  });
});

describe('coverageOption()', () => {
  it.each(['0.8', '0.95', '.5', '0.999999', '0.000001'])('accepts %s', (text) => {
    expect(coverageOption(text)).toBe(Number(text));
  });

  it.each(['0', '1', '0.9999999999999999', '0.0000001', '1.5', '-0.8', '80%', ''])('refuses %j with E_BAD_OPTION (exit 2)', (text) => {
    const error = thrown(() => coverageOption(text));
    expect(error.code).toBe('E_BAD_OPTION');
    expect(error.exitCode).toBe(2);
  });
});

describe('resolveGenerateOptions()', () => {
  it('refuses --max-extrapolation-action without --max-extrapolation, whatever its value', () => {
    for (const action of ['skip', 'maybe', '']) {
      const error = thrown(() => resolveGenerateOptions({ maxExtrapolationAction: action } as Parameters<typeof resolveGenerateOptions>[0]));
      expect(error.code).toBe('E_BAD_OPTION');
      expect(error.message).toContain('has no factor to act on: --max-extrapolation is not given');
    }
  });
});
