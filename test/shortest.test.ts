import { describe, expect, it } from 'vitest';
import { SHORTEST_RANGE, writeFromProduct, writeShortest } from '../pipeline/emit/shortest.js';

const decoder = new TextDecoder();

/** The text `write` (writeShortest by default) gives a value written at `offset`, or null when it leaves the value to another. */
function written(value: number, offset = 3, write = writeShortest): string | null {
  const buffer = new Uint8Array(offset + 40).fill(35);
  const end = write(buffer, offset, value);
  if (end < 0) return null;
  expect(buffer.subarray(0, offset).every((b) => b === 35)).toBe(true);
  expect(buffer.subarray(end).every((b) => b === 35)).toBe(true);
  return decoder.decode(buffer.subarray(offset, end));
}

/** A xorshift32 stream: the same values on every run. */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('writeShortest()', () => {
  // Expected texts are Python's repr (round-half-even shortest digits, as ECMAScript's toString), checked by hand.
  it.each([
    ['an integer', 1, '1'],
    ['a large integer', 2147483647, '2147483647'],
    ['a half', 1.5, '1.5'],
    ['a short decimal', 79.66843713074923, '79.66843713074923'],
    ['just below an integer', 9.999999999999998, '9.999999999999998'],
    ['just below two', 1.9999999999999998, '1.9999999999999998'],
    ['just below 2^31', 2 ** 31 - 2 ** -22, '2147483647.9999998'],
    ['a tie rounded down to the even digit', 2 ** 30 + 1 / 256, '1073741824.0039062'],
    ['a tie rounded up to the even digit', 2 ** 30 + 3 / 256, '1073741824.0117188'],
    ['a value whose digits end in a carry', 536870912.0078125, '536870912.0078125'],
    ['0.1 + 0.2 scaled', (0.1 + 0.2) * 100, '30.000000000000004'],
  ])('writes %s as Number.prototype.toString does', (_name, value, expected) => {
    const text = written(value);
    expect(text ?? String(value)).toBe(expected);
    expect(String(value)).toBe(expected);
  });

  it.each([
    ['below 1', 0.5],
    ['zero', 0],
    ['negative', -12.5],
    ['2^31', 2 ** 31],
    ['huge', 1e300],
    ['subnormal', 5e-324],
    ['NaN', NaN],
    ['Infinity', Infinity],
  ])('leaves a value %s to toString, writing nothing', (_name, value) => {
    expect(value >= SHORTEST_RANGE[0] && value < SHORTEST_RANGE[1]).toBe(false);
    expect(written(value)).toBeNull();
  });

  it('gives toString\'s digits for a million doubles from 1 to 2^31, and leaves none from 4 up to it', () => {
    const next = stream(20261201);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const values: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Any bit pattern with an exponent in [1, 2^31); a latency-like sum; neighbours of short decimals; dyadic values (ties).
      words[1] = ((1023 + (next() % 31)) << 20) | (next() & 0xfffff);
      words[0] = next();
      values.push(bits[0] as number);
      values.push(10 + (next() / 2 ** 32) * 100 + 127 * (5 + (next() / 2 ** 32) * 50));
      const short = 1 + (next() % 10_000_000) / 10 ** (next() % 8);
      values.push(short, short * (1 + 2 ** -52), short * (1 - 2 ** -53));
    }
    for (let i = 0; i < 100_000; i++) values.push(2 ** (2 + (next() % 29)) + (next() % 4096) / 4096);
    const buffer = new Uint8Array(48);
    const wrong: string[] = [];
    const left: number[] = [];
    for (const value of values) {
      const offset = next() % 8;
      const end = writeShortest(buffer, offset, value);
      if (end < 0) left.push(value);
      else if (decoder.decode(buffer.subarray(offset, end)) !== String(value)) wrong.push(`${String(value)} written as ${decoder.decode(buffer.subarray(offset, end))}`);
    }
    expect(values.length).toBe(1_100_000);
    expect(wrong.slice(0, 5)).toEqual([]);
    // Below 4 a first step can need more than 53 bits: those values are left to toString, and only those.
    expect(left.filter((v) => v >= 4)).toEqual([]);
  });
});

describe('writeFromProduct()', () => {
  /** Its text, or null where it leaves the value to the digit-by-digit method. */
  const product = (value: number, offset = 2) => written(value, offset, writeFromProduct);

  // Expected texts are Python's repr of the same doubles.
  it.each([
    ['a rounding up at the last digit', 100 - 2 ** -46, '99.99999999999999'],
    ['a short fraction (descends to two digits)', 10.25, '10.25'],
    ['leading zeros in the fraction', 1000.000001, '1000.000001'],
    ['a one-ulp step above an integer', 12.000000000000002, '12.000000000000002'],
    ['the smallest magnitude it takes', 8.000000000000002, '8.000000000000002'],
    ['seventeen significant digits', 123456.78901234567, '123456.78901234567'],
    ['fraction digits in both halves of the split', 65536.00000000001, '65536.00000000001'],
    ['just below 2^31', 2 ** 31 - 2 ** -22, '2147483647.9999998'],
  ])('writes %s as toString does', (_name, value, expected) => {
    expect(String(value)).toBe(expected);
    expect(product(value)).toBe(expected);
  });

  it.each([
    ['an integer', 4096],
    ['a value below 8 (16 fraction digits to look at)', 7.25],
    // At one fraction digit, 1 - r is 2.8e-14 against a bound of 3.6e-14: within the margin.
    ['a short decimal that is not a double', 33.3],
  ])('leaves %s to the digit-by-digit method', (_name, value) => {
    expect(product(value)).toBeNull();
    expect(written(value) ?? String(value)).toBe(String(value));
  });

  it('decides nearly every latency-like value, each as toString writes it', () => {
    const next = stream(7);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    let decided = 0;
    const wrong: string[] = [];
    const total = 300_000;
    for (let i = 0; i < total; i++) {
      const value = i % 2 === 0 ? 10 + (next() / 2 ** 32) * 100 + 127 * (5 + (next() / 2 ** 32) * 50) : ((words[1] = ((1026 + (next() % 28)) << 20) | (next() & 0xfffff)), (words[0] = next()), bits[0] as number);
      const text = product(value, next() % 4);
      if (text === null) continue;
      decided++;
      if (text !== String(value)) wrong.push(`${String(value)} written as ${text}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(decided / total).toBeGreaterThan(0.99);
  });
});
