/**
 * One run of .github/workflows/perf-db.yml in a scratch repository: an
 * "origin" whose main branch holds the project's committed quality report and
 * this tree's scripts/ci, a head branch with the report the scenario gives,
 * a shallow clone of the head for each job, and `gh` and `npm` stubs on PATH
 * (test/workflow/stub.mjs) that record every call.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { runWorkflow, type JobRun } from './runner.js';
import { parseYaml, type YamlValue } from './yaml.js';

export const WORKFLOW = join(ROOT, '.github', 'workflows', 'perf-db.yml');
export const REPOSITORY = 'perfdb/perfdb';
export const RUN_URL = 'https://github.com/perfdb/perfdb/actions/runs/4242';
export const PR = 7;
const REPORT = 'data/generated/quality-report.json';

/** The quality report committed in this project, as text and parsed. */
export const COMMITTED = execFileSync('git', ['show', `HEAD:${REPORT}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
export const committedReport = (): Record<string, unknown> => JSON.parse(COMMITTED) as Record<string, unknown>;

export interface Scenario {
  event: 'pull_request' | 'push';
  /** The head commit's data/generated/quality-report.json; the committed one when absent. */
  head?: object;
  /** The base branch's report: the committed one when absent, none at all when null. */
  base?: object | null;
  /** data/generated is stale, and `generate --out` writes this report. */
  regenerated?: object;
  /** The pull request's comments before the run, as the REST API lists them. */
  comments?: object[];
  /** The pull request comes from a fork. */
  fork?: boolean;
  /** The workflow to run; this project's when absent. */
  workflow?: YamlValue;
}

export interface Call {
  tool: 'gh' | 'npm';
  args: string[];
  method?: string;
  endpoint?: string;
  input?: { body: string };
  refused?: string;
}

export interface Run {
  jobs: Record<string, JobRun>;
  calls: Call[];
  /** The comment bodies sent with POST or PATCH. */
  sent: { method: string; endpoint: string; body: string }[];
  /** Each uploaded artifact's files (path inside it -> text). */
  artifacts: Record<string, Record<string, string>>;
}

function readArtifacts(dir: string): Run['artifacts'] {
  const out: Run['artifacts'] = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const files = readdirSync(join(dir, name), { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, name, f)).isFile());
    out[name] = Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(dir, name, f), 'utf8')]));
  }
  return out;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=perfdb', '-c', 'user.email=perfdb@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });

function commitReport(repo: string, report: string | null, message: string): void {
  rmSync(join(repo, REPORT), { force: true });
  if (report !== null) {
    mkdirSync(join(repo, 'data', 'generated'), { recursive: true });
    writeFileSync(join(repo, REPORT), report);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
}

/** The origin repository: main with the base report and this tree's CI files, `feature` with the head report. */
function makeOrigin(dir: string, scenario: Scenario): string {
  const origin = join(dir, 'origin');
  mkdirSync(origin);
  git(origin, 'init', '-q');
  cpSync(join(ROOT, 'scripts', 'ci'), join(origin, 'scripts', 'ci'), { recursive: true });
  mkdirSync(join(origin, '.github', 'workflows'), { recursive: true });
  cpSync(WORKFLOW, join(origin, '.github', 'workflows', 'perf-db.yml'));
  const text = (report: object | undefined) => (report === undefined ? COMMITTED : `${JSON.stringify(report, null, 2)}\n`);
  commitReport(origin, scenario.base === null ? null : text(scenario.base), 'base');
  git(origin, 'checkout', '-q', '-b', 'feature');
  commitReport(origin, text(scenario.head), 'head');
  return origin;
}

function makeStubs(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of ['gh', 'npm']) {
    writeFileSync(join(bin, tool), `#!/usr/bin/env bash\nexec "${process.execPath}" "${join(ROOT, 'test', 'workflow', 'stub.mjs')}" ${tool} "$@"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  return bin;
}

function githubContext(scenario: Scenario): Record<string, unknown> {
  const pr = scenario.event === 'pull_request';
  return {
    event_name: scenario.event,
    base_ref: pr ? 'main' : '',
    ref: pr ? `refs/pull/${PR}/merge` : 'refs/heads/main',
    repository: REPOSITORY,
    token: 'stub-token',
    workflow: 'perf-db',
    server_url: 'https://github.com',
    run_id: '4242',
    event: pr ? { pull_request: { number: PR, head: { repo: { full_name: scenario.fork === true ? 'someone/perfdb' : REPOSITORY } } } } : {},
  };
}

/** Runs the workflow for the scenario; the scratch folder is removed afterwards. */
export function runScenario(scenario: Scenario): Run {
  const dir = mkdtempSync(join(tmpdir(), 'perfdb-workflow-'));
  try {
    const origin = makeOrigin(dir, scenario);
    const log = join(dir, 'calls.jsonl');
    writeFileSync(log, '');
    writeFileSync(join(dir, 'comments.json'), JSON.stringify(scenario.comments ?? []));
    if (scenario.regenerated !== undefined) writeFileSync(join(dir, 'regenerated.json'), JSON.stringify(scenario.regenerated, null, 2));
    // The runner's GITHUB_* variables say what the github context says.
    const github = githubContext(scenario);
    const env: Record<string, string> = {
      PATH: `${makeStubs(dir)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      LANG: 'C.UTF-8',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      ...Object.fromEntries((['event_name', 'base_ref', 'ref', 'repository', 'run_id', 'server_url'] as const).map((k) => [`GITHUB_${k.toUpperCase()}`, String(github[k])])),
      STUB_LOG: log,
      STUB_COMMENTS: join(dir, 'comments.json'),
      STUB_STALE: scenario.regenerated === undefined ? '0' : '1',
      STUB_REGENERATED: join(dir, 'regenerated.json'),
      STUB_PROJECT: ROOT,
    };
    const checkout = (job: string) => {
      const workspace = join(dir, `workspace-${job}`);
      git(dir, 'clone', '-q', '--depth=1', '--branch', 'feature', `file://${origin}`, workspace);
      return workspace;
    };
    const workflow = scenario.workflow ?? parseYaml(readFileSync(WORKFLOW, 'utf8'));
    const jobs = runWorkflow(workflow, { github, env, checkout, scratch: join(dir, 'runner') });
    const calls = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Call);
    const sent = calls.filter((c) => c.method === 'POST' || c.method === 'PATCH').map((c) => ({ method: c.method as string, endpoint: c.endpoint as string, body: c.input?.body ?? '' }));
    return { jobs, calls, sent, artifacts: readArtifacts(join(dir, 'runner', 'artifacts')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
