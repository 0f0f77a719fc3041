/** Small shared helpers for the test files: sources from strings, hand-made rows, deep freeze, child-process runs. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestSource } from '../pipeline/ingest.js';
import { METRICS, type Measurement, type Metrics } from '../pipeline/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
export const GENERATE = join(ROOT, 'scripts', 'generate.ts');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** Skips the report's SVG charts (about half of a small run's time); perf_db.csv does not depend on them. */
export const NO_PLOTS = '--no-plots';

/** The real profiling data: the fetched copy under data/raw, else the shared mirror. */
export function realDataPath(): string {
  const fetched = join(ROOT, 'data', 'raw', 'perf_model.csv');
  return existsSync(fetched) ? fetched : join(ROOT, '..', 'shared', 'data', 'perf_model.csv');
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

/** Runs scripts/generate.ts with tsx in a child process, from the project root. */
export function generate(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [GENERATE, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
