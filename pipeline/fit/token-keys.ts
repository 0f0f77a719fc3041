import type { FitKey, GroupFit, Measurement, MethodName, TokenKeyComparison } from '../types.js';
import { knotsFor } from './knots.js';
import { leaveOneOut } from './loo.js';
import { FACTORIES } from './methods.js';

/**
 * token_time keyed by batch_tokens (SplitwiseSim) against batch_size: the
 * leave-one-out mean error of linear and of the method in use, for each key,
 * on the rows the fit used, so that the report shows which predicts decode
 * time better on this data. Null when token_time is not fitted.
 */
export function compareTokenKeys(fit: GroupFit, rows: readonly Measurement[]): TokenKeyComparison | null {
  const f = fit.fits.token_time;
  if (f === null) return null;
  const byKey = (['batch_tokens', 'batch_size'] as const).map((key: FitKey) => {
    const knots = knotsFor(rows, 'token_time', key);
    const score = (method: MethodName) => {
      // decode is keyed on the configuration, not on either key: no score on knots.
      if (method === 'decode') return null;
      const loo = leaveOneOut(knots.x, knots.y, knots.count, FACTORIES[method]);
      return loo.worstX === null ? null : loo.mape;
    };
    return { key, knots: knots.x.length, linear: score('linear'), method: score(f.method) };
  });
  return { method: f.method, byKey };
}
