/**
 * Benchmarks `generate` as whole processes on the three workloads and
 * measures the machine's floor: formatting and writing the same kind of rows
 * in a tight loop with no pipeline around it. Prints a Markdown table and
 * writes it to bench/results.md. Needs GNU time (/usr/bin/time, or $PERFDB_GNU_TIME) for peak RSS.
 *   npm run bench -- [--runs 3] [--only default,medium]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PerfDbError, usageError } from '../pipeline/core/errors.js';
import { median } from '../pipeline/core/stats.js';
import { commandLine, projectRoot, runCli } from './cli.js';
import { manyGroups } from './workloads.js';

/** Each workload's arguments; `input`, when given, makes a synthetic input file in place of the real data. */
const WORKLOADS: readonly { name: string; args: readonly string[]; input?: () => string }[] = [
  { name: 'default', args: ['--prompts', '128..8192', '--step', '64'] },
  { name: 'medium', args: ['--prompts', '1..8192', '--step', '4', '--batches', '1..64', '--tokens', '128,512'] },
  { name: 'large', args: ['--prompts', '1..8192', '--step', '1', '--batches', '1..64', '--tokens', '128,256,512,1024'] },
  { name: 'groups', args: [], input: () => manyGroups(10_000) },
];

/** GNU time, for each run's peak RSS. */
const GNU_TIME = process.env.PERFDB_GNU_TIME ?? '/usr/bin/time';

interface Run {
  seconds: number;
  maxRssKb: number;
  rows: number;
}

async function main(): Promise<number> {
  const argv = await commandLine(
    yargs(hideBin(process.argv))
      .scriptName('npm run bench --')
      .option('runs', { type: 'number', default: 3, describe: 'runs per workload (the median is reported)' })
      .option('only', { type: 'string', describe: 'comma-separated workload names' })
      .option('out', { type: 'string', default: 'bench/results.md', describe: 'where to write the table' }),
    hideBin(process.argv),
  ).parseAsync();
  if (!existsSync(GNU_TIME)) {
    throw new PerfDbError('E_NO_GNU_TIME', `${GNU_TIME} is missing; the benchmark reads peak RSS from GNU time`, { hint: 'apt-get install time, or set PERFDB_GNU_TIME to its path' });
  }
  const root = projectRoot();
  const wanted = argv.only?.split(',') ?? WORKLOADS.map((w) => w.name);
  const unknown = wanted.filter((name) => !WORKLOADS.some((w) => w.name === name));
  if (unknown.length > 0) throw usageError('E_BAD_OPTION', `--only ${argv.only}: no workload ${unknown.map((n) => JSON.stringify(n)).join(', ')}`, `choose from ${WORKLOADS.map((w) => w.name).join(', ')}`);
  const scratch = await mkdtemp(join(tmpdir(), 'perfdb-bench-'));
  const lines: string[] = [];
  try {
    const floors: number[] = [];
    for (let i = 0; i < argv.runs; i++) floors.push(await measureFloor(join(scratch, 'floor.csv'), 3_000_000));
    const floor = median(floors);
    process.stderr.write(`floor: ${floors.map(Math.round).join(', ')} rows/s (median ${Math.round(floor)})\n`);
    lines.push(`Floor: ${Math.round(floor).toLocaleString('en-US')} rows/s.`, '');
    lines.push('| workload | rows | runs | median wall time (s) | rows/s | fraction of floor | peak RSS (MB) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const workload of WORKLOADS.filter((w) => wanted.includes(w.name))) {
      const runs: Run[] = [];
      const args = [...workload.args];
      if (workload.input !== undefined) {
        const input = join(scratch, `${workload.name}.csv`);
        await writeFile(input, workload.input());
        args.push('--input', input);
      }
      for (let i = 0; i < argv.runs; i++) {
        runs.push(runGenerate(root, args, join(scratch, workload.name)));
        process.stderr.write(`${workload.name} run ${i + 1}: ${runs.at(-1)?.seconds} s, ${Math.round((runs.at(-1)?.maxRssKb ?? 0) / 1024)} MB\n`);
      }
      const seconds = median(runs.map((r) => r.seconds));
      const rss = median(runs.map((r) => r.maxRssKb)) / 1024;
      const rows = runs[0]?.rows ?? 0;
      lines.push(`| ${workload.name} | ${rows.toLocaleString('en-US')} | ${runs.length} | ${seconds.toFixed(2)} | ${Math.round(rows / seconds).toLocaleString('en-US')} | ${(rows / seconds / floor).toFixed(2)} | ${rss.toFixed(0)} |`);
      await rm(join(scratch, workload.name), { recursive: true, force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const text = resultsPage(lines.join('\n'));
  const out = resolve(argv.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  process.stdout.write(`${text}\n`);
  return 0;
}

/** bench/results.md: the machine, the method and the table. */
function resultsPage(table: string): string {
  const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  return [
    '# Benchmark results',
    '',
    `Machine: ${machine}.`,
    '',
    'Whole `npm run generate` processes on the real data (compiled JS, plots reused from their cache), median of the runs; peak RSS from GNU time.',
    'Workload `groups` is a synthetic input of 10,000 groups of two rows each (scripts/workloads.ts), on the measured grid.',
    'The floor is a tight loop on one core that formats 3 million rows of the same shape (names, three sizes, five doubles with `Number.prototype.toString`, source) into 1 MiB buffers and writes them, with no pipeline around it (median of the runs).',
    "The pipeline can pass 1.0: it formats each (prompt, batch) point's four predicted values once for all its token sizes, and uses both cores.",
    '',
    table,
    '',
    'Reproduce: `npm run bench`.',
    '',
  ].join('\n');
}

function runGenerate(root: string, args: readonly string[], out: string): Run {
  const result = spawnSync(GNU_TIME, ['-f', '%e %M', process.execPath, join(root, 'scripts', 'launch.mjs'), 'generate', ...args, '--out', out], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`generate failed (${result.status}): ${result.stderr}`);
  const timing = result.stderr.trim().split('\n').at(-1)?.split(' ') ?? [];
  const rows = Number(/Wrote (\d+) rows/.exec(result.stdout)?.[1] ?? NaN);
  return { seconds: Number(timing[0]), maxRssKb: Number(timing[1]), rows };
}

/** Rows per second of formatting and writing rows of perf_db.csv's shape, with nothing else going on. */
async function measureFloor(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const started = performance.now();
  const buffer = Buffer.allocUnsafe(1 << 20);
  let offset = 0;
  for (let i = 0; i < rows; i++) {
    const p = 1 + (i >> 8);
    const b = 1 + ((i >> 2) & 63);
    const t = 128 << (i & 3);
    const x = p * b;
    const line = `llama2-70b,a100-80gb,${p},${b},${t},${0.5 + x * 1e-7},${0.4 + x * 1e-7},${60 + x * 0.0131},${40 + x * 0.000173},${60 + x * 0.0131 + (t - 1) * (40 + x * 0.000173)},2,interpolated\n`;
    if (offset + line.length > buffer.length) {
      if (!out.write(Buffer.from(buffer.subarray(0, offset)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      offset = 0;
    }
    offset += buffer.write(line, offset, 'latin1');
  }
  out.write(Buffer.from(buffer.subarray(0, offset)));
  await new Promise<void>((resolve) => out.end(resolve));
  const seconds = (performance.now() - started) / 1000;
  return rows / seconds;
}

await runCli(main);
