/** Small shared helpers for the test files: scipy fixtures, sources from strings, hand-made rows, deep freeze, folder snapshots, child-process runs. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestSource } from '../pipeline/stages/ingest.js';
import { METRICS, type Measurement, type Metrics } from '../pipeline/types.js';

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

/** Runs a TypeScript script with tsx in a child process, from the project root; env adds to this process's environment. */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs scripts/generate.ts with tsx in a child process, from the project root. */
export function generate(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runScript(GENERATE, args, env);
}
