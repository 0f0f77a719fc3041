/**
 * Many groups in one input: 10,000 groups of two rows each run to the end with
 * every group in the database and the report, charts for the first 40 groups
 * only; past MAX_GROUPS the run is refused before anything is fitted. (Time
 * and memory for this input are measured by `npm run bench`, workload
 * `groups`, not here.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manyGroups } from '../scripts/workloads.js';
import { generate } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-many-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an input of 10,000 groups', () => {
  it('writes every group, reports every group and charts the first 40', async () => {
    const input = join(dir, 'many.csv');
    writeFileSync(input, manyGroups(10_000));
    const out = join(dir, 'out');
    const run = await generate(['--input', input, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = readFileSync(join(out, 'perf_db.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 20_000);
    const models = new Set(lines.slice(1).map((l) => l.split(',')[0]));
    expect(models.size).toBe(10_000);
    const report = JSON.parse(readFileSync(join(out, 'quality-report.json'), 'utf8')) as { groups: { group: string }[]; output: { charts: { groups: number; of: number } } };
    expect(report.groups).toHaveLength(10_000);
    expect(report.output.charts).toEqual({ groups: 40, of: 10_000 });
    // Three charts (prompt_time, token_time, e2e_time) for each of the first 40 groups in group order, and none for the others.
    const charted = report.groups.slice(0, 40).map((g) => g.group.replaceAll('/', '__').replace('tp=', 'tp'));
    const svgs = readdirSync(join(out, 'plots')).filter((n) => n.endsWith('.svg'));
    expect(svgs).toHaveLength(120);
    expect(new Set(svgs.map((n) => n.replace(/__(prompt|token|e2e)_time\.svg$/, '')))).toEqual(new Set(charted));
    expect(readFileSync(join(out, 'quality-report.md'), 'utf8')).toContain('Charts are drawn for the first 40 of the 10000 groups');
  }, 180_000);

  it('refuses more than 20,000 groups before fitting, in one line with a hint', async () => {
    const input = join(dir, 'too-many.csv');
    writeFileSync(input, manyGroups(20_001));
    const run = await generate(['--input', input, '--out', join(dir, 'refused'), '--no-plots']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // The header is line 1 and each group two rows: group 20,001 (index 20,000) starts on line 2 + 2 × 20,000.
    expect(run.stderr).toMatch(/^\S*too-many\.csv:40002: E_TOO_MANY_GROUPS the input holds 20,001 groups \(model, hardware, tensor_parallel\); one run fits at most 20,000, and group 20,001 starts here; hint: split the input/);
  }, 120_000);
});
