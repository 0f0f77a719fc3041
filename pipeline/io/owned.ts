/** Files and folders a generate run owns in the output folder; anything else there is left alone. */
export const OWNED = ['perf_db.csv', 'fits.json', 'quality-report.json', 'quality-report.md', 'quality-report.html', 'rejected.csv', 'plots'] as const;

/** The prefix of a run's temporary folder in the output folder. */
export const TEMP_PREFIX = '.perfdb-tmp-';
