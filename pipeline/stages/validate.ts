import { checkMeasured } from '../checks/monotonicity.js';
import { PerfDbError } from '../core/errors.js';
import { describeConfig } from '../core/format.js';
import type { GroupPlan, MonotonicitySummary, MonotonicityViolation } from '../types.js';
import type { EmitSummary } from '../emit/types.js';

/**
 * The validate stage: monotonicity of each group's measured medians (for the
 * report), and, with `strict`, no emitted row that breaks monotonicity (the
 * emit stage checked every row as it went; the first violating group stops
 * the run with E_MONOTONICITY).
 */
export function validate(plans: readonly GroupPlan[], emitted: readonly EmitSummary[], options: { strict: boolean }): MonotonicitySummary[] {
  if (options.strict) {
    const failing = emitted.find((s) => s.monotonicity.count > 0);
    if (failing !== undefined) throw strictError(failing);
  }
  return plans.map((g) => checkMeasured(g.fit.id, g.configurations));
}

function strictError(summary: EmitSummary): PerfDbError {
  const v = summary.monotonicity.first[0] as MonotonicityViolation;
  return new PerfDbError('E_MONOTONICITY', `${summary.monotonicity.count} emitted rows break monotonicity; the first: ${v.metric} falls from ${v.from.value} at ${describeConfig(v.from)} to ${v.to.value} at ${describeConfig(v.to)}`, {
    group: summary.group,
    hint: 'drop --strict to write the rows anyway and read the findings in the quality report',
  });
}
