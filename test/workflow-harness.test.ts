/**
 * Runs .github/workflows/perf-db.yml's jobs (test/workflow/runner.ts) in a
 * scratch repository whose base branch holds the committed quality report,
 * with a stub `gh` that records every call. The install and test commands
 * are stubbed and only recorded; the report diff and the comment steps run
 * for real, through scripts/ci and this tree's report:diff.
 */
import { describe, expect, it } from 'vitest';
import { committedReport, PR, REPOSITORY, RUN_URL, runScenario, type Run } from './workflow/scenario.js';

const MARKER = '<!-- perfdb-report-diff -->';
const COMMENTS = `repos/${REPOSITORY}/issues/${PR}/comments`;
const HEADING = '### Quality report diff';

type Report = { groups: { group: string; status: string; model: string; measured: { prompt_time: number }[] }[] };
const report = () => committedReport() as unknown as Report;

/** The committed report with one measured median 1% higher: a change no --fail-on rule fails. */
function slower(): Report {
  const r = report();
  (r.groups[0] as Report['groups'][0]).measured[0]!.prompt_time *= 1.01;
  return r;
}

let plain: Run | undefined;
/** The run on a pull request with a benign change and no comment yet, shared by the tests that only read it. */
const plainRun = () => (plain ??= runScenario({ event: 'pull_request', head: slower() }));

const stepsOf = (run: Run, job: string) => Object.fromEntries((run.jobs[job]?.steps ?? []).map((s) => [s.name, s.outcome]));
const gh = (run: Run) => run.calls.filter((c) => c.tool === 'gh');
const bot = (id: number, body: string, login = 'github-actions[bot]') => ({ id, user: { login, type: 'Bot' }, body });

describe('perf-db.yml on a pull request', () => {
  it('posts the diff as a new comment whose first line is the marker, and passes', () => {
    const run = plainRun();
    expect(run.jobs.regenerate?.result).toBe('success');
    expect(run.jobs.comment?.result).toBe('success');
    expect(run.sent.map((s) => [s.method, s.endpoint])).toEqual([['POST', COMMENTS]]);
    const body = run.sent[0]?.body ?? '';
    expect(body.split('\n')[0]).toBe(MARKER);
    expect(body.split('\n')[1]).toBe(HEADING);
    expect(body).toContain('| 128 | 1 | 128 | prompt_time | 79.6684 | 80.465084 | +1% |');
    expect(body).toContain('Checks passed: `new-fail`, `status-worse`.');
    expect(run.jobs.regenerate?.summary).toBe(body.slice(MARKER.length + 1));
    expect(gh(run).every((c) => c.args[0] === 'api' && c.refused === undefined)).toBe(true);
  });

  it('runs install, type-check, tests and the freshness check in order, in both jobs that test', () => {
    const run = plainRun();
    const npm = run.calls.filter((c) => c.tool === 'npm').map((c) => c.args.join(' ').replace(/ \/\S+/g, ' PATH'));
    const tests = ['ci', 'run data:fetch', 'run typecheck', 'test'];
    expect(npm).toEqual([
      ...tests,
      ...tests,
      'run generate -- --prompts 128..8192 --step 64 --check',
      'run -s report:diff -- PATH data/generated/quality-report.json --fail-on new-fail --fail-on status-worse --out PATH',
    ]);
    expect(run.jobs['test-node20']?.result).toBe('success');
  });

  it('posts "No changes." when the report did not change', () => {
    const run = runScenario({ event: 'pull_request' });
    expect(run.sent).toEqual([{ method: 'POST', endpoint: COMMENTS, body: `${MARKER}\n${HEADING}\n\nNo changes.\n` }]);
    expect(run.jobs.regenerate?.result).toBe('success');
  });

  it('cuts a huge diff at a line end under GitHub\'s limit, linking to the run whose artifact holds all of it', () => {
    const head = report();
    const first = head.groups[0] as Report['groups'][0];
    for (let i = 0; i < 40; i++) head.groups.push({ ...structuredClone(first), model: `copy${i}`, group: first.group.replace(/^[^/]+/, `copy${i}`) });
    const run = runScenario({ event: 'pull_request', head });
    const full = run.artifacts['perf-db-report-diff']?.['report-diff.md'] ?? '';
    expect(Buffer.byteLength(full)).toBeGreaterThan(65_536);
    const body = run.sent[0]?.body ?? '';
    expect(run.sent.map((s) => s.method)).toEqual(['POST']);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(60_000);
    expect(body.length).toBeLessThan(65_536);
    expect(body.startsWith(`${MARKER}\n${HEADING}\n`)).toBe(true);
    const [kept, note] = body.slice(MARKER.length + 1).split('\n---\n\n');
    expect(full.startsWith(kept as string)).toBe(true);
    expect(full[(kept as string).length - 1]).toBe('\n');
    expect(note).toContain(`the \`perf-db-report-diff\` artifact of [this run](${RUN_URL})`);
  });

  it('edits its own earlier comment in place, and leaves other comments alone, even ones that quote the marker', () => {
    const comments = [
      bot(11, '<!-- other-workflow -->\nthe coverage report'),
      bot(12, `${MARKER}\nquoted by a person`, 'someone'),
      bot(13, `see below\n${MARKER}`),
      bot(14, `${MARKER}\n${HEADING}\n\nan older diff`),
      bot(15, `${MARKER}\nsecond copy`),
    ];
    const run = runScenario({ event: 'pull_request', head: slower(), comments });
    expect(run.sent.map((s) => [s.method, s.endpoint])).toEqual([['PATCH', `repos/${REPOSITORY}/issues/comments/14`]]);
    expect(run.sent[0]?.body.startsWith(`${MARKER}\n${HEADING}\n`)).toBe(true);
    for (const id of [11, 12, 13, 15]) expect(gh(run).some((c) => c.args.some((a) => a.endsWith(`/${id}`)))).toBe(false);
  });

  it('posts a new comment when the only bot comment is another workflow\'s', () => {
    const run = runScenario({ event: 'pull_request', head: slower(), comments: [bot(11, '<!-- other-workflow -->\nx')] });
    expect(run.sent.map((s) => [s.method, s.endpoint])).toEqual([['POST', COMMENTS]]);
  });

  it('fails after commenting when a check fires: a group\'s status got worse', () => {
    const head = report();
    (head.groups[0] as Report['groups'][0]).status = 'fail';
    const run = runScenario({ event: 'pull_request', head });
    expect(stepsOf(run, 'regenerate')["Fail on the diff's checks"]).toBe('failure');
    expect(run.jobs.regenerate?.result).toBe('failure');
    expect(run.jobs.comment?.result).toBe('success');
    expect(run.sent[0]?.body).toContain('**Failed checks**\n- status-worse: status got worse');
  });

  it('says the schema changed, and passes, when the base report is of another schema version', () => {
    const base = { ...report(), schemaVersion: 2 };
    const run = runScenario({ event: 'pull_request', head: slower(), base });
    const body = run.sent[0]?.body ?? '';
    expect(body.split('\n').slice(0, 3)).toEqual([MARKER, HEADING, '']);
    expect(body).toContain("The report's schema changed in this pull request, so it is not compared field by field:");
    expect(body).toMatch(/E_SCHEMA_VERSION the base report has schemaVersion 2 and the head report 3/);
    expect(run.jobs.regenerate?.result).toBe('success');
  });

  it('fails, saying why, when a report cannot be read at all', () => {
    const run = runScenario({ event: 'pull_request', head: slower(), base: { not: 'a report' } });
    expect(run.sent[0]?.body).toContain('The reports could not be compared:');
    expect(run.jobs.regenerate?.result).toBe('failure');
  });

  it('says so when the base branch has no quality report yet', () => {
    const run = runScenario({ event: 'pull_request', head: slower(), base: null });
    expect(run.sent[0]?.body).toBe(`${MARKER}\n${HEADING}\n\nThe base branch \`main\` has no quality report yet.\n`);
    expect(run.jobs.regenerate?.result).toBe('success');
  });
});

describe('perf-db.yml when data/generated is stale', () => {
  it('regenerates, uploads the outputs and the diff of the regenerated report, comments, and fails', () => {
    const run = runScenario({ event: 'pull_request', regenerated: slower() });
    const steps = stepsOf(run, 'regenerate');
    expect(steps['Check that data/generated is fresh']).toBe('failure');
    expect(steps['Regenerate the stale outputs']).toBe('success');
    expect(steps['Upload the regenerated outputs']).toBe('success');
    expect(steps['Upload the report diff']).toBe('success');
    expect(run.jobs.regenerate?.result).toBe('failure');
    const regenerated = run.artifacts['perf-db-regenerated'] ?? {};
    expect(Object.keys(regenerated)).toEqual(['perf_db.csv', 'quality-report.json']);
    expect(JSON.parse(regenerated['quality-report.json'] ?? '')).toEqual(slower());
    const diff = run.artifacts['perf-db-report-diff']?.['report-diff.md'] ?? '';
    expect(diff.split('\n').slice(0, 3)).toEqual([HEADING, '', expect.stringMatching(/^\*\*data\/generated is stale:\*\* .*npm run generate -- --prompts 128\.\.8192 --step 64/)]);
    expect(diff).toContain('| 80.465084 |');
    expect(run.sent.map((s) => [s.method, s.body])).toEqual([['POST', `${MARKER}\n${diff}`]]);
  });

  it('on a push to main, diffs the regenerated report against the committed one, uploads both, and comments nowhere', () => {
    const run = runScenario({ event: 'push', regenerated: slower() });
    expect(run.jobs.regenerate?.result).toBe('failure');
    expect(Object.keys(run.artifacts).sort()).toEqual(['perf-db-regenerated', 'perf-db-report-diff']);
    expect(run.artifacts['perf-db-report-diff']?.['report-diff.md']).toContain('| 80.465084 |');
    expect(run.jobs.comment?.result).toBe('skipped');
    expect(gh(run)).toEqual([]);
  });
});

describe('perf-db.yml elsewhere', () => {
  it('on a fresh push to main, checks and neither diffs nor comments', () => {
    const run = runScenario({ event: 'push' });
    expect(run.jobs.regenerate?.result).toBe('success');
    expect(stepsOf(run, 'regenerate')['Diff the quality report']).toBe('skipped');
    expect(run.artifacts).toEqual({});
    expect(run.jobs.comment?.result).toBe('skipped');
    expect(gh(run)).toEqual([]);
  });

  it('on a pull request from a fork, keeps the diff in the summary and the artifact and posts nothing', () => {
    const run = runScenario({ event: 'pull_request', head: slower(), fork: true });
    expect(run.jobs.regenerate?.summary).toContain(HEADING);
    expect(Object.keys(run.artifacts)).toEqual(['perf-db-report-diff']);
    expect(run.jobs.comment?.result).toBe('skipped');
    expect(gh(run)).toEqual([]);
  });
});
