import { pidIn } from './lock.js';

/** Files and folders a generate run owns in the output folder; anything else there is left alone. */
export const OWNED = ['perf_db.csv', 'fits.json', 'quality-report.json', 'quality-report.md', 'quality-report.html', 'rejected.csv', 'plots'] as const;

/** The prefix of a run's temporary folder in the output folder. */
export const TEMP_PREFIX = '.perfdb-tmp-';

/** A run's temporary folder: the prefix, its PID, its start time ('-' where unknown) and when it began, in base 36. */
export function tempName(pid: number, started: string | null, now: number): string {
  return `${TEMP_PREFIX}${pid}-${started ?? '-'}-${now.toString(36)}`;
}

/** Where a commit moves the old outputs: beside the temporary folder. */
export const ASIDE_SUFFIX = '.previous';

const TEMP_NAME = /^\.perfdb-tmp-(\d+)-(\d+|-)-[0-9a-z]+(\.previous)?$/;

/**
 * The run a temporary folder (or, `aside`, the folder of old outputs beside it)
 * belongs to, read from its name; null for a name tempName does not give, which is
 * no run's and is left alone, whatever it starts with.
 */
export function tempOwner(name: string): { pid: number; started: string; aside: boolean } | null {
  const match = TEMP_NAME.exec(name);
  const pid = match === null ? null : pidIn(match[1]);
  return match === null || pid === null ? null : { pid, started: match[2] as string, aside: match[3] !== undefined };
}
