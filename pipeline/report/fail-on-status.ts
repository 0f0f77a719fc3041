/** --fail-on-status: whether a report's overall status reaches a level, and the one line that says so. */
import { STATUSES, statusRank } from './findings.js';
import type { QualityReport, Status } from './types.js';

/**
 * The line to print when the overall status is at least `level`, naming the
 * groups at each status from the worst down to `level`; null when it is not.
 */
export function statusFailure(report: Pick<QualityReport, 'summary' | 'inputs'>, level: Exclude<Status, 'ok'>, reportFile: string): string | null {
  const status = report.summary.status;
  if (statusRank(status) < statusRank(level)) return null;
  const parts = [...STATUSES]
    .reverse()
    .filter((s) => statusRank(s) >= statusRank(level))
    .flatMap((s) => {
      const groups = report.summary.groups.filter((g) => g.status === s).map((g) => g.group);
      const rejected = s === 'fail' ? report.inputs.rejectedGroups.map((r) => `${r.group} (every row rejected)`) : [];
      const all = [...groups, ...rejected];
      return all.length === 0 ? [] : [`${s} in ${all.join(', ')}`];
    });
  return `status ${status} is at least --fail-on-status ${level}: ${parts.join('; ')}; the outputs are written, see ${reportFile}`;
}
