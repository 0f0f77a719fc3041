import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { stringify } from 'csv-stringify/sync';
import { fitsFile } from '../pipeline/db/lookup.js';
import { PerfDbError, usageError } from '../pipeline/core/errors.js';
import type { MethodChoice } from '../pipeline/fit/methods.js';
import { compareTrees, displayPath, listCsv, openInput, OutputTransaction, readIfExists } from '../pipeline/io/files.js';
import { checkInteger, parseSizeList } from '../pipeline/options/sizes.js';
import { isCurrentPlot, plotCacheKey, plotFile, plotFileName } from '../pipeline/plots/files.js';
import { renderPlot, type PlotSeries } from '../pipeline/plots/spec.js';
import { defaultMirrors, fetchPinned, readManifest } from '../pipeline/io/raw-source.js';
import { buildReport, plotData, STUDIED, type QualityReport } from '../pipeline/stages/report.js';
import { renderMarkdown } from '../pipeline/report/markdown.js';
import { defaultConcurrency, runPipeline, type PipelineOptions, type PipelineResult } from '../pipeline/run.js';
import { FITTED_METRICS, type FittedMetric } from '../pipeline/types.js';
import { commandLine, projectRoot, runCli } from './cli.js';

const DEFAULT_MAX_ROWS = 50_000_000;
/** Milliseconds from process start to this module running: Node, module loading, compile checks. */
const startup = performance.now();
/** Files and folders this command owns in the output folder; anything else there is left alone. */
const OWNED = ['perf_db.csv', 'fits.json', 'quality-report.json', 'quality-report.md', 'rejected.csv', 'plots'];

type Argv = Awaited<ReturnType<typeof parseArgs>>;

function parseArgs(argv: string[]) {
  return commandLine(
    yargs(argv)
      .scriptName('npm run generate --')
      .usage('$0 [options]\n\nBuilds data/generated/perf_db.csv, the quality report and its plots from the raw profiling CSVs.')
      .option('prompts', { type: 'string', describe: "prompt sizes: 128..8192 (stepped by --step), 128,300,512, or 1..64:4; default: each group's measured sizes" })
      .option('step', { type: 'number', default: 1, describe: 'step of the --prompts range' })
      .option('batches', { type: 'string', describe: "batch sizes, same syntax (ranges step by 1 unless A..B:S); default: each group's measured sizes" })
      .option('tokens', { type: 'string', describe: "token (output) sizes, same syntax; default: each group's measured sizes" })
      .option('input', { type: 'string', array: true, describe: 'input CSV, repeatable; replaces the default data/raw/*.csv' })
      .option('out', { type: 'string', default: 'data/generated', describe: 'output folder' })
      .option('check', { type: 'boolean', default: false, describe: 'regenerate into a temporary folder and compare with --out: exit 1 naming each stale file, 0 when fresh; --out is not touched' })
      .option('strict', { type: 'boolean', default: false, describe: 'fail (exit 1, outputs untouched) when an emitted row breaks monotonicity' })
      .option('on-invalid', { choices: ['error', 'skip'] as const, default: 'error' as const, describe: 'an invalid input row stops the run, or is set aside in rejected.csv' })
      .option('max-rows', { type: 'number', default: DEFAULT_MAX_ROWS, describe: 'refuse grids that would emit more rows than this' })
      .option('method', { type: 'string', array: true, describe: 'fit method, linear|pchip|isotonic|loglog|auto, for every metric or per metric as METRIC=METHOD (repeatable)', default: ['linear'] })
      .option('token-key', { choices: ['batch_tokens', 'batch_size'] as const, default: 'batch_tokens' as const, describe: "token_time's x: batch_tokens as SplitwiseSim, or batch_size" })
      .option('extrapolate', { choices: ['linear', 'clamp', 'error'] as const, default: 'linear' as const, describe: "outside the measured range: each method's own extrapolation, the nearest end's value, or an error" })
      .option('max-extrapolation', { type: 'number', describe: 'grid points more than this many times beyond the measured batch_tokens range are refused (or skipped)' })
      .option('max-extrapolation-action', { choices: ['error', 'skip'] as const, default: 'error' as const, describe: 'what --max-extrapolation does: stop the run, or skip and count those rows' })
      .option('exclude-anomalies', { type: 'boolean', default: false, describe: 'leave configurations whose median falls below a smaller configuration\'s out of the fit, and emit predictions for them' })
      .option('keep-duplicates', { type: 'boolean', default: false, describe: "keep exact duplicate rows in the medians, as SplitwiseSim's DatabasePerformanceModel does (bit-for-bit parity with it)" })
      .option('uncertainty', { type: 'boolean', default: false, describe: 'add prompt_time_err and token_time_err (relative) after source' })
      .option('timings', { type: 'boolean', default: false, describe: 'print the time spent in each stage on stderr' })
      .option('plots', { type: 'boolean', default: true, describe: 'draw the SVG charts of the report (--no-plots skips them)' })
      .option('concurrency', { type: 'number', default: defaultConcurrency(), describe: 'groups emitted at once in worker threads (output bytes do not depend on it)' }),
    argv,
    ['input', 'method'],
  ).parseAsync();
}

async function main(): Promise<number> {
  const root = projectRoot();
  const argv = await parseArgs(hideBin(process.argv));
  const step = checkInteger(argv.step, 'step', 1);
  const options: Omit<PipelineOptions, 'scratchDir'> = {
    grid: {
      prompts: argv.prompts === undefined ? null : parseSizeList(argv.prompts, 'prompts', step),
      batches: argv.batches === undefined ? null : parseSizeList(argv.batches, 'batches'),
      tokens: argv.tokens === undefined ? null : parseSizeList(argv.tokens, 'tokens'),
    },
    onInvalid: argv['on-invalid'],
    strict: argv.strict,
    maxRows: checkInteger(argv['max-rows'], 'max-rows', 1),
    concurrency: checkInteger(argv.concurrency, 'concurrency', 1, 64),
    methods: parseMethods(argv.method),
    tokenKey: argv['token-key'],
    extrapolate: argv.extrapolate,
    maxExtrapolation: argv['max-extrapolation'] === undefined ? null : { factor: checkFactor(argv['max-extrapolation']), action: argv['max-extrapolation-action'] },
    excludeAnomalies: argv['exclude-anomalies'],
    uncertainty: argv.uncertainty,
    keepDuplicates: argv['keep-duplicates'],
  };
  const inputPaths = argv.input === undefined ? await defaultInputs(root) : argv.input.map((p) => resolve(p));
  const outDir = resolve(argv.out);

  if (argv.check) {
    const scratch = await mkdtemp(join(tmpdir(), 'perfdb-check-'));
    // An interrupted check exits from its signal handler: remove the scratch copy on the way out too.
    const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
    process.once('exit', removeScratch);
    try {
      await generate(argv, options, inputPaths, scratch, outDir, outDir);
      const stale = await compareTrees(scratch, outDir, OWNED);
      for (const name of stale) process.stdout.write(`stale: ${displayPath(join(outDir, name))}\n`);
      process.stdout.write(stale.length === 0 ? `${displayPath(outDir)} is up to date\n` : `${stale.length} stale files; regenerate with \`${canonicalCommand(argv)}\`\n`);
      return stale.length === 0 ? 0 : 1;
    } finally {
      process.off('exit', removeScratch);
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const started = Date.now();
  const report = await generate(argv, options, inputPaths, outDir, outDir);
  const s = report.output.bySource;
  const flagged = report.summary.groups.filter((g) => g.status !== 'ok').length;
  process.stdout.write(
    `Wrote ${report.output.rows} rows to ${displayPath(join(outDir, 'perf_db.csv'))} (${s.measured} measured, ${s.interpolated} interpolated, ${s.extrapolated} extrapolated) ` +
      `for ${report.groups.length} groups from ${report.inputs.rowsKept} rows kept of ${report.inputs.rowsRead} read ` +
      `(${report.inputs.duplicatesDropped} duplicates, ${report.inputs.rowsRejected} rejected); ` +
      `status ${report.summary.status}, ${flagged} groups with warnings or failures: see ${displayPath(join(outDir, 'quality-report.md'))}. ${((Date.now() - started) / 1000).toFixed(2)} s.\n`,
  );
  return 0;
}

/**
 * One run into `outDir`, all or nothing. `plotCacheDir` holds earlier plots:
 * a plot whose cache key (its spec and the chart library's version) is
 * unchanged is copied instead of drawn again.
 */
async function generate(
  argv: Argv,
  options: Omit<PipelineOptions, 'scratchDir'>,
  inputPaths: string[],
  outDir: string,
  plotCacheDir: string,
  /** The folder the user knows as the output (with --check, not the scratch copy). */
  shownDir = outDir,
): Promise<QualityReport> {
  const sources = await Promise.all(inputPaths.map(openInput));
  const transaction = await OutputTransaction.begin(outDir);
  const onSignal = (signal: NodeJS.Signals) => {
    transaction.abortSync();
    process.stderr.write(`interrupted by ${signal}; ${displayPath(shownDir)} is unchanged\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const csv = await transaction.stream('perf_db.csv');
    const sink = (chunk: string | Uint8Array) => (csv.write(chunk) ? undefined : new Promise<void>((done) => csv.once('drain', done)));
    const progress = progressLine();
    const result = await runPipeline(sources, { ...options, scratchDir: await transaction.scratch(), onProgress: progress.update }, sink).finally(progress.done);
    await new Promise<void>((done, fail) => csv.end((error?: Error | null) => (error ? fail(error) : done())));

    let mark = performance.now();
    const plots = argv.plots ? await drawPlots(result, options, transaction, plotCacheDir) : new Map();
    const plotMs = performance.now() - mark;
    mark = performance.now();
    const report = buildReport(result, {
      command: canonicalCommand(argv),
      grid: options.grid,
      gridText: { prompts: argv.prompts === undefined ? 'measured' : `${argv.prompts}${argv.step === 1 ? '' : ` step ${argv.step}`}`, batches: argv.batches ?? 'measured', tokens: argv.tokens ?? 'measured' },
      output: 'perf_db.csv',
      plots,
      method: {
        methods: options.methods ?? parseMethods(['linear']),
        tokenKey: options.tokenKey ?? 'batch_tokens',
        extrapolate: options.extrapolate ?? 'linear',
        maxExtrapolation: options.maxExtrapolation?.factor ?? null,
        excludeAnomalies: options.excludeAnomalies === true,
        uncertainty: options.uncertainty === true,
      },
    });
    if (result.ingest.rejected.length > 0) {
      const rows = result.ingest.rejected.map((r) => [r.file, r.line, r.column ?? '', r.code, r.reason]);
      await transaction.write('rejected.csv', stringify(rows, { header: true, columns: ['file', 'line', 'column', 'code', 'reason'] }));
    }
    await transaction.write('fits.json', `${JSON.stringify(fitsFile(result.groups.map((g) => g.fit), options.extrapolate ?? 'linear', options.maxExtrapolation?.factor ?? null))}\n`);
    await transaction.write('quality-report.json', `${JSON.stringify(report, null, 2)}\n`);
    await transaction.write('quality-report.md', renderMarkdown(report));
    await transaction.commit(OWNED);
    if (argv.timings) {
      const stages: [string, number][] = [['start-up', startup], ...result.timings, ['plots', plotMs], ['report + commit', performance.now() - mark]];
      for (const [stage, ms] of stages) process.stderr.write(`${stage.padEnd(40)} ${ms.toFixed(1).padStart(9)} ms\n`);
    }
    return report;
  } catch (error) {
    await transaction.abort();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * One chart per group and studied metric. Names are given in group order
 * first (so they never depend on timing); then charts are read from the cache
 * or drawn, a few at a time, so that reading files overlaps with drawing.
 */
async function drawPlots(result: PipelineResult, options: Omit<PipelineOptions, 'scratchDir'>, transaction: OutputTransaction, cacheDir: string) {
  const plots = new Map<string, Partial<Record<FittedMetric, string>>>();
  const used = new Set<string>();
  const jobs: { name: string; series: PlotSeries }[] = [];
  for (const g of result.groups) {
    const files: Partial<Record<FittedMetric, string>> = {};
    for (const metric of STUDIED) {
      const plotted = plotData(g, options.grid, metric, options.extrapolate);
      if (plotted === null) continue;
      const { method, ...data } = plotted;
      const series: PlotSeries = { title: `${g.fit.model} / ${g.fit.hardware} / tp=${g.fit.tensor_parallel} — ${metric} (${method})`, metric, unit: 'ms', ...data };
      const name = `plots/${plotFileName([g.fit.model, g.fit.hardware, `tp${g.fit.tensor_parallel}`, metric], used)}`;
      jobs.push({ name, series });
      files[metric] = name;
    }
    plots.set(g.fit.id, files);
  }
  const limit = pLimit(4);
  await Promise.all(
    jobs.map(({ name, series }) =>
      limit(async () => {
        const key = plotCacheKey(series);
        const previous = await readIfExists(join(cacheDir, name));
        await transaction.write(name, previous !== null && isCurrentPlot(previous, key) ? previous : plotFile(key, await renderPlot(series)));
      }),
    ),
  );
  return plots;
}

/**
 * Rows done, rows/s and ETA on one stderr line, redrawn at most four times a
 * second, from one second into the run; only when stderr is a terminal.
 */
function progressLine() {
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(rows: number, total: number) {
      const now = Date.now();
      if (!process.stderr.isTTY || now - started < 1000 || now - last < 250) return;
      last = now;
      shown = true;
      const rate = rows / ((now - started) / 1000);
      const eta = rate > 0 ? Math.max(0, (total - rows) / rate) : 0;
      process.stderr.write(`\r${rows.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows, ${Math.round(rate).toLocaleString('en-US')} rows/s, ETA ${eta.toFixed(0)} s   `);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/** The command that reproduces the outputs: only the options that change them, in a fixed order. */
function canonicalCommand(argv: Argv): string {
  const parts = ['npm run generate --'];
  if (argv.prompts !== undefined) parts.push(`--prompts ${argv.prompts}`, ...(argv.step === 1 ? [] : [`--step ${argv.step}`]));
  if (argv.batches !== undefined) parts.push(`--batches ${argv.batches}`);
  if (argv.tokens !== undefined) parts.push(`--tokens ${argv.tokens}`);
  for (const input of argv.input ?? []) parts.push(`--input ${input}`);
  if (argv['on-invalid'] !== 'error') parts.push(`--on-invalid ${argv['on-invalid']}`);
  const methods = argv.method.join(' ');
  if (methods !== 'linear') for (const m of argv.method) parts.push(`--method ${m}`);
  if (argv['token-key'] !== 'batch_tokens') parts.push(`--token-key ${argv['token-key']}`);
  if (argv.extrapolate !== 'linear') parts.push(`--extrapolate ${argv.extrapolate}`);
  if (argv['max-extrapolation'] !== undefined) parts.push(`--max-extrapolation ${argv['max-extrapolation']}`, ...(argv['max-extrapolation-action'] === 'skip' ? ['--max-extrapolation-action skip'] : []));
  if (argv['exclude-anomalies']) parts.push('--exclude-anomalies');
  if (argv.uncertainty) parts.push('--uncertainty');
  if (argv['keep-duplicates']) parts.push('--keep-duplicates');
  if (!argv.plots) parts.push('--no-plots');
  return parts.join(' ');
}

/** `--method auto` or `--method prompt_time=pchip`, repeatable: later entries win; unnamed metrics take the plain entry, else linear. */
function parseMethods(entries: readonly string[]): Record<FittedMetric, MethodChoice> {
  const choices = ['linear', 'pchip', 'isotonic', 'loglog', 'auto'];
  const methods: Record<FittedMetric, MethodChoice> = { prompt_time: 'linear', token_time: 'linear', peak_power: 'linear', average_power: 'linear' };
  const bad = (entry: string, what: string) => usageError('E_BAD_METHOD', `--method ${JSON.stringify(entry)}: ${what}`, `expected one of ${choices.join(', ')}, alone or as METRIC=METHOD with METRIC one of ${FITTED_METRICS.join(', ')}`);
  for (const entry of entries) {
    const [left, right] = entry.includes('=') ? entry.split('=', 2) : [undefined, entry];
    if (right === undefined || !choices.includes(right)) throw bad(entry, `${JSON.stringify(right ?? '')} is not a method`);
    if (left === undefined) {
      for (const metric of FITTED_METRICS) methods[metric] = right as MethodChoice;
    } else if ((FITTED_METRICS as readonly string[]).includes(left)) {
      methods[left as FittedMetric] = right as MethodChoice;
    } else {
      throw bad(entry, `${JSON.stringify(left)} is not a fitted metric`);
    }
  }
  return methods;
}

function checkFactor(value: number): number {
  if (!(Number.isFinite(value) && value >= 1)) {
    throw usageError('E_BAD_OPTION', `--max-extrapolation ${value} is not allowed`, 'expected a factor >= 1, e.g. 4 for "up to four times beyond the measured range"');
  }
  return value;
}

/** data/raw/*.csv, fetching the pinned files first when they are missing. */
async function defaultInputs(root: string): Promise<string[]> {
  const rawDir = join(root, 'data', 'raw');
  const manifest = await readManifest(join(rawDir, 'manifest.json'));
  await fetchPinned(manifest, rawDir, {
    mirrors: defaultMirrors(root),
    download: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const files = await listCsv(rawDir);
  if (files.length === 0) {
    throw new PerfDbError('E_NO_INPUT', 'no CSV files in data/raw', { file: displayPath(rawDir), hint: 'run `npm run data:fetch` or pass --input FILE' });
  }
  return files;
}

await runCli(main);
