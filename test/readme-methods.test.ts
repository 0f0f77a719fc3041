/**
 * The README's fit-method table is real: each row is re-run here on the real
 * data and compared with what its quality report says.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, NO_PLOTS, ROOT } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'perfdb-methods-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Report {
  summary: { looMape: { prompt_time: number; token_time: number } };
  groups: { emittedChecks: { monotonicity: { count: number }; replaced: unknown[] } }[];
  output: { bySource: { measured: number } };
  trust: { rows: { belowMinimum: number }; metrics: { metric: string; upper: { byK: number[] } }[] };
}

async function run(name: string, args: string[]): Promise<Report> {
  const out = join(scratch, name);
  const result = await generate(['--prompts', '128..8192', '--step', '64', NO_PLOTS, '--out', out, ...args]);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.status).toBe(0);
  return JSON.parse(readFileSync(join(out, 'quality-report.json'), 'utf8')) as Report;
}

const violations = (r: Report) => r.groups.reduce((sum, g) => sum + g.emittedChecks.monotonicity.count, 0);
const percent = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;

/** The README row for a label: its cells after the label, as written. */
function readmeRow(label: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith(`| ${label} |`) && l.split('|').length === 10);
  if (line === undefined) throw new Error(`README has no row ${label}`);
  const cells = line.split('|').map((c) => c.trim().replace(/\*\*/g, ''));
  return cells.slice(2, -1);
}

describe('README fit-method table', () => {
  const rows: [string, string[]][] = [
    ['`--extrapolate linear` (SplitwiseSim everywhere)', ['--extrapolate', 'linear']],
    ['default (backtested tails)', []],
    ['`--exclude-anomalies`', ['--exclude-anomalies']],
    ['`--method isotonic --exclude-anomalies`', ['--method', 'isotonic', '--exclude-anomalies']],
    ['`--method auto --exclude-anomalies`', ['--method', 'auto', '--exclude-anomalies']],
  ];
  const reports = new Map<string, Report>();

  it.each(rows)('%s matches its run', async (label, args) => {
    const report = await run(label.replace(/\W+/g, '-'), args);
    reports.set(label, report);
    const [pt, tt, topPt, topTt, count, below, replaced] = readmeRow(label);
    const top2 = (metric: string) => report.trust.metrics.find((m) => m.metric === metric)?.upper.byK[1] as number;
    expect(percent(report.summary.looMape.prompt_time)).toBe(pt);
    expect(percent(report.summary.looMape.token_time)).toBe(tt);
    expect(percent(top2('prompt_time'))).toBe(topPt);
    expect(percent(top2('token_time'))).toBe(topTt);
    expect(violations(report).toLocaleString('en-US')).toBe(count);
    expect(report.trust.rows.belowMinimum.toLocaleString('en-US')).toBe(below);
    const swapped = report.groups.reduce((sum, g) => sum + g.emittedChecks.replaced.length, 0);
    expect(`${swapped} of ${swapped + report.output.bySource.measured}`).toBe(replaced);
  });

  it('the default meets the frontier targets (top two knots held out: at most 10% prefill, 9% decode) and writes no row below its group\'s minimum', () => {
    const def = reports.get('default (backtested tails)') as Report;
    const top2 = (metric: string) => def.trust.metrics.find((m) => m.metric === metric)?.upper.byK[1] as number;
    expect(top2('prompt_time')).toBeLessThanOrEqual(0.1);
    expect(top2('token_time')).toBeLessThanOrEqual(0.09);
    expect(def.trust.rows.belowMinimum).toBe(0);
  });

  it('auto with --exclude-anomalies emits no monotonicity violation and beats linear on the same knots', async () => {
    const auto = reports.get('`--method auto --exclude-anomalies`') ?? (await run('auto', ['--method', 'auto', '--exclude-anomalies']));
    const linear = reports.get('`--exclude-anomalies`') ?? (await run('linear', ['--exclude-anomalies']));
    expect(violations(auto)).toBe(0);
    expect(auto.summary.looMape.prompt_time).toBeLessThan(linear.summary.looMape.prompt_time);
    expect(auto.summary.looMape.token_time).toBeLessThan(linear.summary.looMape.token_time);
  });
});
