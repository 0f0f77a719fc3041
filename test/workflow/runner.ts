/**
 * Runs a parsed workflow's jobs the way a GitHub-hosted runner would, for the
 * parts this project's workflow uses: jobs in `needs` order, `if:` on jobs and
 * steps with GitHub's status functions, `run:` steps in bash with
 * `-eo pipefail` and env from the workflow, job and step, GITHUB_OUTPUT and
 * step outputs, job outputs, and artifacts passed between jobs. The other
 * actions (checkout, setup-node, cache) are recorded, not run: each job starts
 * in a workspace the caller has checked out.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { condition, interpolate, type ExprContext } from './expressions.js';
import type { YamlValue } from './yaml.js';

type Obj = Record<string, unknown>;
type Outcome = 'success' | 'failure' | 'skipped';

export interface StepRun {
  name: string;
  id?: string;
  uses?: string;
  outcome: Outcome;
  output: string;
}

export interface JobRun {
  result: Outcome;
  outputs: Record<string, string>;
  steps: StepRun[];
  summary: string;
  temp: string;
}

export interface RunnerSetup {
  /** The github context: event_name, base_ref, repository, event, token, ... */
  github: Obj;
  /** The runner's own environment (PATH with the stubs, HOME, GITHUB_* variables). */
  env: Record<string, string>;
  /** A fresh checkout for a job; returns its folder. */
  checkout: (job: string) => string;
  /** A folder for this run's scratch files (job temp folders, artifacts). */
  scratch: string;
}

export function runWorkflow(workflow: YamlValue, setup: RunnerSetup): Record<string, JobRun> {
  const jobs = (workflow as Obj).jobs as Record<string, Obj>;
  const done: Record<string, JobRun> = {};
  const artifacts = join(setup.scratch, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  while (Object.keys(done).length < Object.keys(jobs).length) {
    const ready = Object.keys(jobs).find((id) => !(id in done) && needsOf(jobs[id] as Obj).every((n) => n in done));
    if (ready === undefined) throw new Error('workflow: a needs cycle or an unknown job in needs');
    done[ready] = runJob(ready, jobs[ready] as Obj, (workflow as Obj).env as Obj | undefined, done, setup, artifacts);
  }
  return done;
}

function needsOf(job: Obj): string[] {
  const needs = job.needs;
  return needs === undefined ? [] : Array.isArray(needs) ? (needs as string[]) : [needs as string];
}

function runJob(id: string, job: Obj, workflowEnv: Obj | undefined, done: Record<string, JobRun>, setup: RunnerSetup, artifacts: string): JobRun {
  const temp = join(setup.scratch, `runner-temp-${id}`);
  mkdirSync(temp, { recursive: true });
  const needs = Object.fromEntries(needsOf(job).map((n) => [n, { result: done[n]?.result, outputs: done[n]?.outputs ?? {} }]));
  const results = needsOf(job).map((n) => done[n]?.result);
  const contexts = { github: setup.github, needs, runner: { temp, os: 'Linux' } };
  const run: JobRun = { result: 'skipped', outputs: {}, steps: [], summary: '', temp };
  const jobStatus = { success: () => results.every((r) => r === 'success'), failure: () => results.some((r) => r === 'failure'), cancelled: () => false, always: () => true };
  if (!condition(job.if as string | undefined, { contexts, functions: jobStatus })) return run;
  const workspace = setup.checkout(id);
  const summary = join(temp, 'step-summary.md');
  writeFileSync(summary, '');
  const env = { ...setup.env, RUNNER_TEMP: temp, GITHUB_WORKSPACE: workspace, GITHUB_STEP_SUMMARY: summary };
  const context = runSteps(job, run, contexts, (step, ctx) => ({ ...env, ...envOf(workflowEnv, ctx), ...envOf(job.env as Obj | undefined, ctx), ...envOf(step.env as Obj | undefined, ctx) }), { workspace, temp, artifacts });
  run.result = run.steps.some((s) => s.outcome === 'failure') ? 'failure' : 'success';
  run.summary = readFileSync(summary, 'utf8');
  for (const [key, value] of Object.entries((job.outputs ?? {}) as Record<string, string>)) run.outputs[key] = interpolate(value, context);
  return run;
}

interface Places {
  workspace: string;
  temp: string;
  artifacts: string;
}

/** Runs the job's steps in order into run.steps; returns the expression context they leave (steps.<id>.outcome and outputs). */
function runSteps(job: Obj, run: JobRun, contexts: Obj, envFor: (step: Obj, context: ExprContext) => Record<string, string>, places: Places): ExprContext {
  const steps: Record<string, { outcome: Outcome; outputs: Record<string, string> }> = {};
  const failed = () => run.steps.some((s) => s.outcome === 'failure');
  const context: ExprContext = {
    contexts: { ...contexts, steps },
    functions: { success: () => !failed(), failure: failed, cancelled: () => false, always: () => true },
  };
  ((job.steps ?? []) as Obj[]).forEach((step, index) => {
    const name = (step.name ?? step.uses ?? String(step.run).split('\n')[0]) as string;
    if (step['continue-on-error'] !== undefined) throw new Error(`workflow: the harness does not model continue-on-error (${name})`);
    const record: StepRun = { name, outcome: 'skipped', output: '', ...(step.id === undefined ? {} : { id: step.id as string }), ...(step.uses === undefined ? {} : { uses: step.uses as string }) };
    let outputs: Record<string, string> = {};
    if (condition(step.if as string | undefined, context)) {
      const result = step.run !== undefined ? runScript(step.run as string, envFor(step, context), places.workspace, places.temp, index) : runAction(step, context, places.workspace, places.artifacts);
      record.outcome = result.ok ? 'success' : 'failure';
      record.output = result.output;
      outputs = result.outputs;
    }
    run.steps.push(record);
    if (step.id !== undefined) steps[step.id as string] = { outcome: record.outcome, outputs };
  });
  return context;
}

function envOf(env: Obj | undefined, context: ExprContext): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, interpolate(String(v), context)]));
}

interface StepResult {
  ok: boolean;
  output: string;
  outputs: Record<string, string>;
}

/** A run: step as GitHub runs it on Linux: `bash --noprofile --norc -eo pipefail {0}`. */
function runScript(script: string, env: Record<string, string>, cwd: string, temp: string, index: number): StepResult {
  if (script.includes('${{')) throw new Error(`workflow: a run: step interpolates an expression into the script; pass it in env: ${script}`);
  const file = join(temp, `step-${index}.sh`);
  const outputFile = join(temp, `output-${index}`);
  writeFileSync(file, script);
  writeFileSync(outputFile, '');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env: { ...env, GITHUB_OUTPUT: outputFile }, encoding: 'utf8', timeout: 120_000 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`, outputs: parseOutputs(readFileSync(outputFile, 'utf8')) };
}

/** GITHUB_OUTPUT lines: `key=value`, or `key<<DELIMITER` ... `DELIMITER`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${heredoc[1]} has no closing ${heredoc[2]}`);
      out[heredoc[1] as string] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else if (line !== '') {
      throw new Error(`GITHUB_OUTPUT: cannot read ${JSON.stringify(line)}`);
    }
  }
  return out;
}

/** A uses: step: artifacts are copied to and from a folder per name; other actions are recorded only. */
function runAction(step: Obj, context: ExprContext, workspace: string, artifacts: string): StepResult {
  const action = (step.uses as string).replace(/@.*$/, '');
  // Only the artifact actions' inputs are evaluated: the others are not run.
  const inputs = () => Object.fromEntries(Object.entries((step.with ?? {}) as Obj).map(([k, v]) => [k, interpolate(String(v), context)]));
  const ok = (output: string): StepResult => ({ ok: true, output, outputs: {} });
  const fail = (output: string): StepResult => ({ ok: false, output, outputs: {} });
  switch (action) {
    case 'actions/checkout':
    case 'actions/setup-node':
    case 'actions/cache':
      return ok(`${action}: recorded`);
    case 'actions/upload-artifact': {
      const { name, path, 'if-no-files-found': ifNone = 'warn' } = inputs();
      if (name === undefined || path === undefined || path.includes('\n')) throw new Error('workflow: the harness uploads one path per artifact, by name');
      if (!existsSync(path)) return ifNone === 'error' ? fail(`no files at ${path}`) : ok(`no files at ${path}`);
      const into = join(artifacts, name);
      // upload-artifact v4 refuses a second artifact of the same name in a run.
      if (existsSync(into)) return fail(`an artifact named ${name} already exists`);
      cpSync(path, statSync(path).isDirectory() ? into : join(into, path.split('/').pop() as string), { recursive: true });
      return ok(`uploaded ${name}`);
    }
    case 'actions/download-artifact': {
      const { name, path = workspace } = inputs();
      if (name === undefined) throw new Error('workflow: the harness downloads artifacts by name');
      if (!existsSync(join(artifacts, name))) return fail(`no artifact named ${name}`);
      cpSync(join(artifacts, name), path, { recursive: true });
      return ok(`downloaded ${name}`);
    }
    default:
      throw new Error(`workflow: the harness does not know ${action}`);
  }
}
