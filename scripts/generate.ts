import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkOutputFolder } from '../pipeline/io/output-folder.js';
import { displayPath, recordedPath } from '../pipeline/io/paths.js';
import { DEFAULTS } from '../pipeline/options/defaults.js';
import { resolveGenerateOptions } from '../pipeline/options/generate.js';
import { statusFailure } from '../pipeline/report/fail-on-status.js';
import { check, generate, type Generated } from '../pipeline/run.js';
import { checkReport } from './check-report.js';
import { commandLine, projectRoot, runCli } from './cli.js';
import { progressLine } from './progress.js';
import { rerunCommand } from './rerun.js';

/** Milliseconds from process start to this module running: Node, module loading, compile checks. */
const startup = performance.now();

function parseArgs(argv: string[]) {
  return commandLine(
    yargs(argv)
      .scriptName('npm run generate --')
      .usage('$0 [options]\n\nBuilds data/generated/perf_db.csv, the quality report and its plots from the raw profiling CSVs.')
      .option('prompts', { type: 'string', describe: "prompt sizes: 128..8192 (stepped by --step), 128,300,512, or 1..64:4; default: each group's measured sizes" })
      .option('step', { type: 'string', describe: 'step of the A..B ranges in --prompts', defaultDescription: String(DEFAULTS.step) })
      .option('batches', { type: 'string', describe: "batch sizes, same syntax (ranges step by 1 unless A..B:S); default: each group's measured sizes" })
      .option('tokens', { type: 'string', describe: "token (output) sizes, same syntax; default: each group's measured sizes" })
      .option('input', { type: 'string', array: true, describe: 'input CSV, repeatable; replaces the default data/raw/*.csv' })
      .option('out', { type: 'string', describe: 'output folder', defaultDescription: DEFAULTS.out })
      .option('fail-on-status', { type: 'string', describe: "exit 1 once the outputs are written when the report's overall status is at least this: quirks|warn|fail (default: never)" })
      .option('check', { type: 'boolean', describe: 'regenerate into a temporary folder and compare with --out: exit 1 naming each missing or stale file, 0 when fresh; --out is not touched' })
      .option('strict', { type: 'boolean', describe: 'fail (exit 1, outputs untouched) when an emitted row breaks monotonicity' })
      .option('on-invalid', { type: 'string', describe: 'an invalid input row stops the run (error), or is set aside in rejected.csv (skip)', defaultDescription: DEFAULTS.onInvalid })
      .option('max-rows', { type: 'string', describe: 'refuse grids that would emit more rows than this', defaultDescription: DEFAULTS.maxRows.toLocaleString('en-US') })
      .option('method', { type: 'string', array: true, describe: 'fit method, linear|pchip|isotonic|loglog|auto, for every metric or per metric as METRIC=METHOD (repeatable); token_time=decode for the decode model', defaultDescription: DEFAULTS.method })
      .option('token-key', { type: 'string', describe: "token_time's x: batch_tokens as SplitwiseSim, or batch_size", defaultDescription: DEFAULTS.tokenKey })
      .option('extrapolate', { type: 'string', array: true, describe: "beyond the measured range: the tail the backtests choose (auto), SplitwiseSim's line as it is (linear), a tail (line, proportional, model, clamp), or an error (error); for every metric or per metric as METRIC=POLICY (repeatable)", defaultDescription: DEFAULTS.extrapolate })
      .option('coverage', { type: 'string', describe: 'nominal coverage of the intervals in the err columns (--uncertainty)', defaultDescription: String(DEFAULTS.coverage) })
      .option('max-extrapolation', { type: 'string', describe: 'grid points more than this many times beyond the measured batch_tokens range are refused (or skipped)' })
      .option('max-extrapolation-action', { type: 'string', describe: 'what --max-extrapolation does: stop the run (error), or skip and count those rows (skip)', defaultDescription: DEFAULTS.maxExtrapolationAction })
      .option('exclude-anomalies', { type: 'boolean', describe: "leave configurations whose median falls below a smaller configuration's out of the fit, and emit predictions for them" })
      .option('keep-duplicates', { type: 'boolean', describe: "keep exact duplicate rows of one input file in the medians, as SplitwiseSim's DatabasePerformanceModel does (bit-for-bit parity with it); rows repeating an earlier file's are still dropped" })
      .option('uncertainty', { type: 'boolean', describe: 'add prompt_time_err and token_time_err (relative) after source' })
      .option('timings', { type: 'boolean', describe: 'print the time spent in each stage on stderr' })
      .option('plots', { type: 'boolean', describe: 'draw the SVG charts of the report (--no-plots skips them)', defaultDescription: 'true' })
      .option('concurrency', { type: 'string', describe: 'groups emitted at once in worker threads (output bytes do not depend on it)', defaultDescription: 'the number of cores' })
      .option('worker-min-rows', { type: 'string', describe: 'grids of fewer rows are emitted without worker threads', defaultDescription: DEFAULTS.workerMinRows.toLocaleString('en-US') }),
    argv,
    ['input', 'method', 'extrapolate'],
  ).parseAsync();
}

async function main(): Promise<number> {
  const root = projectRoot();
  const options = resolveGenerateOptions(await parseArgs(hideBin(process.argv)), process.cwd(), (path) => recordedPath(path, root));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const shownOut = displayPath(options.out);
  if (options.check) {
    checkOutputFolder(options.out);
    const { stale } = await check(options, root, log);
    const { text, fresh } = checkReport(options.out, stale, rerunCommand('generate', hideBin(process.argv), process.cwd(), root));
    process.stdout.write(text);
    return fresh ? 0 : 1;
  }
  const started = Date.now();
  const progress = progressLine();
  const generated = await generate(options, root, { log, onProgress: progress.update }).finally(progress.done);
  process.stdout.write(`${summaryLine(generated, shownOut)} ${((Date.now() - started) / 1000).toFixed(2)} s.\n`);
  if (options.timings) {
    for (const [stage, ms] of [['start-up', startup] as [string, number], ...generated.result.timings]) process.stderr.write(`${stage.padEnd(40)} ${ms.toFixed(1).padStart(9)} ms\n`);
  }
  const failure = options.failOnStatus === null ? null : statusFailure(generated.report, options.failOnStatus, join(shownOut, 'quality-report.md'));
  if (failure !== null) process.stderr.write(`${failure}\n`);
  return failure === null ? 0 : 1;
}

function summaryLine({ report }: Generated, shownOut: string): string {
  const s = report.output.bySource;
  const n = (status: string) => report.summary.groups.filter((g) => g.status === status).length;
  return (
    `Wrote ${report.output.rows} rows to ${join(shownOut, 'perf_db.csv')} (${s.measured} measured, ${s.interpolated} interpolated, ${s.extrapolated} extrapolated) ` +
    `for ${report.groups.length} groups from ${report.inputs.rowsKept} rows kept of ${report.inputs.rowsRead} read ` +
    `(${report.inputs.duplicatesDropped} duplicates, ${report.inputs.rowsRejected} rejected); ` +
    `status ${report.summary.status} (${n('fail')} groups fail, ${n('warn')} warn, ${n('quirks')} quirks only, ${n('ok')} ok): see ${join(shownOut, 'quality-report.md')}.`
  );
}

await runCli(main);
