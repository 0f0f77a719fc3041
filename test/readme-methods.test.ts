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

/** The README row for a label: [prompt MAPE, token MAPE, violations, replaced] as written. */
function readmeRow(label: string): [string, string, string, string] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (line === undefined) throw new Error(`README has no row ${label}`);
  const cells = line.split('|').map((c) => c.trim().replace(/\*\*/g, ''));
  return [cells[2] as string, cells[3] as string, cells[4] as string, cells[5] as string];
}

describe('README fit-method table', () => {
  const rows: [string, string[]][] = [
    ['`linear` (all configurations)', []],
    ['`linear --exclude-anomalies`', ['--exclude-anomalies']],
    ['`isotonic --exclude-anomalies`', ['--method', 'isotonic', '--exclude-anomalies']],
    ['`auto --exclude-anomalies`', ['--method', 'auto', '--exclude-anomalies']],
  ];
  const reports = new Map<string, Report>();

  it.each(rows)('%s matches its run', async (label, args) => {
    const report = await run(label.replace(/\W+/g, '-'), args);
    reports.set(label, report);
    const [pt, tt, count, replaced] = readmeRow(label);
    expect(percent(report.summary.looMape.prompt_time)).toBe(pt);
    expect(percent(report.summary.looMape.token_time)).toBe(tt);
    expect(violations(report).toLocaleString('en-US')).toBe(count);
    const swapped = report.groups.reduce((sum, g) => sum + g.emittedChecks.replaced.length, 0);
    expect(`${swapped} of ${swapped + report.output.bySource.measured}`).toBe(replaced);
  });

  it('auto with --exclude-anomalies emits no monotonicity violation and beats linear on the same knots', async () => {
    const auto = reports.get('`auto --exclude-anomalies`') ?? (await run('auto', ['--method', 'auto', '--exclude-anomalies']));
    const linear = reports.get('`linear --exclude-anomalies`') ?? (await run('linear', ['--exclude-anomalies']));
    expect(violations(auto)).toBe(0);
    expect(auto.summary.looMape.prompt_time).toBeLessThan(linear.summary.looMape.prompt_time);
    expect(auto.summary.looMape.token_time).toBeLessThan(linear.summary.looMape.token_time);
  });
});
