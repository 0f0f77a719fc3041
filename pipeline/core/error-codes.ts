/**
 * Every code a PerfDbError can carry, with what it means. One list, so that
 * a code cannot be made up at a throw site, and the test suite can check that
 * each one is asserted somewhere.
 */
export const ERROR_CODES = {
  // Input files.
  E_FILE_NOT_FOUND: 'an input or report path does not exist',
  E_IS_DIRECTORY: 'a path that should be a file is a folder',
  E_UNREADABLE: 'a file cannot be read',
  E_EMPTY_FILE: 'an input file is empty',
  E_NO_ROWS: 'an input file has a header and no rows',
  E_NOT_TEXT: 'an input file is binary (a NUL byte, an archive)',
  E_INVALID_UTF8: 'an input file holds bytes that are not UTF-8',
  E_UTF16: 'an input file is UTF-16 or UTF-32 encoded',
  E_NOT_REGULAR_FILE: 'an input is a FIFO, a device or a socket',
  E_GENERATED_INPUT: 'an input is a generated perf_db.csv, not measurements',
  E_INPUT_IN_OUTPUT: 'an input would be overwritten or read back by the outputs',
  E_NO_INPUT: 'no input files at all',
  E_NO_VALID_ROWS: 'every row read was rejected',
  // CSV syntax and header.
  E_MISSING_COLUMN: 'a required column is missing',
  E_DUPLICATE_COLUMN: 'a column name appears twice',
  E_FIELD_COUNT: 'a row has another number of fields than the header',
  E_UNBALANCED_QUOTE: 'a quoted field is never closed',
  E_BAD_QUOTE: 'a quote inside an unquoted field',
  E_RECORD_TOO_LARGE: 'a record longer than the largest accepted',
  E_CSV_SYNTAX: 'any other CSV syntax error',
  // Values.
  E_NON_NUMERIC: 'a value is not a number',
  E_EMPTY_VALUE: 'a value is empty',
  E_CONTROL_CHARACTER: 'a name holds a control or text-direction character',
  E_NON_FINITE: 'NaN, Infinity or an overflow',
  E_NOT_POSITIVE: 'a time or size that is zero or negative',
  E_NEGATIVE: 'a negative power',
  E_NOT_INTEGER: 'a fractional size',
  E_OUT_OF_RANGE: 'a size or time outside the accepted range (an underflow included)',
  // Fitting and emitting.
  E_CANNOT_FIT: 'a group has too few distinct x to fit',
  E_METHOD_NOT_APPLICABLE: 'a fit method cannot fit these values',
  E_TOO_MANY_ROWS: 'the grid is larger than --max-rows',
  E_TOO_MANY_GROUPS: 'more groups than one run fits',
  E_EXTRAPOLATION: 'a point outside the measured range under --extrapolate error',
  E_TOO_FAR: 'a point beyond --max-extrapolation',
  E_MONOTONICITY: 'emitted rows break monotonicity under --strict',
  // Outputs.
  E_OUTPUT_NOT_WRITABLE: 'the output folder or a file cannot be written',
  E_OUT_OF_RESOURCES: 'the system refused a resource the run needs: open files, memory, a thread',
  E_LOCKED: 'another run holds the output folder',
  E_BAD_JOURNAL: 'the journal of an interrupted commit is damaged',
  E_INTERRUPTED_COMMIT: 'a run was killed while it put its outputs in place; the folder is read before the next run repairs it',
  E_FOREIGN_FILE: 'a file that a run replaces was not written by this project',
  // Raw data.
  E_MANIFEST: 'data/raw/manifest.json is unreadable or malformed',
  E_CHECKSUM: 'a raw file is not the pinned one',
  E_RAW_MISSING: 'a pinned raw file cannot be obtained',
  // Usage.
  E_USAGE: 'bad command-line arguments',
  E_BAD_OPTION: 'an option value outside its allowed range',
  E_BAD_RANGE: 'a bad size list or range',
  E_BAD_METHOD: 'an unknown fit method',
  E_REPEATED_OPTION: 'an option given twice',
  E_BAD_RULE: 'an unknown --fail-on rule',
  // Lookups and reports.
  E_NO_DATABASE: 'fits.json or perf_db.csv cannot be read',
  E_BAD_DATABASE: 'fits.json or perf_db.csv is malformed, damaged or not the pair written together',
  E_SCHEMA_VERSION: 'a file written by another version',
  E_BAD_QUERY: 'a lookup with sizes outside the accepted range',
  E_UNKNOWN_GROUP: 'a lookup for a group the database does not hold',
  E_BAD_JSON: 'a report file that is not JSON',
  E_NOT_A_REPORT: 'a JSON file that is not a quality report',
  // Start-up (scripts/launch.mjs, which cannot import this file).
  E_NOT_INSTALLED: 'the dependencies are not installed',
  E_STALE_BUILD: 'dist/ is stale and cannot be rebuilt here',
  E_BUILD_FAILED: 'the sources do not compile',
  // Benchmark.
  E_NO_GNU_TIME: 'the benchmark needs /usr/bin/time',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
