/**
 * Benchmarks `generate` as whole processes on the workloads, each run into a
 * fresh output folder (so the plots are drawn), the default one also with its
 * plots cached; measures the machine's floor (the formatting-and-writing loop
 * of bench-floor.ts on one core and on every core) and Node's own start-up
 * (`node -e 0`, also without NODE_EXTRA_CA_CERTS where the environment sets
 * it: Node parses the certificates it names at every start); and, when
 * /usr/bin/python3 imports pandas and scipy, runs bench/pandas_equivalent.py
 * on the same workloads in the same run and checks on the default workload
 * that both agree where SplitwiseSim's line applies. Prints a Markdown page;
 * writes it only when asked (--write: bench/results.md, or --out PATH).
 * Needs GNU time (/usr/bin/time, or $PERFDB_GNU_TIME) for peak RSS and CPU time.
 *   npm run bench -- [--runs 3] [--only default,medium] [--write | --out PATH] [--no-python]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PerfDbError, usageError } from '../pipeline/core/errors.js';
import { median } from '../pipeline/core/stats.js';
import { floorLoop, parallelFloor } from './bench-floor.js';
import { commandLine, projectRoot, runCli } from './cli.js';
import { manyGroups } from './workloads.js';

/** Each workload's arguments; `input`, when given, makes a synthetic input file in place of the real data. */
const WORKLOADS: readonly { name: string; args: readonly string[]; input?: () => string }[] = [
  { name: 'default', args: ['--prompts', '128..8192', '--step', '64'] },
  { name: 'medium', args: ['--prompts', '1..8192', '--step', '4', '--batches', '1..64', '--tokens', '128,512'] },
  { name: 'large', args: ['--prompts', '1..8192', '--step', '1', '--batches', '1..64', '--tokens', '128,256,512,1024'] },
  { name: 'groups', args: [], input: () => manyGroups(10_000) },
];

const GNU_TIME = process.env.PERFDB_GNU_TIME ?? '/usr/bin/time';
const PYTHON = '/usr/bin/python3';
const RESULTS = 'bench/results.md';

interface Run {
  seconds: number;
  cpuSeconds: number;
  maxRssKb: number;
  rows: number;
}

interface Measured {
  ours: Run;
  cached: Run | null;
  python: Run | null;
}

async function main(): Promise<number> {
  const argv = await commandLine(
    yargs(hideBin(process.argv))
      .scriptName('npm run bench --')
      .option('runs', { type: 'number', default: 3, describe: 'runs per workload (the median is reported)' })
      .option('only', { type: 'string', describe: 'comma-separated workload names' })
      .option('write', { type: 'boolean', default: false, describe: `write the page to ${RESULTS}` })
      .option('out', { type: 'string', describe: 'write the page to this file instead' })
      .option('python', { type: 'boolean', default: true, describe: 'also run the pandas + scipy equivalent (--no-python skips it)' })
      .option('floor-rows', { type: 'number', default: 3_000_000, hidden: true }),
    hideBin(process.argv),
  ).parseAsync();
  if (!existsSync(GNU_TIME)) {
    throw new PerfDbError('E_NO_GNU_TIME', `${GNU_TIME} is missing; the benchmark reads peak RSS from GNU time`, { hint: 'apt-get install time, or set PERFDB_GNU_TIME to its path' });
  }
  const workloads = chosen(argv.only);
  const root = projectRoot();
  const python = argv.python ? pythonReady() : 'skipped (--no-python)';
  if (typeof python === 'string') process.stderr.write(`pandas + scipy: ${python}\n`);
  const scratch = await mkdtemp(join(tmpdir(), 'perfdb-bench-'));
  let page: string;
  try {
    const floor = await measureFloors(scratch, argv.runs, argv['floor-rows']);
    const startup = measureStartup(argv.runs);
    const results: [string, Measured][] = [];
    for (const workload of workloads) results.push([workload.name, await measureWorkload(root, scratch, workload, argv.runs, python === true)]);
    const agreement = python === true && workloads.some((w) => w.name === 'default') ? agree(root, scratch) : null;
    page = resultsPage(floor, startup, results, typeof python === 'string' ? python : null, agreement);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`${page}\n`);
  const target = argv.out ?? (argv.write ? RESULTS : null);
  if (target !== null) {
    const path = resolve(target);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, page);
    process.stderr.write(`wrote ${path}\n`);
  }
  return 0;
}

/** The workloads --only names (all when not given); an unknown name is a usage error. */
function chosen(only: string | undefined): typeof WORKLOADS {
  const wanted = only?.split(',') ?? WORKLOADS.map((w) => w.name);
  const unknown = wanted.filter((name) => !WORKLOADS.some((w) => w.name === name));
  if (unknown.length > 0 || wanted.length === 0) throw usageError('E_BAD_OPTION', `--only ${only}: no workload ${unknown.map((n) => JSON.stringify(n)).join(', ')}`, `choose from ${WORKLOADS.map((w) => w.name).join(', ')}`);
  return WORKLOADS.filter((w) => wanted.includes(w.name));
}

/** true when /usr/bin/python3 imports pandas and scipy; otherwise why the comparison is skipped. */
function pythonReady(): true | string {
  if (!existsSync(PYTHON)) return `skipped (${PYTHON} is missing)`;
  const run = spawnSync(PYTHON, ['-c', 'import pandas, scipy'], { encoding: 'utf8' });
  return run.status === 0 ? true : `skipped (${PYTHON} cannot import pandas and scipy)`;
}

interface Floors {
  one: number;
  all: number;
  threads: number;
  /** The same loop on every core with the emitter's byte formatter. */
  bytes: number;
}

async function measureFloors(scratch: string, runs: number, rows: number): Promise<Floors> {
  const threads = availableParallelism();
  const one: number[] = [];
  const all: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < runs; i++) {
    one.push(await floorLoop(join(scratch, 'floor.csv'), rows));
    all.push(await parallelFloor(join(scratch, 'floor'), rows, threads));
    bytes.push(await parallelFloor(join(scratch, 'floor'), rows, threads, 'bytes'));
    await rm(join(scratch, 'floor.csv'), { force: true });
  }
  process.stderr.write(`floor: one core ${one.map(Math.round).join(', ')} rows/s; ${threads} cores ${all.map(Math.round).join(', ')} rows/s; ${threads} cores with the byte formatter ${bytes.map(Math.round).join(', ')} rows/s\n`);
  return { one: median(one), all: median(all), threads, bytes: median(bytes) };
}

interface Startup {
  /** `node -e 0` as this environment starts it, in seconds. */
  plain: number;
  /** The same with NODE_EXTRA_CA_CERTS removed, and the file it named; null where it is not set. */
  withoutCerts: { seconds: number; file: string } | null;
}

/** Node's own start-up, the part of every whole-process time that is not the pipeline's. */
function measureStartup(runs: number): Startup {
  const nodeStart = (env: NodeJS.ProcessEnv) => median(Array.from({ length: Math.max(runs, 5) }, () => timed([process.execPath, '-e', '0'], process.cwd(), env).seconds));
  const plain = nodeStart(process.env);
  const file = process.env.NODE_EXTRA_CA_CERTS;
  const { NODE_EXTRA_CA_CERTS: _certs, ...rest } = process.env;
  const withoutCerts = file === undefined || file === '' ? null : { seconds: nodeStart(rest), file };
  process.stderr.write(`node -e 0: ${plain} s${withoutCerts === null ? '' : `; without NODE_EXTRA_CA_CERTS ${withoutCerts.seconds} s`}\n`);
  return { plain, withoutCerts };
}

async function measureWorkload(root: string, scratch: string, workload: (typeof WORKLOADS)[number], runs: number, python: boolean): Promise<Measured> {
  const args = [...workload.args];
  const input = workload.input === undefined ? realInput(root) : join(scratch, `${workload.name}.csv`);
  if (workload.input !== undefined) {
    await writeFile(input, workload.input());
    args.push('--input', input);
  }
  const ours: Run[] = [];
  const cached: Run[] = [];
  const theirs: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const out = join(scratch, `${workload.name}-${i}`);
    ours.push(timed([process.execPath, join(root, 'scripts', 'launch.mjs'), 'generate', ...args, '--out', out], root));
    if (workload.name === 'default') cached.push(timed([process.execPath, join(root, 'scripts', 'launch.mjs'), 'generate', ...args, '--out', out], root));
    await rm(out, { recursive: true, force: true });
    if (python) {
      theirs.push(timed([PYTHON, join(root, 'bench', 'pandas_equivalent.py'), ...pythonArgs(args, input), '--out', join(scratch, 'py.csv')], root));
      await rm(join(scratch, 'py.csv'), { force: true });
    }
    const last = (r: Run[]) => (r.length === 0 ? '' : `, ${r.at(-1)?.seconds} s ${Math.round((r.at(-1)?.maxRssKb ?? 0) / 1024)} MB`);
    process.stderr.write(`${workload.name} run ${i + 1}: ours${last(ours)}; cached${last(cached)}; pandas${last(theirs)}\n`);
  }
  const rows = ours[0]?.rows ?? 0;
  return { ours: medianRun(ours, rows), cached: cached.length === 0 ? null : medianRun(cached, rows), python: theirs.length === 0 ? null : medianRun(theirs, rows) };
}

function realInput(root: string): string {
  return join(root, 'data', 'raw', 'perf_model.csv');
}

/** The script's arguments for a workload's: the same grid and input. */
function pythonArgs(args: readonly string[], input: string): string[] {
  const out = ['--input', input];
  for (const name of ['--prompts', '--step', '--batches', '--tokens']) {
    const at = args.indexOf(name);
    if (at >= 0) out.push(name, args[at + 1] as string);
  }
  return out;
}

function medianRun(runs: readonly Run[], rows: number): Run {
  return { seconds: median(runs.map((r) => r.seconds)), cpuSeconds: median(runs.map((r) => r.cpuSeconds)), maxRssKb: median(runs.map((r) => r.maxRssKb)), rows };
}

/** One command under GNU time: wall and CPU seconds, peak RSS, and the rows a generate run reports. */
function timed(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Run {
  const result = spawnSync(GNU_TIME, ['-f', '%e %U %S %M', ...command], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`${command.slice(0, 3).join(' ')} failed (${result.status}): ${result.stderr}`);
  const [wall, user, system, rss] = (result.stderr.trim().split('\n').at(-1)?.split(' ') ?? []).map(Number);
  const rows = Number(/Wrote (\d+) rows/.exec(result.stdout)?.[1] ?? NaN);
  return { seconds: wall ?? NaN, cpuSeconds: (user ?? NaN) + (system ?? NaN), maxRssKb: rss ?? NaN, rows };
}

/** On the default workload: the project's rows against the script's, where SplitwiseSim's line applies. */
function agree(root: string, scratch: string): string {
  const ours = join(scratch, 'agree');
  const theirs = join(scratch, 'agree-py.csv');
  const grid = WORKLOADS[0]?.args ?? [];
  timed([process.execPath, join(root, 'scripts', 'launch.mjs'), 'generate', ...grid, '--no-plots', '--out', ours], root);
  timed([PYTHON, join(root, 'bench', 'pandas_equivalent.py'), ...pythonArgs(grid, realInput(root)), '--out', theirs], root);
  const run = spawnSync(PYTHON, [join(root, 'bench', 'pandas_equivalent.py'), '--compare', join(ours, 'perf_db.csv'), theirs], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the pandas + scipy rows differ from the project's: ${run.stdout}${run.stderr}`);
  return run.stdout.trim();
}

/** The page: the machine, the method and the table. */
function resultsPage(floor: Floors, startup: Startup, results: readonly [string, Measured][], skipped: string | null, agreement: string | null): string {
  const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const mb = (kb: number) => (kb / 1024).toFixed(0);
  const rowsOf = (r: Run) => r.rows.toLocaleString('en-US');
  const head = ['| workload | rows | wall (s) | CPU (s) | peak RSS (MB) | rows/s | of the floor | pandas + scipy (s) | its RSS (MB) | speed-up |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  const line = (name: string, r: Run, py: Run | null) => `| ${name} | ${rowsOf(r)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${mb(r.maxRssKb)} | ${Math.round(r.rows / r.seconds).toLocaleString('en-US')} | ${(r.rows / r.seconds / floor.all).toFixed(2)} | ${py === null ? '—' : py.seconds.toFixed(2)} | ${py === null ? '—' : mb(py.maxRssKb)} | ${py === null ? '—' : `${(py.seconds / r.seconds).toFixed(1)}×`} |`;
  const rows = results.flatMap(([name, m]) => [line(name, m.ours, m.python), ...(m.cached === null ? [] : [line(`${name}, plots cached`, m.cached, m.python)])]);
  return [
    '# Benchmark results',
    '',
    `Machine: ${machine}.`,
    '',
    'Whole `npm run generate` processes (compiled JS through `npm run`\'s launcher), each into a fresh output folder so that the plots are drawn; the default workload also run a second time into the same folder, plots cached. Medians of the runs; wall and CPU (user + system) time and peak RSS from GNU time.',
    'Workload `groups` is a synthetic input of 10,000 groups of two rows each (scripts/workloads.ts), on the measured grid.',
    `The floor is scripts/bench-floor.ts: a tight loop that formats rows of perf_db.csv's shape (names, three sizes, five doubles with \`Number.prototype.toString\`, source) into 1 MiB buffers and writes them, run on all ${floor.threads} cores at once (worker threads, each its share of the rows): ${Math.round(floor.all).toLocaleString('en-US')} rows/s (one core: ${Math.round(floor.one).toLocaleString('en-US')} rows/s). "Of the floor" is the pipeline's rows/s over that. The same rows written as the emitter writes them (its byte formatter, pipeline/emit/shortest.ts, in place of toString) go at ${Math.round(floor.bytes).toLocaleString('en-US')} rows/s on all ${floor.threads} cores.`,
    `Node's own start-up, part of every whole-process time in the table: \`node -e 0\` takes ${startup.plain.toFixed(2)} s here${startup.withoutCerts === null ? '' : ` (${startup.withoutCerts.seconds.toFixed(2)} s without the NODE_EXTRA_CA_CERTS this environment sets: Node parses the certificates of ${startup.withoutCerts.file} at every start)`}.`,
    'pandas + scipy is bench/pandas_equivalent.py (SplitwiseSim\'s interp1d line on the same grid and input) run by /usr/bin/python3 in the same benchmark; speed-up is its wall time over the pipeline\'s.',
    ...(skipped === null ? [] : [`pandas + scipy: ${skipped}.`]),
    ...(agreement === null ? [] : [`Agreement on the default workload (interpolated rows, prompt_time and token_time): ${agreement}.`]),
    '',
    ...head,
    ...rows,
    '',
    'Reproduce: `npm run bench -- --write`.',
    '',
  ].join('\n');
}

await runCli(main);
