import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGenerateOptions } from '../pipeline/options/generate.js';
import { statusFailure } from '../pipeline/report/fail-on-status.js';
import { statusOf, worst, type Finding } from '../pipeline/report/findings.js';
import type { QualityReport } from '../pipeline/report/types.js';
import { cleanUp, FIXTURES, generate, scratch } from './helpers.js';

const INPUT = join(FIXTURES, 'golden', 'input.csv');
const GRID = ['--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots'];

describe('resolveGenerateOptions() --fail-on-status', () => {
  it('is null (never fail on status) by default, and the level given otherwise, in the frozen options', () => {
    expect(resolveGenerateOptions({}).failOnStatus).toBeNull();
    const options = resolveGenerateOptions({ failOnStatus: 'warn' });
    expect(options.failOnStatus).toBe('warn');
    expect(Object.isFrozen(options)).toBe(true);
  });

  it.each([['ok'], ['WARN'], [''], ['fails']])('refuses %j with E_BAD_OPTION (exit 2) listing the levels', (value) => {
    expect(() => resolveGenerateOptions({ failOnStatus: value })).toThrow(/^--fail-on-status .* is not allowed$/);
    try {
      resolveGenerateOptions({ failOnStatus: value });
    } catch (error) {
      expect(error).toMatchObject({ code: 'E_BAD_OPTION', exitCode: 2, hint: 'expected one of quirks, warn, fail' });
    }
  });

  it('refuses --check with it: --check writes no report', () => {
    expect(() => resolveGenerateOptions({ failOnStatus: 'fail', check: true })).toThrow(/^--fail-on-status fail cannot be combined with --check/);
  });
});

describe('statusOf() and worst()', () => {
  const f = (severity: Finding['severity']): Finding => ({ severity, code: 'OUTLIERS', group: 'g', message: 'm' });
  it.each([
    [[], 'ok'],
    [['info', 'info'], 'ok'],
    [['info', 'quirk'], 'quirks'],
    [['quirk', 'warn', 'info'], 'warn'],
    [['warn', 'fail', 'quirk'], 'fail'],
  ] as [Finding['severity'][], string][])('a group with findings %j has status %s', (severities, status) => {
    expect(statusOf(severities.map(f))).toBe(status);
  });

  it('takes the worst of statuses, in the order ok < quirks < warn < fail', () => {
    expect(worst(['quirks', 'ok'])).toBe('quirks');
    expect(worst(['warn', 'quirks', 'ok'])).toBe('warn');
    expect(worst(['quirks', 'fail', 'warn'])).toBe('fail');
    expect(worst([])).toBe('ok');
  });
});

describe('statusFailure()', () => {
  const report = (status: QualityReport['summary']['status'], groups: [string, QualityReport['summary']['status']][]) =>
    ({ summary: { status, groups: groups.map(([group, s]) => ({ group, status: s, fail: 0, warn: 0, quirk: 0, info: 0 })) }, inputs: { rejectedGroups: [] } }) as unknown as QualityReport;

  it('is null below the level, and at or above it names the groups at each status from the worst down to the level', () => {
    const r = report('fail', [['a', 'quirks'], ['b', 'fail'], ['c', 'warn'], ['d', 'ok'], ['e', 'fail']]);
    expect(statusFailure(report('warn', [['a', 'warn']]), 'fail', 'q.md')).toBeNull();
    expect(statusFailure(r, 'warn', 'q.md')).toBe('status fail is at least --fail-on-status warn: fail in b, e; warn in c; the outputs are written, see q.md');
    expect(statusFailure(r, 'quirks', 'q.md')).toBe('status fail is at least --fail-on-status quirks: fail in b, e; warn in c; quirks in a; the outputs are written, see q.md');
  });
});

// The golden input's two groups have quirks only (copied series, spread): status quirks.
describe.concurrent('generate --fail-on-status', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratch('perfdb-fail-on-status-');
  });
  afterAll(() => cleanUp(dir));

  it('exits 1 with one line naming the status and the groups once the outputs are written, when the status reaches the level', async () => {
    const out = join(dir, 'reached');
    const run = await generate(['--input', INPUT, '--out', out, ...GRID, '--fail-on-status', 'quirks']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^status quirks is at least --fail-on-status quirks: quirks in tiny\/hw\/tp=1, tiny2\/hw\/tp=2; the outputs are written, see .*quality-report\.md\n$/);
    for (const file of ['perf_db.csv', 'fits.json', 'quality-report.json', 'quality-report.md']) expect(existsSync(join(out, file)), file).toBe(true);
    expect((JSON.parse(readFileSync(join(out, 'quality-report.json'), 'utf8')) as QualityReport).summary.status).toBe('quirks');
  });

  it('exits 0 and writes the same bytes as without it when the status stays below the level', async () => {
    const [flagged, plain] = await Promise.all([
      generate(['--input', INPUT, '--out', join(dir, 'below'), ...GRID, '--fail-on-status', 'warn']),
      generate(['--input', INPUT, '--out', join(dir, 'plain'), ...GRID]),
    ]);
    expect([flagged.status, plain.status, flagged.stderr]).toEqual([0, 0, '']);
    for (const file of ['perf_db.csv', 'quality-report.json', 'quality-report.md']) {
      expect(readFileSync(join(dir, 'below', file)).equals(readFileSync(join(dir, 'plain', file))), file).toBe(true);
    }
  });

  it('is a usage error (exit 2, one line) for a level it does not know', async () => {
    const run = await generate(['--input', INPUT, '--out', join(dir, 'bad'), ...GRID, '--fail-on-status', 'sometimes']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('E_BAD_OPTION --fail-on-status sometimes is not allowed; hint: expected one of quirks, warn, fail\n');
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
