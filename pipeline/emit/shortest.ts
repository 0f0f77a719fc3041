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
 *
 * Most values take a quicker way first (writeFromProduct, below), and come
 * here only where it cannot be sure.
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
  const end = writeFromProduct(buffer, offset, value);
  return end >= 0 ? end : writeDigitByDigit(buffer, offset, value);
}

/** The digit-by-digit method (see the file's head), for a value in SHORTEST_RANGE; -1 where a step would not be exact. */
function writeDigitByDigit(buffer: Uint8Array, offset: number, value: number): number {
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
  // The sizes: most below 10,000, written straight from the pairs.
  if (n < 100) {
    if (n < 10) {
      buffer[offset] = 48 + n;
      return offset + 1;
    }
    buffer[offset] = PAIRS[2 * n] as number;
    buffer[offset + 1] = PAIRS[2 * n + 1] as number;
    return offset + 2;
  }
  if (n < 10000) {
    const high = (n / 100) | 0;
    const low = n - high * 100;
    let at = offset;
    if (high < 10) buffer[at++] = 48 + high;
    else {
      buffer[at++] = PAIRS[2 * high] as number;
      buffer[at++] = PAIRS[2 * high + 1] as number;
    }
    buffer[at] = PAIRS[2 * low] as number;
    buffer[at + 1] = PAIRS[2 * low + 1] as number;
    return at + 2;
  }
  const length = n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  writePadded(buffer, offset, length, n);
  return offset + length;
}

/** Veltkamp's constant: 2^27 + 1 splits a double into two halves of 26 bits. */
const SPLIT = 134217729;
const POWERS_OF_TEN = Float64Array.from({ length: 16 }, (_, j) => 10 ** j);
/** For q fractional bits, the fewest fractional digits j whose nearest decimal always reads back: 10^-j < 2^-q. */
const ENOUGH_DIGITS = Uint8Array.from({ length: 64 }, (_, q) => Math.floor(q * Math.log10(2)) + 1);
/** Closer than this to a boundary, the computed remainder cannot decide, and the digit-by-digit method does. */
const MARGIN = 1e-14;
/** "00" to "99" as ASCII. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/**
 * The same digits from one exact product, for values with at most 15
 * fractional digits to look at (from 8 up): -1 where it cannot be sure.
 *
 * With J = ENOUGH_DIGITS[q], the nearest J-digit decimal is within half an
 * ulp, so the answer has at most J fractional digits. The fraction times
 * 10^J is formed exactly as hi + lo (Dekker's product), giving its integer
 * part D_J (< 10^15, exact) and the remainder r_J in [0, 1) to within
 * 2^-54. Then, for j = J - 1, J - 2, ...: D_j = floor(D_(j+1) / 10), r_j =
 * (last digit + r_(j+1)) / 10, and the j-digit candidates fit (read back to
 * the value) when r_j < T_j (down) or 1 - r_j < T_j (up), T_j = 10^j 2^-(q+1)
 * (exact) being half an ulp in units of 10^-j. Below J, T_j <= 1/2, so at
 * most one fits; the last j where one does is the answer (fitting at j
 * implies fitting at j + 1). At J both may: the nearer is taken. No r_j
 * equals its bound exactly (see the head), and each is known to within
 * about 4e-16 (absolutely): wherever one lies within MARGIN of its bound,
 * or of 1/2 at J, the digit-by-digit method decides instead. A short
 * decimal (33.3) often ends there: its bound and its distance to the next
 * candidate shrink tenfold a digit, to within MARGIN of each other.
 */
export function writeFromProduct(buffer: Uint8Array, offset: number, value: number): number {
  bits[0] = value;
  const q = 1075 - (((words[HIGH] as number) >>> 20) & 0x7ff);
  const whole = Math.floor(value);
  const fraction = value - whole;
  if (fraction === 0 || q > 63) return -1;
  let j = ENOUGH_DIGITS[q] as number;
  if (j > 15) return -1;
  const scale = POWERS_OF_TEN[j] as number;
  const hi = fraction * scale;
  let t = SPLIT * fraction;
  const fHigh = t - (t - fraction);
  const fLow = fraction - fHigh;
  t = SPLIT * scale;
  const sHigh = t - (t - scale);
  const sLow = scale - sHigh;
  const lo = fHigh * sHigh - hi + fHigh * sLow + fLow * sHigh + fLow * sLow;
  let digits = Math.floor(hi);
  if (digits === hi && lo < 0) digits -= 1;
  let rest = hi - digits + lo;
  if (Math.abs(rest - 0.5) < MARGIN) return -1;
  let up = rest > 0.5;
  const halfUlp = INVERSE_POWERS_OF_TWO[q + 1] as number;
  while (j > 1) {
    // floor(digits / 10) by a product: 0.1 as a double lies above 1/10, by less than 10^-17, so below 10^15
    // the product of 10k is at least k, and that of 10k + 9 stays below k + 0.96, rounded to less than k + 1.
    const shorter = Math.floor(digits * 0.1);
    const last = digits - shorter * 10;
    const shorterRest = (last + rest) * 0.1;
    const bound = (POWERS_OF_TEN[j - 1] as number) * halfUlp;
    if (Math.abs(shorterRest - bound) < MARGIN || Math.abs(1 - shorterRest - bound) < MARGIN) return -1;
    const downFits = shorterRest < bound;
    const upFits = 1 - shorterRest < bound;
    if (!downFits && !upFits) break;
    digits = shorter;
    rest = shorterRest;
    up = upFits;
    j--;
  }
  if (up) digits += 1;
  // Never taken: a carry into the integer part would have fitted with fewer digits, down to none. Kept as a guard.
  if (digits >= (POWERS_OF_TEN[j] as number)) return -1;
  const point = writeDigits(buffer, offset, whole);
  buffer[point] = 46; // '.'
  writePadded(buffer, point + 1, j, digits);
  return point + 1 + j;
}

/** An integer `digits` < 10^j (j <= 15) as j digits from `at`, with leading zeros; two at a time. */
function writePadded(buffer: Uint8Array, at: number, j: number, digits: number): void {
  const upper = Math.floor(digits / 1e8);
  let lower = (digits - upper * 1e8) | 0;
  let k = at + j;
  for (let left = j < 8 ? j : 8; left > 0; left -= 2) {
    if (left === 1) {
      buffer[--k] = 48 + lower;
      break;
    }
    const hundredth = (lower / 100) | 0;
    const pair = (lower - hundredth * 100) << 1;
    buffer[--k] = PAIRS[pair + 1] as number;
    buffer[--k] = PAIRS[pair] as number;
    lower = hundredth;
  }
  let high = upper | 0;
  while (k > at + 1) {
    const hundredth = (high / 100) | 0;
    const pair = (high - hundredth * 100) << 1;
    buffer[--k] = PAIRS[pair + 1] as number;
    buffer[--k] = PAIRS[pair] as number;
    high = hundredth;
  }
  if (k > at) buffer[--k] = 48 + high;
}
