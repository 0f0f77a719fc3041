/**
 * Linear ticks and tick labels as vega draws them: d3-array's tick increment (1, 2 or 5 times a
 * power of ten, thresholds sqrt(50), sqrt(10), sqrt(2)), d3-scale's nice() (widen the domain to
 * whole steps, repeated until the step settles, at most 10 times), and the labels of d3-format:
 * ",.12~r" where the spec names it (log axes), else d3-scale's default ",.Nf" with N the decimals of the step.
 */

const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** d3's tickIncrement: a step >= 1 as is, a step < 1 as its inverse negated (-10 for 0.1), exact in both cases. */
function tickIncrement(start: number, stop: number, count: number): number {
  const step = (stop - start) / Math.max(0, count);
  const power = Math.floor(Math.log10(step));
  const error = step / Math.pow(10, power);
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  return power >= 0 ? factor * Math.pow(10, power) : -Math.pow(10, -power) / factor;
}

/** d3-scale's linear nice(count): the domain widened to whole tick steps. */
export function niceDomain([lo, hi]: readonly [number, number], count: number): [number, number] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [lo, hi];
  let [start, stop] = [lo, hi];
  let previous: number | undefined;
  for (let k = 0; k < 10; k++) {
    const step = tickIncrement(start, stop, count);
    if (step === previous || !Number.isFinite(step) || step === 0) break;
    if (step > 0) [start, stop] = [Math.floor(start / step) * step, Math.ceil(stop / step) * step];
    else [start, stop] = [Math.ceil(start * step) / step, Math.floor(stop * step) / step];
    previous = step;
  }
  return [start, stop];
}

/** d3-array's ticks(lo, hi, count): every whole step inside the domain, each computed as i * step (or i / inverse step) so none accumulates error. */
export function linearTicks([lo, hi]: readonly [number, number], count: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) && lo === hi ? [lo] : [];
  const inc = tickIncrement(lo, hi, count);
  if (!Number.isFinite(inc) || inc === 0) return [];
  const ticks: number[] = [];
  if (inc > 0) for (let i = Math.ceil(lo / inc); i <= Math.floor(hi / inc); i++) ticks.push(i * inc);
  else for (let i = Math.ceil(lo * -inc); i <= Math.floor(hi * -inc); i++) ticks.push(i / -inc);
  return ticks;
}

/** The labels of linearTicks(domain, count) as vega writes them without a format: ",.Nf", N = max(0, -floor(log10(step))). */
export function linearTickFormat(domain: readonly [number, number], count: number): (v: number) => string {
  const inc = domain[1] > domain[0] ? tickIncrement(domain[0], domain[1], count) : 1;
  const step = inc > 0 ? inc : -1 / inc;
  const decimals = Number.isFinite(step) && step > 0 ? Math.max(0, -Math.floor(Math.log10(step))) : 0;
  return (v) => grouped(v, Math.min(100, decimals), false);
}

/** `v` in fixed notation with `decimals` decimals (trailing zeros trimmed when `trim`), thousands grouped, U+2212 for a minus. */
function grouped(v: number, decimals: number, trim: boolean): string {
  const [whole, fraction = ''] = Math.abs(v).toFixed(decimals).split('.') as [string, string?];
  const kept = trim ? fraction.replace(/0+$/, '') : fraction;
  const negative = v < 0 && /[1-9]/.test(whole + kept);
  return `${negative ? '\u2212' : ''}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${kept === '' ? '' : `.${kept}`}`;
}

/**
 * A tick label as d3-format's ",.12~r" writes it: 12 significant digits, trailing zeros trimmed,
 * fixed notation, thousands grouped with commas, a minus sign (U+2212) for negatives.
 */
export function tickLabel(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const rounded = Number(v.toPrecision(12));
  if (rounded === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  return grouped(rounded, Math.min(100, Math.max(0, 11 - exponent)), true);
}
