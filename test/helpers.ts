/** Small shared helpers for the test files: scipy fixtures, sources from strings, hand-made rows, deep freeze, folder snapshots, child-process runs. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveGrid } from '../pipeline/core/grid.js';
import type { EmitCounts } from '../pipeline/emit/counters.js';
import { replacedRows } from '../pipeline/emit/replacements.js';
import { emitGroup, type RowObserver } from '../pipeline/emit/rows.js';
import type { EmitTask } from '../pipeline/emit/types.js';
import { runOptions } from '../pipeline/options/defaults.js';
import { runPipeline } from '../pipeline/run.js';
import { aggregate } from '../pipeline/stages/aggregate.js';
import type { Sink } from '../pipeline/stages/emit.js';
import { fit as fitStage, type FitStageOptions } from '../pipeline/stages/fit.js';
import type { IngestSource } from '../pipeline/stages/ingest.js';
import { FITTED_METRICS, METRICS } from '../pipeline/core/columns.js';
import { tailsFor } from '../pipeline/fit/attach.js';
import type { TailKind } from '../pipeline/fit/tails.js';
import type { Configuration, FittedMetric, Grid, GroupFit, GroupPlan, Measurement, Metrics, PipelineResult } from '../pipeline/types.js';
import type { RunOptions } from '../pipeline/options/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
export const GENERATE = join(ROOT, 'scripts', 'generate.ts');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** Skips the report's SVG charts (about half of a small run's time); perf_db.csv does not depend on them. */
export const NO_PLOTS = '--no-plots';

/** One group's curve in interp1d-real.json and pchip-real.json: knots x, y (median per x) and count (rows per x), and the reference values at queries. */
export interface ScipyEntry {
  model: string;
  hardware: string;
  tensor_parallel: number;
  metric: string;
  x: number[];
  y: number[];
  count: number[];
  queries: number[];
  values: number[];
}

/** A scipy / pandas / sklearn reference from test/fixtures/scipy (written by make_reference.py), parsed as T. */
export function scipyFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, 'scipy', name), 'utf8')) as T;
}

/** The real profiling data, in data/raw. */
export function realDataPath(): string {
  // test/global-setup.ts has fetched it (from a mirror or the pinned URL) before any test runs.
  return join(ROOT, 'data', 'raw', 'perf_model.csv');
}

/** An ingest source that yields the given text as one chunk (or several, if given several). */
export function source(text: string | readonly string[], file = 'x.csv'): IngestSource {
  const chunks = typeof text === 'string' ? [text] : text;
  return {
    file,
    chunks: (async function* () {
      yield* chunks;
    })(),
  };
}

/** Freezes a value and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A measurement with defaults: model m, hardware h, tp 1; metrics not given are null. */
export function row(fields: Partial<Omit<Measurement, 'metrics'>> & { metrics?: Partial<Metrics> }): Measurement {
  const metrics = Object.fromEntries(METRICS.map((m) => [m, fields.metrics?.[m] ?? null])) as Metrics;
  return {
    model: 'm',
    hardware: 'h',
    tensor_parallel: 1,
    prompt_size: 1,
    batch_size: 1,
    token_size: 1,
    file: 'x.csv',
    line: 2,
    ...fields,
    metrics,
  };
}

/** A fresh scratch folder under the OS temp folder; remove it with `cleanUp`. */
export function scratch(prefix = 'perfdb-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function cleanUp(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Every file under a folder (hidden ones included), keyed by its path relative to the folder, with its bytes. */
export function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const visit = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = join(dir, rel, name);
      if (statSync(path).isDirectory()) visit(join(rel, name));
      else out.set(join(rel, name), readFileSync(path));
    }
  };
  visit('');
  return out;
}

/** Every file under a folder keyed as in `snapshot`, with the sha256 of its bytes: cheap to compare with toEqual. */
export function fingerprint(dir: string): Map<string, string> {
  return new Map([...snapshot(dir)].map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]));
}

/** Runs a TypeScript script (a test's own wrapper) with tsx in a child process, from the project root; env adds to this process's environment. */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return run(TSX, [script, ...args], env);
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The launcher npm runs: `node scripts/launch.mjs <command>` runs the compiled command from dist/. */
export const LAUNCH = join(ROOT, 'scripts', 'launch.mjs');

/** Runs a command as `npm run <command>` does (the compiled code in dist/, which test/global-setup.ts built), from the project root or from `cwd`. */
export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<CliRun> {
  return run(process.execPath, [LAUNCH, command, ...args], env, cwd);
}

/** Runs `generate` as `npm run generate` does, in a child process from the project root (or from `cwd`). */
export function generate(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<CliRun> {
  return runCommand('generate', args, env, cwd);
}

// ------------------------------------------------ the stages with plain options, for tests

/** The fit stage on rows alone (configurations aggregated from them), with default options for what is not given; the groups' fits. */
export function fitGroups(rows: readonly Measurement[], options: Partial<FitStageOptions> = {}): GroupFit[] {
  return fitStage(rows, aggregate(rows), { ...runOptions(), ...options }).plans.map((plan) => plan.fit);
}

/** The same policy for every fitted metric, as `--extrapolate P` gives. */
export function everyMetric<T>(value: T): Record<FittedMetric, T> {
  return { prompt_time: value, token_time: value, peak_power: value, average_power: value };
}

/**
 * The group with every metric's tails made for an --extrapolate policy, as the
 * fit stage attaches them: `linear` (SplitwiseSim: the method's own line) or a
 * tail kind on both sides.
 */
export function withPolicy(group: GroupFit, measured: readonly Configuration[], policy: 'linear' | TailKind): GroupFit {
  const plan: GroupPlan = { fit: group, measurements: [], configurations: [...measured], tokenKeys: null, broken: [], evidence: {} };
  const fits = { ...group.fits };
  for (const metric of FITTED_METRICS) {
    const f = fits[metric];
    if (f !== null) fits[metric] = { ...f, tails: policy === 'linear' ? null : tailsFor(plan, metric, { upper: policy, lower: policy }) };
  }
  return { ...group, fits };
}

export interface EmitTestOptions {
  chunkBytes?: number;
  onRow?: RowObserver;
  /** Beyond the range (default linear: SplitwiseSim's own line, whatever tails the group carries). */
  extrapolate?: 'linear' | TailKind;
  skipBeyond?: number | null;
  /** The err columns, with these bands and coverage. */
  errors?: EmitTask['errors'];
  /** Replace anomalous measured rows by predictions, as --exclude-anomalies does. */
  replaceAnomalies?: boolean;
  /** Yield one buffer over and over: the caller must be done with a chunk before asking for the next. */
  reuseChunks?: boolean;
}

/** One group's rows as the emit stage writes them (the task built as the stage builds it). */
export function emitRows(group: GroupFit, measured: readonly Configuration[], grid: Grid, options: EmitTestOptions = {}): Generator<Uint8Array, EmitCounts, undefined> {
  const resolved = resolveGrid(grid, measured);
  const fit = withPolicy(group, measured, options.extrapolate ?? 'linear');
  const task: EmitTask = {
    index: 0,
    fit,
    configurations: [...measured],
    grid: resolved,
    skipBeyond: options.skipBeyond ?? null,
    errors: options.errors ?? null,
    validated: { upper: null, lower: null },
    replaced: options.replaceAnomalies === true ? [...replacedRows(fit, measured, resolved)] : [],
  };
  const chunks = { ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }), ...(options.reuseChunks === true ? { reuseChunks: true } : {}) };
  return emitGroup(task, options.onRow ?? (() => undefined), chunks);
}

/** runPipeline with options given as a partial object over the defaults, and a scratch folder. */
export function pipelineRun(sources: readonly IngestSource[], options: Partial<RunOptions>, sink: Sink): Promise<PipelineResult> {
  return runPipeline(sources, runOptions(options), sink, {});
}
