import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import type { QualityReport } from '../pipeline/report/types.js';
import { SCHEMA_VERSION } from '../pipeline/report/numbers.js';
import { diffReports, formatFailRule, parseFailRule, RULE_FORMS, type FailRule } from '../pipeline/diff/diff.js';
import { cleanUp, deepFreeze, FIXTURES, generate, ROOT, runCommand, scratch, type CliRun } from './helpers.js';


// SplitwiseSim's line beyond the range: with backtested tails, altering tiny would change the tail tiny2 shares through the pooled choice.
const GRID = ['--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots', '--extrapolate', 'linear'];
const ALL_RULES: FailRule[] = RULE_FORMS.map((form) => parseFailRule(form.replace(/=.*/, '=0')));

function runDiff(args: readonly string[]): Promise<CliRun> {
  return runCommand('report-diff', args);
}

/**
 * The golden input with group tiny altered: every prompt_time x 1.5, the
 * configuration (100, 2, 10) removed, and two fast repetitions at (400, 1, 10)
 * that pull its prompt_time median far below the one at prompt 200.
 */
function alter(csv: string): string {
  const [header, ...rows] = csv.trimEnd().split('\n');
  const out = rows.flatMap((line) => {
    const f = line.split(',');
    if (f[0] !== 'tiny') return [line];
    if (f.slice(2, 5).join(',') === '100,2,10') return [];
    f[7] = String(Number(f[7]) * 1.5);
    return [f.join(',')];
  });
  return [header, ...out, 'tiny,hw,400,1,10,1,0.8,5,4,41,1', 'tiny,hw,400,1,10,1,0.8,6,4,42,1', ''].join('\n');
}

/** The error `run` throws (fails the test when it throws none). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const committed = deepFreeze(JSON.parse(readFileSync(join(ROOT, 'data', 'generated', 'quality-report.json'), 'utf8')) as QualityReport);

describe('diffReports()', () => {
  it('says exactly "No changes." for a report diffed against itself, whatever the rules', () => {
    const result = diffReports(committed, deepFreeze(structuredClone(committed)), ALL_RULES);
    expect(result).toEqual({ markdown: '### Quality report diff\n\nNo changes.\n', changed: false, failures: [] });
  });

  it('compares method.extrapolate metric by metric: equal policies in other objects are no change, a changed one is named with both values', () => {
    const same = structuredClone(committed) as QualityReport;
    same.method.extrapolate = { ...committed.method.extrapolate };
    same.groups[0]!.measured[0]!.prompt_time = 1; // a change, so that the settings are listed if any differs
    const unchanged = diffReports(committed, same, []).markdown;
    expect(unchanged).not.toContain('extrapolate');
    expect(unchanged).not.toContain('[object Object]');
    const head = structuredClone(committed) as QualityReport;
    head.method.extrapolate = { ...committed.method.extrapolate, prompt_time: 'linear', average_power: 'clamp' };
    const changed = diffReports(committed, head, []).markdown;
    expect(changed).toContain(`**Inputs and settings**\n- extrapolate of average_power: ${committed.method.extrapolate.average_power} -> clamp\n- extrapolate of prompt_time: ${committed.method.extrapolate.prompt_time} -> linear\n`);
    expect(changed).not.toContain('[object Object]');
  });

  it('throws E_NOT_A_REPORT naming the side and the first schema error', () => {
    const broken = structuredClone(committed) as unknown as { groups: { status: string }[] };
    broken.groups[0]!.status = 'bad';
    expect(() => diffReports(committed, broken, [])).toThrow(/^the head report is not a valid quality report: \/groups\/0\/status must be equal to one of the allowed values \("ok", "quirks", "warn", "fail"\)$/);
    expect(() => diffReports([], committed, [])).toThrow(/^the base report is not a valid quality report: the top level must be object$/);
    expect(thrown(() => diffReports({}, committed, []))).toMatchObject({ code: 'E_NOT_A_REPORT', exitCode: 1 });
  });

  type Edit = (r: QualityReport) => void;
  it.each<[string, 'base' | 'head', Edit, string, string | undefined]>([
    [
      'a group listed twice',
      'head',
      (r) => void r.groups.push(r.groups[0]!),
      '/groups/12/group must be unique: group "bloom-176b/a100-80gb/tp=8" appears twice, at /groups/0 and /groups/12',
      undefined,
    ],
    [
      "a group renamed to another's id",
      'head',
      (r) => void (r.groups[1]!.group = 'bloom-176b/a100-80gb/tp=8'),
      '/groups/1/group must be unique: group "bloom-176b/a100-80gb/tp=8" appears twice, at /groups/0 and /groups/1',
      undefined,
    ],
    [
      'a measured configuration listed twice in a group',
      'base',
      (r) => void (r.groups[2]!.measured[1] = { ...r.groups[2]!.measured[1]!, prompt_size: 128 }),
      '/groups/2/measured/1 must be unique: configuration (prompt 128, batch 1, tokens 128) appears twice, at /groups/2/measured/0 and /groups/2/measured/1',
      'bloom-176b/h100-80gb-pcap/tp=8',
    ],
    [
      'a probe point listed twice in a group',
      'head',
      (r) => void (r.groups[3]!.predictions.points[14] = { prompt_size: 128, batch_size: 1 }),
      '/groups/3/predictions/points/14 must be unique: probe point (prompt 128, batch 1) appears twice, at /groups/3/predictions/points/0 and /groups/3/predictions/points/14',
      'llama2-70b/a100-80gb/tp=2',
    ],
  ])('throws E_NOT_A_REPORT for a key given twice in a list it matches by key: %s', (_name, side, edit, where, group) => {
    const broken = structuredClone(committed) as QualityReport;
    edit(broken);
    const [base, head] = side === 'base' ? [broken, committed] : [committed, broken];
    const files = { base: 'base.json', head: 'head.json' };
    const error = thrown(() => diffReports(base, head, [{ kind: 'new-warn' }], files)) as PerfDbError;
    expect(error).toMatchObject({ code: 'E_NOT_A_REPORT', exitCode: 1 });
    expect(error.place).toEqual(group === undefined ? { file: `${side}.json` } : { file: `${side}.json`, group });
    expect(error.message).toBe(`the ${side} report is not a valid quality report: ${where}`);
    expect(error.hint).toBe('a report lists each group once, and in a group each configuration and probe point once: the file was edited or merged by hand; regenerate it with `npm run generate`');
  });

  it('matches an input file listed twice (given twice to generate) entry by entry, not as one', () => {
    const twice = structuredClone(committed) as QualityReport;
    twice.inputs.files.push(structuredClone(twice.inputs.files[0]!));
    expect(diffReports(twice, committed, []).markdown).toContain('**Inputs and settings**\n- input removed: `data/raw/perf_model.csv`\n');
    const changed = structuredClone(twice);
    changed.inputs.files[1]!.sha256 = 'f'.repeat(64);
    expect(diffReports(twice, changed, []).markdown).toContain('**Inputs and settings**\n- input `data/raw/perf_model.csv` changed: sha256 dbbe505d1d64… -> ffffffffffff…, 127281 -> 127281 bytes\n');
  });

  const V = SCHEMA_VERSION;
  it.each([
    ['a newer head', committed, { ...committed, schemaVersion: V + 1 }, 'head', new RegExp(`^the base report has schemaVersion ${V} and the head report ${V + 1}`)],
    ['a head of no report', committed, { schemaVersion: V + 2 }, 'head', new RegExp(`^the base report has schemaVersion ${V} and the head report ${V + 2}`)],
    ['an older base', { ...committed, schemaVersion: V - 1 }, committed, 'base', new RegExp(`^the base report has schemaVersion ${V - 1} and the head report ${V}`)],
  ])('throws E_SCHEMA_VERSION when the versions differ (%s), naming the file of the other version', (_name, base, head, odd, message) => {
    const files = { base: 'base.json', head: 'head.json' };
    expect(() => diffReports(base, head, [], files)).toThrow(message);
    expect(thrown(() => diffReports(base, head, [], files))).toMatchObject({ code: 'E_SCHEMA_VERSION', exitCode: 1, place: { file: `${odd}.json` } });
  });

  it('throws E_SCHEMA_VERSION for two reports of a version it does not read', () => {
    const future = { ...committed, schemaVersion: V + 1 };
    expect(() => diffReports(future, future, [])).toThrow(new RegExp(`^the base report has schemaVersion ${V + 1}; this tool reads schemaVersion ${V}$`));
  });

  it('fires loo-increase only above the threshold, in percentage points', () => {
    const head = structuredClone(committed);
    const g = head.groups[0]!;
    const q = g.fitQuality.prompt_time!;
    const before = committed.groups[0]!.fitQuality.prompt_time!.mape!;
    q.mape = before + 0.02; // +2 pp
    expect(diffReports(committed, head, [{ kind: 'loo-increase', points: 2 }]).failures).toEqual([]);
    const [failure] = diffReports(committed, head, [{ kind: 'loo-increase', points: 1.9 }]).failures;
    expect(failure).toMatch(new RegExp(`^loo-increase=1.9: leave-one-out mean error rose by more than 1.9 pp in 1 fit: ${escape(g.group)} prompt_time .* \\(\\+2 pp\\)$`));
  });

  it('fires prediction-change on the largest relative change and names it', () => {
    const head = structuredClone(committed);
    const g = head.groups[1]!;
    const values = g.predictions.prompt_time as (number | null)[];
    values[3] = (values[3] as number) * 1.1;
    values[5] = (values[5] as number) * 0.97;
    const result = diffReports(committed, head, [{ kind: 'prediction-change', percent: 5 }, { kind: 'prediction-change', percent: 10 }]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(new RegExp(`^prediction-change=5: 1 probe prediction changed by more than 5%: ${escape(g.group)} prompt_time at prompt ${g.predictions.points[3]!.prompt_size} x batch ${g.predictions.points[3]!.batch_size} .* \\(\\+10%\\)$`));
    expect(result.markdown).toContain('**Predictions** at the probe points: 2 of ');
    expect(result.markdown).toMatch(/\*\*Failed checks\*\*\n- prediction-change=5: [^\n]+\n\nChecks passed: `prediction-change=10`\.\n$/);
  });

  it('lists a removed group and fires rows-removed and status-worse', () => {
    const base = structuredClone(committed);
    base.groups[1]!.status = 'ok';
    const head = structuredClone(base);
    const [first, second] = head.groups as [QualityReport['groups'][number], QualityReport['groups'][number]];
    head.groups = head.groups.filter((g) => g !== first);
    second.status = 'warn';
    head.output.bySource.measured -= first.coverage.bySource.measured;
    const result = diffReports(base, head, [{ kind: 'rows-removed' }, { kind: 'status-worse' }, { kind: 'new-fail' }]);
    expect(result.markdown).toContain(`**Groups removed**\n- \`${first.group}\` (was `);
    expect(result.failures).toEqual([
      `rows-removed: row count fell: measured ${base.output.bySource.measured} -> ${head.output.bySource.measured} (-${first.coverage.bySource.measured})`,
      `status-worse: status got worse: ${second.group} ok -> warn`,
    ]);
  });

  it('gives the same bytes for the reports with groups and findings in another order', () => {
    const head = structuredClone(committed);
    head.groups[0]!.measured[0]!.prompt_time = 1;
    head.groups[2]!.findings.push({ severity: 'fail', code: 'GROUP_ALL_REJECTED', group: head.groups[2]!.group, message: 'x' });
    const shuffled = structuredClone(head);
    shuffled.groups.reverse();
    for (const g of shuffled.groups) g.findings.reverse();
    expect(diffReports(committed, shuffled, ALL_RULES)).toEqual(diffReports(committed, head, ALL_RULES));
  });
});

// The CLI runs are independent child processes: run them side by side.
describe.concurrent('report-diff CLI on reports generated from altered raw data', () => {
  let dir: string;
  let base: string;
  let head: string;

  beforeAll(async () => {
    dir = await scratch('perfdb-diff-');
    const golden = await readFile(join(FIXTURES, 'golden', 'input.csv'), 'utf8');
    await writeFile(join(dir, 'base.csv'), golden);
    await writeFile(join(dir, 'head.csv'), alter(golden));
    const runs = await Promise.all(['base', 'head'].map((side) => generate(['--input', join(dir, `${side}.csv`), '--out', join(dir, side), ...GRID])));
    for (const run of runs) expect(run).toMatchObject({ status: 0, stderr: '' });
    base = join(dir, 'base', 'quality-report.json');
    head = join(dir, 'head', 'quality-report.json');
  });

  afterAll(() => cleanUp(dir));

  it('names the changed group, the changed medians and the findings that appeared; --fail-on loo-increase=1000 exits 0', async ({ expect }) => {
    const run = await runDiff([base, head, '--fail-on', 'loo-increase=1000']);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const md = run.stdout;
    expect(md.startsWith('### Quality report diff\n\n')).toBe(true);
    expect(md).toContain('**Overall status:** **warn** -> **fail** (worse)');
    expect(md).toContain('#### tiny/hw/tp=1\n\nStatus: quirks -> **fail** (worse)');
    // tiny2's own data did not change: none of its medians or predictions did. (Its rows beyond the range
    // are judged by the factor the pooled backtests validate, which tiny's new data narrows.)
    const tiny2 = md.slice(md.indexOf('#### tiny2/hw/tp=2'));
    expect(tiny2).not.toMatch(/\| (prompt_time|token_time|e2e_time) \|/);
    expect(md).toContain('| 100 | 1 | 10 | prompt_time | 11 | 16.5 | +50% |');
    expect(md).toContain('| 400 | 1 | 10 | prompt_time | 50 | 6 | -88% |');
    expect(md).toContain('Configurations no longer measured: (prompt 100, batch 2, tokens 10)');
    expect(md).toContain('- measured: 6 -> 5 (-1)');
    expect(md).toMatch(/\*\*Findings appeared\*\*\n- \*\*fail\*\* `MEASURED_NOT_MONOTONE` measured prompt_time falls by 81.4% as prompt_size grows/);
    expect(md).toContain('- prompt_time: 4.35% -> ');
    expect(md).not.toContain('**Failed checks**');
    expect(md.endsWith('\n\nChecks passed: `loo-increase=1000`.\n')).toBe(true);
  });

  it('--fail-on new-fail exits 1 and prints the failure line', async ({ expect }) => {
    const run = await runDiff([base, head, '--fail-on', 'new-fail']);
    const line = 'new-fail: 1 finding of severity fail appeared: tiny/hw/tp=1 MEASURED_NOT_MONOTONE "measured prompt_time falls by 81.4%';
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`\n\n**Failed checks**\n- ${line}`);
    expect(run.stderr.startsWith(`failed check ${line}`)).toBe(true);
  });

  it('--fail-on prediction-change=1 exits 1, prints the failure line and writes the Markdown to --out', async ({ expect }) => {
    const out = join(dir, 'diff.md');
    const run = await runDiff([base, head, '--fail-on', 'prediction-change=1', '--out', out]);
    const line = /prediction-change=1: \d+ probe predictions changed by more than 1%: tiny\/hw\/tp=1 prompt_time at prompt \d+ x batch \d+ [\d.]+ -> 6 \(-100%\); /;
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^Wrote the report diff to \S*diff\.md: changed, 1 check failed\n$/);
    expect(run.stderr).toMatch(new RegExp(`^failed check ${line.source}`));
    expect(await readFile(out, 'utf8')).toMatch(new RegExp(`\\*\\*Failed checks\\*\\*\\n- ${line.source}`));
  });

  it('prints one line and exits 1 for a missing file, invalid JSON and a non-report; 2 for a bad rule', async ({ expect }) => {
    await writeFile(join(dir, 'cut.json'), '{"schemaVersion": 1,');
    // A number beyond the doubles: JSON.parse would read it as Infinity, and the diff print Infinity%.
    await writeFile(join(dir, 'huge.json'), (await readFile(head, 'utf8')).replace(/"rows":\s*\d+/, '"rows": 1.8e308'));
    const [missing, badJson, notReport, badRule, huge, emptyRule] = await Promise.all([
      runDiff([join(dir, 'nope.json'), head]),
      runDiff([base, join(dir, 'cut.json')]),
      runDiff([join(ROOT, 'package.json'), head]),
      runDiff([base, head, '--fail-on', 'loo-increase']),
      runDiff([base, join(dir, 'huge.json')]),
      runDiff([base, head, '--fail-on=']),
    ]);
    expect(emptyRule).toMatchObject({ status: 2, stdout: '' });
    expect(emptyRule.stderr).toMatch(/^E_BAD_RULE --fail-on "" is not a rule; /);
    expect(huge).toMatchObject({ status: 1, stdout: '' });
    expect(huge.stderr).toMatch(/^\S*huge\.json: E_BAD_JSON the report file holds a number too large for a double at key "rows"; hint: .+\n$/);
    expect(missing).toMatchObject({ status: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^\S*nope\.json: E_FILE_NOT_FOUND the report file does not exist; hint: .+\n$/);
    expect(badJson).toMatchObject({ status: 1, stdout: '' });
    expect(badJson.stderr).toMatch(/^\S*cut\.json: E_BAD_JSON the report file is not valid JSON: .+; hint: .+\n$/);
    expect(notReport).toMatchObject({ status: 1, stdout: '' });
    expect(notReport.stderr).toMatch(/^package\.json: E_NOT_A_REPORT the base report is not a valid quality report: the top level must have required property 'schemaVersion'; hint: .+\n$/);
    expect(badRule).toMatchObject({ status: 2, stdout: '' });
    expect(badRule.stderr).toMatch(/^E_BAD_RULE --fail-on "loo-increase" is not a rule; accepted forms: new-fail, new-warn, status-worse, loo-increase=PP, prediction-change=PCT, rows-removed; hint: .+\n$/);
  });

  it('prints one line and exits 1 for a report that lists a group twice, where --fail-on new-warn would see its findings as new', async ({ expect }) => {
    const report = JSON.parse(await readFile(head, 'utf8')) as QualityReport;
    report.groups.push(report.groups[0]!);
    await writeFile(join(dir, 'twice.json'), JSON.stringify(report));
    const run = await runDiff([base, join(dir, 'twice.json'), '--fail-on', 'new-warn']);
    expect(run).toMatchObject({ status: 1, stdout: '' });
    expect(run.stderr).toMatch(/^\S*twice\.json: E_NOT_A_REPORT the head report is not a valid quality report: \/groups\/2\/group must be unique: group "tiny\/hw\/tp=1" appears twice, at \/groups\/0 and \/groups\/2; hint: .+\n$/);
  });
});

describe('parseFailRule()', () => {
  it.each<[string, FailRule]>([
    ['new-fail', { kind: 'new-fail' }],
    ['new-warn', { kind: 'new-warn' }],
    ['status-worse', { kind: 'status-worse' }],
    ['rows-removed', { kind: 'rows-removed' }],
    [' rows-removed ', { kind: 'rows-removed' }],
    ['loo-increase=2', { kind: 'loo-increase', points: 2 }],
    ['loo-increase=0.5', { kind: 'loo-increase', points: 0.5 }],
    ['loo-increase=0', { kind: 'loo-increase', points: 0 }],
    ['prediction-change=5', { kind: 'prediction-change', percent: 5 }],
    ['prediction-change=12.25', { kind: 'prediction-change', percent: 12.25 }],
  ])('parses %j', (text, rule) => {
    expect(parseFailRule(text)).toEqual(rule);
    expect(parseFailRule(formatFailRule(rule))).toEqual(rule);
  });

  it.each([
    '',
    'new-fails',
    'NEW-FAIL',
    'new-fail=1',
    'rows-removed=0',
    'loo-increase',
    'loo-increase=',
    'loo-increase=-1',
    'loo-increase=abc',
    'loo-increase=1e3',
    'loo-increase=.5',
    'prediction-change=5%',
    'prediction-change=Infinity',
    'prediction-change==5',
  ])('rejects %j with E_BAD_RULE (exit 2) listing the accepted forms', (text) => {
    let error: unknown;
    try {
      parseFailRule(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PerfDbError);
    expect(error).toMatchObject({ code: 'E_BAD_RULE', exitCode: 2 });
    expect((error as PerfDbError).message).toContain('accepted forms: new-fail, new-warn, status-worse, loo-increase=PP, prediction-change=PCT, rows-removed');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
