/**
 * The digits Number.prototype.toString writes for a double, written as ASCII
 * bytes straight into a buffer: no string is made, so a row costs no garbage
 * and no native call. Only for the values the emitter writes most (from 1 up
 * to 2^31: latencies in ms); anything else is left to toString.
 *
 * Method: the shortest decimal that reads back to v, and of those the closest
 * to v (ties to an even last digit), which is what ECMAScript's
 * Number::toString asks for and V8 writes. v = I + f / 2^q, with I its
 * integer part and f < 2^q an integer (q fractional bits, q >= 22 below
 * 2^31), is exact in doubles. Every decimal strictly within half an ulp
 * (2^-(q+1)) of v reads back to v (the gap below a power of two is smaller,
 * but those are integers here, written before any fraction); a boundary is
 * an odd multiple of 2^-(q+1), which needs q + 1 >= 23 fractional digits,
 * more than any candidate has. After j fractional digits, the rest is
 * f_j / 2^(q-j) with f_j < 2^(q-j), the next digit comes from
 * 10 f_j / 2^(q-j) = 5 f_j / 2^(q-j-1) (exact while 5 f_j < 2^53), and the j
 * digits (rounded down, or up) are within half an ulp when 2 f_j < 5^j (or
 * 2 (2^(q-j) - f_j) < 5^j), 5^j exact while j <= 22. The first j where
 * either holds gives the fewest digits (at most 16 here), the nearer
 * candidate the closest. Two digits are made at a time where 25 f_j < 2^53.
 */

const TWO_53 = 2 ** 53;
const POWERS_OF_TWO = Float64Array.from({ length: 1100 }, (_, i) => 2 ** i);
const INVERSE_POWERS_OF_TWO = Float64Array.from({ length: 1100 }, (_, i) => 2 ** -i);
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** The index of the high 32 bits of a double in `words`, whatever the byte order. */
const HIGH = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/** The smallest and (excluded) largest values written here; outside, toString is used. */
export const SHORTEST_RANGE = [1, 2 ** 31] as const;

/**
 * Writes String(value)'s bytes into `buffer` from `offset` and returns the
 * offset after them, or -1 (nothing to rely on written) when the value is
 * outside SHORTEST_RANGE or a step would not be exact: the caller then writes
 * String(value). The buffer needs 40 bytes free.
 */
export function writeShortest(buffer: Uint8Array, offset: number, value: number): number {
  if (!(value >= SHORTEST_RANGE[0] && value < SHORTEST_RANGE[1])) return -1;
  bits[0] = value;
  const q = 1075 - (((words[HIGH] as number) >>> 20) & 0x7ff);
  const whole = Math.floor(value);
  let at = writeDigits(buffer, offset, whole);
  if (q <= 0 || whole === value) return at;
  const integerEnd = at;
  buffer[at++] = 46; // '.'
  let rest = (value - whole) * (POWERS_OF_TWO[q] as number);
  let unit = POWERS_OF_TWO[q] as number;
  let fivePower = 1;
  let j = 0;
  for (;;) {
    if (2 * rest < fivePower || 2 * (unit - rest) < fivePower) break;
    if (j >= 20) return -1;
    const twice = 25 * rest;
    if (twice < TWO_53) {
      // Two digits: pair = floor(25 rest / 2^(q-j-2)), then whether the first of them already ends it.
      const pair = (twice * (INVERSE_POWERS_OF_TWO[q - j - 2] as number)) | 0;
      const first = (pair / 10) | 0;
      const half = unit * 0.5;
      const afterFirst = 5 * rest - first * half;
      buffer[at++] = 48 + first;
      fivePower *= 5;
      j++;
      if (2 * afterFirst < fivePower || 2 * (half - afterFirst) < fivePower) {
        rest = afterFirst;
        unit = half;
        break;
      }
      buffer[at++] = 48 + pair - first * 10;
      unit *= 0.25;
      rest = twice - pair * unit;
      fivePower *= 5;
      j++;
      continue;
    }
    const once = 5 * rest;
    if (once >= TWO_53) return -1;
    unit *= 0.5;
    const digit = (once * (INVERSE_POWERS_OF_TWO[q - j - 1] as number)) | 0;
    rest = once - digit * unit;
    buffer[at++] = 48 + digit;
    fivePower *= 5;
    j++;
  }
  const downFits = 2 * rest < fivePower;
  const upFits = 2 * (unit - rest) < fivePower;
  const up = upFits && (!downFits || 2 * rest > unit || (2 * rest === unit && ((buffer[at - 1] as number) & 1) === 1));
  if (j === 0) return up ? -1 : integerEnd;
  if (up) {
    let k = at - 1;
    while (buffer[k] === 57) buffer[k--] = 48;
    // Never taken: a round-up ending in a 0 would have fitted one digit earlier. Kept as a guard, left to toString.
    if (buffer[k] === 46) return -1;
    (buffer[k] as number)++;
  }
  return at;
}

/** The decimal digits of an integer 0 <= n < 2^31; returns the offset after them. */
export function writeDigits(buffer: Uint8Array, offset: number, n: number): number {
  let x = n | 0;
  const length = x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : x < 1000000 ? 6 : x < 10000000 ? 7 : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
  for (let k = offset + length - 1; k >= offset; k--) {
    const tenth = (x / 10) | 0;
    buffer[k] = 48 + x - tenth * 10;
    x = tenth;
  }
  return offset + length;
}
