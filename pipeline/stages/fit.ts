import { findCopies } from '../checks/measured.js';
import { FITTED_METRICS } from '../core/columns.js';
import { isPerfDbError, PerfDbError, withPlace } from '../core/errors.js';
import { MAX_GROUPS } from '../core/limits.js';
import { compareGroups, configKey, splitByGroup } from '../core/keys.js';
import { tailsFor } from '../fit/attach.js';
import { backtest } from '../fit/backtests.js';
import { familyOf } from '../fit/families.js';
import { fitGroup, type GroupFitOptions } from '../fit/group.js';
import { metricTrust, type Trust } from '../fit/trust.js';
import type { RunOptions } from '../options/types.js';
import type { Configuration, FitResult, GroupPlan, Measurement } from '../types.js';

export type FitStageOptions = GroupFitOptions & Pick<RunOptions, 'coverage'>;

/**
 * The fit stage: each group's interior fits (fit/group.ts); each group's
 * backtests (fit/backtests.ts) on its sound configurations; the run-wide
 * verdict of those backtests pooled over families (fit/trust.ts): the tail
 * of each metric, chosen by the frontier backtests unless --extrapolate says
 * otherwise, and its calibrated intervals; then every fit gets its tails.
 * Groups come back in output order.
 */
export function fit(rows: readonly Measurement[], configurations: readonly Configuration[], options: FitStageOptions): FitResult {
  const rowsByGroup = splitByGroup(rows);
  if (rowsByGroup.size > MAX_GROUPS) {
    // Refused before anything is fitted: past this, memory rather than the data decides whether the run ends.
    // The place is the first row of the first group past the limit.
    const first = ([...rowsByGroup.values()][MAX_GROUPS] as readonly Measurement[])[0] as Measurement;
    throw new PerfDbError('E_TOO_MANY_GROUPS', `the input holds ${rowsByGroup.size.toLocaleString('en-US')} groups (model, hardware, tensor_parallel); one run fits at most ${MAX_GROUPS.toLocaleString('en-US')}, and group ${(MAX_GROUPS + 1).toLocaleString('en-US')} starts here`, {
      file: first.file,
      line: first.line,
      hint: 'split the input by model or hardware and run once per part, each with its own --out',
    });
  }
  const configsByGroup = splitByGroup(configurations);
  const plans = [...rowsByGroup].map(([key, members]) => fitAt(members, configsByGroup.get(key) ?? [], options)).sort((a, b) => compareGroups(a.fit, b.fit));
  const withEvidence = plans.map(withBacktests);
  const copies = findCopies(
    withEvidence.map((p) => ({ id: p.fit.id, configurations: p.configurations })),
    FITTED_METRICS,
  );
  const trust: Trust = { coverage: options.coverage, metrics: {} };
  for (const metric of FITTED_METRICS) {
    const families = familyOf(
      withEvidence.map((p) => p.fit.id),
      copies,
      metric,
    );
    const evidence = withEvidence.flatMap((p) => (p.evidence[metric] === undefined ? [] : [{ group: p.fit.id, family: families.get(p.fit.id) as string, residuals: p.evidence[metric] }]));
    // The decode method is its own model beyond the range too: its backtests are its own extrapolation.
    const policy = options.methods[metric] === 'decode' ? 'linear' : options.extrapolate[metric];
    trust.metrics[metric] = metricTrust(evidence, policy, options.coverage);
  }
  const attached = withEvidence.map((plan) => {
    const fits = { ...plan.fit.fits };
    for (const metric of FITTED_METRICS) {
      const f = fits[metric];
      const t = trust.metrics[metric];
      if (f !== null && t !== undefined) fits[metric] = { ...f, tails: tailsFor(plan, metric, { upper: t.upper.used, lower: t.lower.used }) };
    }
    return { ...plan, fit: { ...plan.fit, fits } };
  });
  return { plans: attached, trust };
}

/** A group's fit; its errors name the file and line of the group's first row. */
function fitAt(members: Measurement[], configurations: Configuration[], options: GroupFitOptions): GroupPlan {
  try {
    return fitGroup(members, configurations, options);
  } catch (error) {
    const first = members[0];
    if (!isPerfDbError(error) || first === undefined) throw error;
    throw withPlace(error, { file: first.file, line: first.line });
  }
}

/** The plan with every fitted metric's backtests, on the group's sound configurations. */
function withBacktests(plan: GroupPlan): GroupPlan {
  const unsound = new Set([...plan.broken, ...plan.fit.excluded.map((e) => configKey(e.prompt_size, e.batch_size, e.token_size))]);
  const sound = (c: { prompt_size: number; batch_size: number; token_size: number }) => !unsound.has(configKey(c.prompt_size, c.batch_size, c.token_size));
  const rows = plan.measurements.filter(sound);
  const configurations = plan.configurations.filter(sound);
  const evidence: GroupPlan['evidence'] = {};
  for (const metric of FITTED_METRICS) {
    const f = plan.fit.fits[metric];
    if (f === null) continue;
    const medians = plan.configurations.flatMap((c) => (c.metrics[metric] === null ? [] : [c.metrics[metric].median]));
    evidence[metric] = backtest({ metric, method: f.method, key: f.key, rows, configurations, floor: Math.min(...medians) });
  }
  return { ...plan, evidence };
}
