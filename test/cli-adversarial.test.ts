/**
 * The commands other than generate against odd paths: report:diff's --out
 * (a folder, under a file, in a folder that does not exist, empty, one of its
 * own inputs) and query's --db (a file, empty). Each is one line naming the
 * path and what is wrong with it, and nothing is overwritten.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCommand } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-adversarial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const REPORT = join(ROOT, 'data', 'generated', 'quality-report.json');
const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

describe('report:diff --out', () => {
  const base = join(dir, 'base é.json');
  const head = join(dir, "head 'q'.json");
  copyFileSync(REPORT, base);
  copyFileSync(REPORT, head);
  const file = join(dir, 'notes.md');
  writeFileSync(file, 'mine\n');

  it.each([
    ['a folder', dir, 1, `${dir}: E_OUTPUT_NOT_WRITABLE --out is a folder; expected the Markdown file to write`],
    ['a path under a file', join(file, 'x.md'), 1, `${join(file, 'x.md')}: E_OUTPUT_NOT_WRITABLE ${file} is a file, not a folder`],
    ['in a folder that does not exist', join(dir, 'no such', 'x.md'), 1, `${join(dir, 'no such', 'x.md')}: E_OUTPUT_NOT_WRITABLE the folder ${join(dir, 'no such')} does not exist`],
    ['empty', '', 2, 'E_BAD_OPTION --out is empty'],
    ['the base report', base, 1, `E_INPUT_IN_OUTPUT --out is the base report`],
    ['the head report', head, 1, `E_INPUT_IN_OUTPUT --out is the head report`],
  ])('refuses %s in one line, overwriting nothing', async (_name, out, status, message) => {
    const run = await runCommand('report-diff', [base, head, '--out', out]);
    expect(run.status).toBe(status);
    oneLine(run.stderr);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/check that the folder exists/);
    expect(readFileSync(base).equals(readFileSync(REPORT))).toBe(true);
    expect(readFileSync(head).equals(readFileSync(REPORT))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('writes to a path with spaces, quotes and accents', async () => {
    const out = join(dir, "diff 'é' $x.md");
    const run = await runCommand('report-diff', [base, head, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^### Quality report diff\n/);
  });
});

describe('report:diff on standard input', () => {
  it.each([
    ['base', ['-', REPORT]],
    ['head', [REPORT, '-']],
  ])('refuses `-` as the %s report in one usage line, not a missing file', async (role, args) => {
    const run = await runCommand('report-diff', args);
    expect(run.status).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(new RegExp(`^E_BAD_OPTION the ${role} report is \`-\`: report:diff reads two report files, not standard input; hint: save the report to a file first`));
  });

  it('refuses an empty report path in one usage line, not the working folder as a missing file', async () => {
    const run = await runCommand('report-diff', ['', REPORT]);
    expect(run.status).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(/^E_BAD_OPTION the base report's path is empty; hint: /);
  });
});

describe('query --db', () => {
  const ask = (db: string) => runCommand('query', ['--model', 'llama2-70b', '--hardware', 'a100-80gb', '--tp', '2', '--prompt', '700', '--batch', '3', '--tokens', '256', '--db', db]);

  it('refuses a file in one line saying it is a file, not the folder of the database', async () => {
    const run = await ask(join(ROOT, 'README.md'));
    expect(run.status).toBe(1);
    oneLine(run.stderr);
    expect(run.stderr).toContain(`E_NO_DATABASE --db is a file, not a folder; expected the folder holding perf_db.csv and fits.json`);
  });

  it('refuses an empty --db as a usage error', async () => {
    const run = await ask('');
    expect(run.status).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toContain('E_BAD_OPTION --db is empty');
  });
});
