import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorLoop } from '../scripts/bench-floor.js';
import { cleanUp, generate, NO_PLOTS, realDataPath, ROOT, runCommand, scratch } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const hasPandas = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas, scipy']).status === 0;
const SCRIPT = join(ROOT, 'bench', 'pandas_equivalent.py');

let dir: string;
beforeAll(async () => {
  dir = await scratch('perfdb-bench-');
});
afterAll(() => cleanUp(dir));

describe('npm run bench', () => {
  it('stops in one line without GNU time (E_NO_GNU_TIME), before running anything', async () => {
    const run = await runCommand('bench', ['--runs', '1'], { PERFDB_GNU_TIME: '/nonexistent/time' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('E_NO_GNU_TIME /nonexistent/time is missing; the benchmark reads peak RSS from GNU time; hint: apt-get install time, or set PERFDB_GNU_TIME to its path\n');
    expect(run.stdout).toBe('');
  });

  it('refuses an unknown workload in --only as a usage error (exit 2), before running anything', async () => {
    const run = await runCommand('bench', ['--runs', '1', '--only', 'default,nosuch']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('E_BAD_OPTION --only default,nosuch: no workload "nosuch"; hint: choose from default, medium, large, groups\n');
    expect(run.stdout).toBe('');
  });

  it('writes the page to an absolute --out and leaves bench/results.md alone; without --out or --write it only prints', async () => {
    const committed = join(ROOT, 'bench', 'results.md');
    const before = { text: readFileSync(committed, 'utf8'), mtime: statSync(committed).mtimeMs };
    const out = join(dir, 'nested', 'page.md');
    // Node's start-up is measured as the environment has it, and without the extra certificates it names.
    const certs = join(dir, 'certs.pem');
    writeFileSync(certs, '');
    const run = await runCommand('bench', ['--runs', '1', '--only', 'default', '--no-python', '--floor-rows', '20000', '--out', out], { NODE_EXTRA_CA_CERTS: certs });
    expect(run.status, run.stderr).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(run.stdout).toBe(`${page}\n`);
    expect(page).toMatch(new RegExp(`\\nNode's own start-up, part of every whole-process time in the table: \`node -e 0\` takes \\d+\\.\\d\\d s here \\(\\d+\\.\\d\\d s without the NODE_EXTRA_CA_CERTS this environment sets: Node parses the certificates of ${certs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at every start\\)\\.\\n`));
    expect(page).toMatch(/\n\| default \| 74,676 \| [\d.]+ \| [\d.]+ \| \d+ \|/);
    expect(page).toMatch(/\n\| default, plots cached \| 74,676 \|/);
    expect(page).toContain('pandas + scipy: skipped (--no-python).');
    expect(readFileSync(committed, 'utf8')).toBe(before.text);
    expect(statSync(committed).mtimeMs).toBe(before.mtime);
  }, 120_000);
});

describe('floorLoop()', () => {
  it('writes the same bytes formatting rows as strings (toString) or as bytes (the emitter\'s formatter)', async () => {
    await floorLoop(join(dir, 'strings.csv'), 30_000, 5_000, 'strings');
    await floorLoop(join(dir, 'bytes.csv'), 30_000, 5_000, 'bytes');
    const strings = readFileSync(join(dir, 'strings.csv'), 'latin1');
    expect(strings.split('\n')).toHaveLength(30_001);
    expect(strings.split('\n')[0]).toBe(`llama2-70b,a100-80gb,20,35,128,${0.5 + 700 * 1e-7},${0.4 + 700 * 1e-7},${60 + 700 * 0.0131},${40 + 700 * 0.000173},${60 + 700 * 0.0131 + 127 * (40 + 700 * 0.000173)},2,interpolated`);
    expect(readFileSync(join(dir, 'bytes.csv'), 'latin1')).toBe(strings);
  });
});

describe.skipIf(!hasPandas)('bench/pandas_equivalent.py', () => {
  let ours: string;
  let theirs: string;
  beforeAll(async () => {
    const run = await generate(['--input', realDataPath(), '--prompts', '128..8192', '--step', '64', NO_PLOTS, '--out', join(dir, 'ours')]);
    expect(run.status, run.stderr).toBe(0);
    ours = join(dir, 'ours', 'perf_db.csv');
    theirs = join(dir, 'theirs.csv');
    const py = spawnSync(PYTHON, [SCRIPT, '--input', realDataPath(), '--prompts', '128..8192', '--step', '64', '--out', theirs], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
  }, 120_000);

  it('writes the rows generate writes on the default workload, and agrees on every interpolated one to 1e-12', () => {
    const count = (path: string) => readFileSync(path, 'utf8').trim().split('\n').length - 1;
    expect(count(theirs)).toBe(74_676);
    const run = spawnSync(PYTHON, [SCRIPT, '--compare', ours, theirs], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/^agree: 41520 interpolated rows compared, largest relative difference /);
    expect(run.status).toBe(0);
  });

  it('--compare fails when one interpolated prompt_time moves by 1e-9 relative', () => {
    const lines = readFileSync(theirs, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.endsWith(',interpolated'));
    const cells = (lines[at] as string).split(',');
    cells[7] = String(Number(cells[7]) * (1 + 1e-9));
    lines[at] = cells.join(',');
    const moved = join(dir, 'moved.csv');
    writeFileSync(moved, lines.join('\n'));
    const run = spawnSync(PYTHON, [SCRIPT, '--compare', ours, moved], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/^DIFFER: 41520 interpolated rows compared, largest relative difference 1e-09/);
    expect(run.status).toBe(1);
  });
});
