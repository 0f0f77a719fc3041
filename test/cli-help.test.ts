/**
 * What the commands tell a user who got something wrong: hints that repeat
 * the user's own run, --check naming missing and stale files apart, an --out
 * that is a file, raw-data messages with the URL and the mirror's fault, and
 * `npm test` without the raw data.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest, fetchPinned, defaultMirrors } from '../pipeline/io/raw-source.js';
import { shellQuote } from '../pipeline/core/format.js';
import { resolveGenerateOptions } from '../pipeline/options/generate.js';
import { rerunCommand } from '../scripts/rerun.js';
import { FIXTURES, generate, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-cli-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The words a POSIX shell reads from a command line, by Python's shlex (an independent reader). */
function shellWords(command: string): string[] {
  const run = spawnSync('/usr/bin/python3', ['-c', 'import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))', command], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('rerunCommand()', () => {
  it.each([
    ['drops --check and keeps --out', ['--check', '--out', 'X', '--prompts', '1..8'], ['--out', 'X', '--prompts', '1..8']],
    ['drops --check=true and --no-check', ['--check=true', '--no-check', '--tokens', '7'], ['--tokens', '7']],
    ['keeps a path with a space', ['--out', 'my out', '--check'], ['--out', 'my out']],
    ['keeps a path with quotes and a dollar', ['--input', `it's "a" $HOME.csv`, '--check'], ['--input', `it's "a" $HOME.csv`]],
    ['keeps a unicode path', ['--out=données/été', '--check'], ['--out', 'données/été']],
    ['keeps options that do not change the outputs', ['--concurrency', '2', '--timings', '--check'], ['--concurrency', '2', '--timings']],
  ])('%s, in words a shell reads back as given', (_name, args, kept) => {
    const command = rerunCommand('generate', args, ROOT, ROOT);
    expect(shellWords(command)).toEqual(['npm', 'run', 'generate', '--', ...kept]);
  });

  it('the canonical command of the report quotes input paths, so that a shell reads them back as given', () => {
    const odd = `my data/it's "a" $HOME.csv`;
    const { command } = resolveGenerateOptions({ input: [odd, 'plain.csv'], prompts: '128..8192', step: 64 });
    expect(shellWords(command)).toEqual(['npm', 'run', 'generate', '--', '--prompts', '128..8192', '--step', '64', '--input', odd, '--input', 'plain.csv']);
  });

  it('writes nothing after npm run generate when no option is left', () => {
    expect(rerunCommand('generate', ['--check'], ROOT, ROOT)).toBe('npm run generate');
  });

  it('writes a relative path given from another folder as an absolute one (npm runs from the project root)', () => {
    expect(shellWords(rerunCommand('generate', ['--out', 'x', '--input', '-'], '/tmp', ROOT))).toEqual(['npm', 'run', 'generate', '--', '--out', '/tmp/x', '--input', '-']);
  });

  it.each([['plain', 'plain'], ['a b', "'a b'"], ["it's", "'it'\\''s'"], ['', "''"]])('shellQuote(%j) is %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});

const GRID = ['--input', join(FIXTURES, 'golden', 'input.csv'), '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots'];

describe('generate --check on an --out of the user', () => {
  const out = join(dir, "my out 'é'");

  it('names missing and stale files apart, counts each, and hints the very command with --out', async () => {
    expect((await generate([...GRID, '--out', out])).status).toBe(0);
    rmSync(join(out, 'fits.json'));
    writeFileSync(join(out, 'quality-report.md'), 'edited\n');
    const args = [...GRID, '--check', '--out', out, '--concurrency', '1'];
    const check = await generate(args);
    expect(check.status).toBe(1);
    const lines = check.stdout.trim().split('\n');
    expect(lines.slice(0, -1).sort()).toEqual([`missing: ${join(out, 'fits.json')}`, `stale: ${join(out, 'quality-report.md')}`].sort());
    const summary = lines.at(-1) as string;
    expect(summary).toMatch(/^2 files out of date: 1 missing, 1 stale; regenerate with `(.*)`$/);
    const hint = /`(.*)`$/.exec(summary)?.[1] as string;
    expect(shellWords(hint)).toEqual(['npm', 'run', 'generate', '--', ...args.filter((a) => a !== '--check')]);
  });

  it('says a folder that does not exist has every file missing', async () => {
    const check = await generate([...GRID, '--check', '--out', join(dir, 'nowhere')]);
    expect(check.status).toBe(1);
    expect(check.stdout).not.toMatch(/^stale: /m);
    expect(check.stdout).toMatch(/files out of date \(.*nowhere does not exist\): \d+ missing;/);
  });
});

describe('--out that is a file', () => {
  const file = join(dir, 'notes.md');
  writeFileSync(file, 'mine\n');

  it.each([
    ['the file itself', [file], 'the output folder is a file, not a folder'],
    ['a path under it', [join(file, 'x', 'y')], `${file} is a file, not a folder: the output folder cannot be made under it`],
    ['the file itself, with --check', [file, '--check'], 'the output folder is a file, not a folder'],
    ['a path under it, with --check', [join(file, 'x'), '--check'], `${file} is a file, not a folder`],
  ])('%s is refused as a file, not blamed on permissions, and left alone', async (_name, [path, ...rest], message) => {
    const run = await generate([...GRID, '--out', path as string, ...rest]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`E_OUTPUT_NOT_WRITABLE ${message}`);
    expect(run.stderr).not.toMatch(/permission/);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });
});

describe('fetchPinned() messages', () => {
  const manifestPath = join(ROOT, 'data', 'raw', 'manifest.json');
  const pinned = JSON.parse(readFileSync(manifestPath, 'utf8')).files[0] as { name: string; url: string; sha256: string };
  const project = (name: string) => {
    const root = join(dir, name);
    mkdirSync(join(root, 'data', 'raw'), { recursive: true });
    return root;
  };

  it.each([
    ['does not exist', '/nonexistent/perfdb-mirror', 'PERFDB_MIRROR=/nonexistent/perfdb-mirror: the folder does not exist'],
    ['is a file', manifestPath, `PERFDB_MIRROR=${manifestPath}: that is a file, not a folder`],
  ])('offline, with a PERFDB_MIRROR that %s, gives the fault, the URL and where to put the file', async (_name, mirror, fault) => {
    const root = project(`offline-${_name.replace(/\W/g, '-')}`);
    const raw = join(root, 'data', 'raw');
    const error = await fetchPinned(await readManifest(manifestPath), raw, { mirrors: defaultMirrors(root, { PERFDB_MIRROR: mirror }), download: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_RAW_MISSING', message: `${pinned.name} cannot be had offline: ${fault}` });
    expect((error as { hint: string }).hint).toBe(`download ${pinned.url} by hand and save it as ${join(raw, pinned.name)} (sha256 ${pinned.sha256}), or set PERFDB_MIRROR to a folder holding ${pinned.name}`);
  });

  it('offline, with a mirror folder that lacks the file, says it looked there', async () => {
    const root = project('offline-empty');
    mkdirSync(join(dir, 'empty-mirror'));
    const error = await fetchPinned(await readManifest(manifestPath), join(root, 'data', 'raw'), { mirrors: defaultMirrors(root, { PERFDB_MIRROR: join(dir, 'empty-mirror') }), download: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_RAW_MISSING', message: `${pinned.name} cannot be had offline: not in PERFDB_MIRROR=${join(dir, 'empty-mirror')}` });
  });

  it('notes once, on the log, a PERFDB_MIRROR that does not exist when the cached copy is used', async () => {
    const root = project('cached');
    cpSync(join(ROOT, 'data', 'raw', pinned.name), join(root, 'data', 'raw', pinned.name));
    const lines: string[] = [];
    await fetchPinned(await readManifest(manifestPath), join(root, 'data', 'raw'), { mirrors: defaultMirrors(root, { PERFDB_MIRROR: '/nonexistent/m' }), download: false, log: (l) => lines.push(l) });
    expect(lines).toEqual(['note: PERFDB_MIRROR=/nonexistent/m: the folder does not exist; it is not used']);
  });
});

describe('npm test without the raw data', () => {
  it('stops in its global set-up with one line saying how to supply the file, and no stack trace', () => {
    const root = join(dir, 'no-data');
    mkdirSync(join(root, 'data', 'raw'), { recursive: true });
    mkdirSync(join(dir, 'no-data-mirror'));
    writeFileSync(join(root, 'data', 'raw', 'manifest.json'), readFileSync(join(ROOT, 'data', 'raw', 'manifest.json')));
    const setup = join(dir, 'setup.mts');
    writeFileSync(setup, `import { fetchRawData } from ${JSON.stringify(join(ROOT, 'test', 'global-setup.ts'))};\nexport default async () => fetchRawData(${JSON.stringify(root)}, { download: false });\n`);
    writeFileSync(join(dir, 'none.test.mts'), "import { it } from 'vitest';\nit('never runs', () => {});\n");
    const config = join(dir, 'vitest.config.mjs');
    writeFileSync(config, `export default { test: { globalSetup: [${JSON.stringify(setup)}], include: ['none.test.mts'] } };\n`);
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', config, '--root', dir], { encoding: 'utf8', env: { ...process.env, PERFDB_MIRROR: join(dir, 'no-data-mirror'), NO_COLOR: '1' } });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^the tests need the raw data: E_RAW_MISSING perf_model\.csv cannot be had offline: not in PERFDB_MIRROR=.*; hint: download https:\/\/\S+ by hand and save it as \S+perf_model\.csv/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
    expect(existsSync(join(root, 'data', 'raw', 'perf_model.csv'))).toBe(false);
  });
});
