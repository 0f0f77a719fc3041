import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, FIXTURES, GENERATE, generate, NO_PLOTS, ROOT, scratch } from './helpers.js';

const INPUT = join(FIXTURES, 'golden', 'input.csv');
const GRID = ['--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', NO_PLOTS];
/** The golden input with prompt_time of its line 3 made non-numeric. */
const withBadValue = async () => (await readFile(INPUT, 'utf8')).replace('tiny,hw,100,1,10,0.5,0.25,12,', 'tiny,hw,100,1,10,0.5,0.25,twelve,');

let dir: string;
beforeAll(async () => {
  dir = await scratch();
});
afterAll(async () => {
  await cleanUp(dir);
});

/** Every file under a folder (hidden ones included) with its bytes. */
async function snapshot(folder: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(folder.length), await readFile(path));
    }
  }
  return files;
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('generate (CLI)', () => {
  it('exits 2 with one stderr line for a backwards --prompts range', async () => {
    const run = await generate(['--input', INPUT, '--out', join(dir, 'unused'), '--prompts', '8192..128']);
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^E_BAD_RANGE --prompts "8192\.\.128": the range 8192\.\.128 runs backwards/);
    expect(run.stdout).toBe('');
    expect(existsSync(join(dir, 'unused'))).toBe(false);
  });

  it.each([
    ['an unknown option', ['--frobnicate', '3'], 'E_USAGE'],
    ['--step 0', ['--prompts', '1..10', '--step', '0'], 'E_BAD_OPTION'],
  ])('exits 2 with one stderr line for %s', async (_what, args, code) => {
    const run = await generate(['--input', INPUT, '--out', join(dir, 'unused'), ...args]);
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr.startsWith(`${code} `)).toBe(true);
  });

  it('exits 1 with one file:line:column line for a non-numeric value, leaving the previous outputs as they were', async () => {
    const out = join(dir, 'kept');
    const first = await generate(['--input', INPUT, '--out', out, ...GRID]);
    expect(first.status).toBe(0);
    const before = await snapshot(out);
    expect(before.has('/perf_db.csv')).toBe(true);

    const bad = join(dir, 'bad.csv');
    await writeFile(bad, await withBadValue());
    const run = await generate(['--input', bad, '--out', out, ...GRID]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    // line 3 of the file, field 8 (prompt_time); the path is shown as given (absolute, outside the working folder)
    expect(run.stderr).toMatch(new RegExp(`^${escape(bad)}:3:8: E_NON_NUMERIC prompt_time "twelve" is not a number`));
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(run.stdout).toBe('');

    const after = await snapshot(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, bytes] of before) expect(after.get(name)?.equals(bytes), name).toBe(true);
  });

  it('writes the same bytes from any working folder, however the paths are typed, naming the inputs from the project root (or whole, outside it)', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, await withBadValue());
    const args = (input: string, out: string) => ['--input', input, '--input', bad, '--on-invalid', 'skip', '--out', out, ...GRID];
    const runs = [
      [join(dir, 'from-root'), ROOT, 'test/fixtures/golden/input.csv'],
      [join(dir, 'from-root-dot'), ROOT, './test/fixtures//golden/input.csv'],
      [join(dir, 'from-test'), join(ROOT, 'test'), 'fixtures/golden/input.csv'],
      [join(dir, 'from-scratch'), dir, INPUT],
    ] as const;
    for (const [out, cwd, input] of runs) expect((await generate(args(input, out), {}, cwd)).status).toBe(0);
    const [first, ...others] = await Promise.all(runs.map(([out]) => snapshot(out)));
    for (const other of others) expect(other).toEqual(first);
    const report = JSON.parse(first!.get('/quality-report.json')!.toString()) as { command: string; inputs: { files: { file: string }[] } };
    expect(report.inputs.files.map((f) => f.file)).toEqual(['test/fixtures/golden/input.csv', bad]);
    // The command as `npm run` runs it, from the project root.
    expect(report.command).toContain(`--input test/fixtures/golden/input.csv --input ${bad}`);
    expect(first!.get('/rejected.csv')!.toString()).toContain(`${bad},3,`);
  });

  it('writes the same bytes from a subfolder of the project for the default inputs', async () => {
    const [fromRoot, fromTest] = [join(dir, 'default-root'), join(dir, 'default-test')];
    expect((await generate(['--out', fromRoot, ...GRID])).status).toBe(0);
    expect((await generate(['--out', fromTest, ...GRID], {}, join(ROOT, 'test'))).status).toBe(0);
    const [a, b] = [await snapshot(fromRoot), await snapshot(fromTest)];
    expect(b).toEqual(a);
    expect(a.get('/quality-report.md')!.toString()).toContain('| data/raw/perf_model.csv |');
  });

  it('exits 1 with E_FILE_NOT_FOUND for a missing --input', async () => {
    const missing = join(dir, 'no-such-file.csv');
    const run = await generate(['--input', missing, '--out', join(dir, 'unused'), ...GRID]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr.startsWith(`${missing}: E_FILE_NOT_FOUND `)).toBe(true);
  });

  it('exits 1 with E_CANNOT_FIT naming the group for a group measured at one batch_tokens', async () => {
    const one = join(dir, 'one.csv');
    await writeFile(one, 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time\nm,h,1,128,1,128,10,1\n');
    const run = await generate(['--input', one, '--out', join(dir, 'unused'), ...GRID]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^.*one\.csv:2: E_CANNOT_FIT .*\(group m\/h\/tp=1\)/);
  });

  it('exits 1 with E_BAD_QUOTE for a quote after a closing quote, leaving no lock or temporary folder', async () => {
    const quoted = join(dir, 'quote.csv');
    const out = join(dir, 'quote-out');
    await writeFile(quoted, (await readFile(INPUT, 'utf8')).replace('tiny2,hw,300', '"tiny2"x,hw,300'));
    const run = await generate(['--input', quoted, '--out', out, ...GRID]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^${escape(quoted)}:11:1: E_BAD_QUOTE `));
    expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
  });

  it('--on-invalid skip sets an invalid row aside in rejected.csv, counts it and writes the rest', async () => {
    const skip = join(dir, 'skip.csv');
    const out = join(dir, 'skip-out');
    await writeFile(skip, await withBadValue());
    const run = await generate(['--input', skip, '--out', out, '--on-invalid', 'skip', ...GRID]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/from 8 rows kept of 10 read \(1 duplicates, 1 rejected\)/);
    const report = JSON.parse(await readFile(join(out, 'quality-report.json'), 'utf8')) as { inputs: { rowsRejected: number; rejectedByCode: object } };
    expect(report.inputs.rowsRejected).toBe(1);
    expect(report.inputs.rejectedByCode).toEqual({ E_NON_NUMERIC: 1 });
    const rejected = (await readFile(join(out, 'rejected.csv'), 'utf8')).trimEnd().split('\n');
    expect(rejected).toHaveLength(2);
    expect(rejected[1]).toMatch(new RegExp(`^${escape(skip)},3,8,E_NON_NUMERIC,`));
  });

  it('exits 1 with E_NO_VALID_ROWS naming the first rejected row, and no file that a failed run does not write', async () => {
    const allBad = join(dir, 'all-bad.csv');
    const out = join(dir, 'all-bad-out');
    await writeFile(allBad, 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time\nm,h,1,128,1,128,x,1\nm,h,1,256,1,128,y,1\n');
    const run = await generate(['--input', allBad, '--out', out, '--on-invalid', 'skip', ...GRID]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^E_NO_VALID_ROWS /);
    expect(run.stderr).toContain('all-bad.csv:2: E_NON_NUMERIC');
    const named = [...run.stderr.matchAll(/[\w./-]+\.csv/g)].map((m) => m[0]);
    for (const path of named) expect(existsSync(path) || existsSync(join(out, path)) || existsSync(join(ROOT, path)), path).toBe(true);
  });

  // A range inside the size bounds (1..2^26) but with more values than a list may hold.
  it('exits with a one-line error, not an internal error, for --prompts 1..67108864', async () => {
    const run = await generate(['--input', INPUT, '--out', join(dir, 'unused'), '--prompts', '1..67108864']);
    expect(run.stderr).not.toContain('internal error');
    expect(lines(run.stderr)).toHaveLength(1);
    expect([1, 2]).toContain(run.status);
  });

  it('--help exits 0 and lists every option', async () => {
    const run = await generate(['--help']);
    expect(run.status).toBe(0);
    const declared = [...(await readFile(GENERATE, 'utf8')).matchAll(/\.option\('([a-z-]+)'/g)].map((m) => m[1]);
    const known = ['prompts', 'step', 'batches', 'tokens', 'input', 'out', 'strict', 'on-invalid', 'max-rows'];
    for (const name of new Set([...known, ...declared, 'help'])) expect(run.stdout, name).toMatch(new RegExp(`--${name}\\b`));
  });
});
