/**
 * Calibrated relative intervals from backtest residuals, by split-conformal
 * prediction on relative errors |measured / predicted - 1|, pooled over
 * families (one representative group each):
 *
 * - inside the measured range, err = the conformal quantile of the interior
 *   (configuration leave-one-out) errors: the ceil((n + 1) P)-th smallest of n;
 * - beyond it, errors grow with the extrapolation factor f. The growth is
 *   taken as a power law, err(f) = q · f^γ: γ is the least-squares slope of
 *   ln(error) on ln(f) over the frontier residuals (clipped to [0, 2]; 0 with
 *   fewer than three or a single f), q the conformal quantile of error / f^γ.
 *   Factors beyond the largest the backtests reached are unvalidated: no
 *   number is given there.
 *
 * A measured median then lies within v · (1 ± err) with probability P, as
 * far as the backtests can tell; leaveFamilyOut checks that on families the
 * calibration did not see.
 */

/** One backtest residual as calibration sees it. */
export interface CalibrationPoint {
  family: string;
  /** 1 inside the range. */
  f: number;
  /** |measured / predicted - 1|. */
  error: number;
}

/** Relative half-width as a function of the extrapolation factor, valid up to maxFactor. */
export interface Band {
  gamma: number;
  /** null when there are too few residuals for this coverage. */
  q: number | null;
  maxFactor: number;
  residuals: number;
}

/** The ceil((n + 1) P)-th smallest value: the split-conformal quantile; null when (n + 1) P > n. */
export function conformalQuantile(values: readonly number[], coverage: number): number | null {
  // A typed array sorts numbers by value without a comparator call per pair.
  const sorted = Float64Array.from(values).sort();
  const k = Math.ceil((sorted.length + 1) * coverage - 1e-12);
  return k >= 1 && k <= sorted.length ? (sorted[k - 1] as number) : null;
}

/** The growth exponent γ of errors with the factor (see the module comment). */
export function growthExponent(points: readonly CalibrationPoint[]): number {
  const usable = points.filter((p) => p.error > 0 && p.f > 1);
  const xs = usable.map((p) => Math.log(p.f));
  if (usable.length < 3 || Math.max(...xs) - Math.min(...xs) < 1e-12) return 0;
  const ys = usable.map((p) => Math.log(p.error));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return Math.min(2, Math.max(0, sxy / sxx));
}

/** The band of errors beyond the range (or, with every f = 1, inside it). */
export function calibrate(points: readonly CalibrationPoint[], coverage: number): Band | null {
  if (points.length === 0) return null;
  const gamma = growthExponent(points);
  return {
    gamma,
    q: conformalQuantile(
      points.map((p) => p.error / p.f ** gamma),
      coverage,
    ),
    maxFactor: Math.max(...points.map((p) => p.f)),
    residuals: points.length,
  };
}

/** The relative half-width at factor f; null where unknown or unvalidated. */
export function bandError(band: Band | null, f: number): number | null {
  if (band === null || band.q === null || f > band.maxFactor * (1 + 1e-12)) return null;
  return band.q * f ** band.gamma;
}

export interface Coverage {
  /** Nominal coverage. */
  nominal: number;
  /** Fraction of held-out residuals inside their interval, calibrated without their family. */
  achieved: number | null;
  residuals: number;
}

/** Families held out in turn, at most: each costs a calibration on every other residual, so all of them would cost the square of the input. */
export const HELD_OUT_FAMILIES = 200;

/**
 * Leave-one-family-out: each family's residuals against the band calibrated
 * on the other families; `achieved` is the fraction of the held-out
 * residuals covered. With more than HELD_OUT_FAMILIES families, that many
 * are held out, evenly spaced in the order they first appear (each still
 * against a band calibrated on all the others).
 */
export function leaveFamilyOut(points: readonly CalibrationPoint[], nominal: number): Coverage {
  const byFamily = new Map<string, CalibrationPoint[]>();
  for (const p of points) {
    const own = byFamily.get(p.family);
    if (own === undefined) byFamily.set(p.family, [p]);
    else own.push(p);
  }
  const families = [...byFamily.keys()];
  const turns = Math.min(families.length, HELD_OUT_FAMILIES);
  let covered = 0;
  let held = 0;
  for (let k = 0; k < turns; k++) {
    const family = families[Math.floor((k * families.length) / turns)] as string;
    const band = calibrate(
      points.filter((p) => p.family !== family),
      nominal,
    );
    for (const p of byFamily.get(family) as CalibrationPoint[]) {
      const err = bandError(band, p.f);
      if (err !== null && p.error <= err) covered++;
      held++;
    }
  }
  return { nominal, achieved: points.length === 0 || families.length < 2 ? null : covered / held, residuals: points.length };
}
