/** Position scales of the renderer: a domain onto a pixel range, linear or logarithmic. */
import type { Axis } from './types.js';

export type Scale = (v: number) => number;

/**
 * Maps `axis.domain` onto `[r0, r1]` exactly at both ends, linearly or, on a log axis, linearly in
 * ln(v). A log scale gives NaN for a value <= 0 (callers leave such values out); a domain of zero
 * width maps everything to the middle of the range.
 */
export function scaleFor(axis: Pick<Axis, 'log' | 'domain'>, [r0, r1]: readonly [number, number]): Scale {
  const [d0, d1] = axis.domain;
  const t = axis.log ? (v: number) => (v > 0 ? Math.log(v) : Number.NaN) : (v: number) => v;
  const [t0, t1] = [t(d0), t(d1)];
  const width = t1 - t0;
  if (!(width !== 0 && Number.isFinite(width))) return () => (r0 + r1) / 2;
  return (v) => {
    if (v === d0) return r0;
    if (v === d1) return r1;
    return r0 + ((t(v) - t0) / width) * (r1 - r0);
  };
}
