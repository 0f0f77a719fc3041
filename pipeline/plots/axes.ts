import { LOG_RATIO } from './style.js';
import type { Axis, Row } from './types.js';

/**
 * Log when `log` says so, or (undefined) when the finite positive values span more than LOG_RATIO; the domain is the values' range
 * padded by 2% of its width (3% of it in log space on a log axis). Log ticks are powers of `base` (2 for
 * batch_tokens, which are powers of two) or 1–2–5 per decade (base 10), thinned to at most 8.
 */
export function axisFor(values: readonly number[], base: 2 | 10, log?: boolean): Axis {
  let [min, max, pMin, pMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    [min, max] = [Math.min(min, v), Math.max(max, v)];
    if (v > 0) [pMin, pMax] = [Math.min(pMin, v), Math.max(pMax, v)];
  }
  if (log ?? pMax / pMin > LOG_RATIO) {
    if (!(pMax >= pMin)) return { log: true, domain: [1, 10], ticks: [1, 10] };
    const pad = Math.pow(pMax / pMin, 0.03);
    const domain: [number, number] = [pMin / pad, pMax * pad];
    return { log: true, domain, ticks: logTicks(domain, base) };
  }
  if (min > max) return { log: false, domain: [0, 1], ticks: undefined };
  const pad = max > min ? (max - min) * 0.02 : Math.abs(max) * 0.1 || 1;
  return { log: false, domain: [min - pad, max + pad], ticks: undefined };
}

function logTicks([lo, hi]: [number, number], base: 2 | 10): number[] {
  const first = Math.ceil(Math.log(lo) / Math.log(base) - 1e-9);
  const last = Math.floor(Math.log(hi) / Math.log(base) + 1e-9);
  const powers: number[] = [];
  for (let k = first; k <= last; k++) powers.push(Math.pow(base, k));
  if (base === 2) {
    const step = Math.ceil(powers.length / 8);
    return powers.filter((_, i) => i % step === (powers.length - 1) % step);
  }
  // Base 10: 1–2–5 per decade while that stays readable, else every decade or fewer.
  const decades = [Math.pow(10, first - 1), ...powers].flatMap((p) => [p, 2 * p, 5 * p]).filter((v) => v >= lo && v <= hi);
  if (decades.length <= 8 && decades.length >= 3) return decades;
  // Less than a decade shown (a scale kept log for consistency): 1–1.5–2–3–5–7 per decade.
  if (decades.length < 3) return [Math.pow(10, first - 1), ...powers].flatMap((p) => [p, 1.5 * p, 2 * p, 3 * p, 5 * p, 7 * p]).filter((v) => v >= lo && v <= hi);
  const step = Math.ceil(powers.length / 8);
  return powers.filter((_, i) => i % step === 0);
}


/** Where each anomaly's label goes, grouped so each placement is one text layer. */
export function placements(rows: Row[], xAxis: Axis, yAxis: Axis) {
  const at = (v: number, axis: Axis): number => {
    const [lo, hi] = axis.domain;
    return axis.log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
  };
  const groups = new Map<string, { mark: { align: 'left' | 'right'; baseline: 'top' | 'bottom'; dx: number; dy: number }; rows: Row[] }>();
  for (const row of rows) {
    const right = at(row.x as number, xAxis) > 0.5;
    const top = at(row.y as number, yAxis) > 0.5;
    const key = `${right}/${top}`;
    const group = groups.get(key) ?? {
      mark: { align: right ? 'right' : 'left', baseline: top ? 'top' : 'bottom', dx: right ? -10 : 10, dy: top ? 10 : -10 },
      rows: [],
    };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}
