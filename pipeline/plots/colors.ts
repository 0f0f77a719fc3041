/**
 * The repetitions' colours: vega's "viridis" scheme on an ordinal scale, as vega draws it. The
 * scheme is vega-scale's 31 stops interpolated piecewise in RGB (d3-interpolate's piecewise and
 * interpolateRgb, channels rounded); an ordinal scale of n values samples it at (i + 1) / (n + 1)
 * (vega-scale's quantizeInterpolator), so that neither end of the ramp is used.
 */

/** vega-scale's viridis stops, 6 hex digits each. */
const VIRIDIS =
  '440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e2a788e27818e23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d7ad1518fd744a5db36bcdf27d2e21be9e51afde725';

const STOPS: [number, number, number][] = Array.from({ length: VIRIDIS.length / 6 }, (_, i) => {
  const hex = VIRIDIS.slice(6 * i, 6 * i + 6);
  return [0, 2, 4].map((k) => parseInt(hex.slice(k, k + 2), 16)) as [number, number, number];
});

const hex2 = (v: number) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0');

/** The viridis colour at t in [0, 1], as `#rrggbb`. */
export function viridis(t: number): string {
  const n = STOPS.length - 1;
  const scaled = Math.min(1, Math.max(0, t)) * n;
  const i = Math.max(0, Math.min(n - 1, Math.floor(scaled)));
  const [a, b] = [STOPS[i] as [number, number, number], STOPS[i + 1] as [number, number, number]];
  const f = scaled - i;
  return `#${a.map((v, k) => hex2(v + ((b[k] as number) - v) * f)).join('')}`;
}

/** Each of the ascending, distinct `values` (the batch sizes) with its colour on the ordinal scale. */
export function ordinalColors(values: readonly number[]): Map<number, string> {
  const count = values.length;
  return new Map(values.map((v, i) => [v, viridis((i + 1) / (count + 1))]));
}
