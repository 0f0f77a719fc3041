/**
 * generate --check: regenerates into a temporary folder and compares with the
 * output folder, which it never touches.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, generate, fingerprint } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GRID = ['--input', join(FIXTURES, 'golden', 'input.csv'), '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10'];

/** Flips one byte of a file in the middle. */
function editOneByte(path: string): void {
  const bytes = readFileSync(path);
  const at = bytes.length >> 1;
  bytes[at] = (bytes[at] as number) ^ 1;
  writeFileSync(path, bytes);
}

describe('generate --check', () => {
  const out = join(dir, 'out');

  it('exits 0 on a fresh folder and touches nothing', async () => {
    expect((await generate([...GRID, '--out', out])).status).toBe(0);
    const before = fingerprint(out);
    const check = await generate([...GRID, '--out', out, '--check']);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('is up to date');
    expect(fingerprint(out)).toEqual(before);
  });

  it.each(['perf_db.csv', 'quality-report.json', 'quality-report.md', 'quality-report.html', 'fits.json'])('exits 1 naming %s after one of its bytes changed', async (name) => {
    const path = join(out, name);
    const original = readFileSync(path);
    editOneByte(path);
    const edited = fingerprint(out);
    const check = await generate([...GRID, '--out', out, '--check']);
    expect(check.status).toBe(1);
    expect(check.stdout.split('\n').filter((l) => l.startsWith('stale: '))).toEqual([`stale: ${join(out, name)}`]);
    expect(fingerprint(out)).toEqual(edited);
    writeFileSync(path, original);
  });

  it('exits 1 naming a plot whose SVG changed by one byte, though its cache key did not', async () => {
    const plots = readdirSync(join(out, 'plots'));
    const plot = join(out, 'plots', plots[0] as string);
    const original = readFileSync(plot);
    editOneByte(plot);
    const check = await generate([...GRID, '--out', out, '--check']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`stale: ${plot}`);
    writeFileSync(plot, original);
  });

  it('exits 1 naming a file the run would not write and a file it would write that is missing', async () => {
    writeFileSync(join(out, 'rejected.csv'), 'file,line,column,code,reason\n');
    rmSync(join(out, 'fits.json'));
    const check = await generate([...GRID, '--out', out, '--check']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`stale: ${join(out, 'rejected.csv')}`);
    expect(check.stdout).toContain(`missing: ${join(out, 'fits.json')}`);
  });

  it('exits 0 on the committed data/generated with the README command', async () => {
    const check = await generate(['--prompts', '128..8192', '--step', '64', '--check']);
    // A fresh clone fetches the pinned raw file first, and says so on stderr.
    expect(check.stderr).not.toMatch(/E_[A-Z_]+|internal error/);
    expect(check.stdout).toBe('data/generated is up to date\n');
    expect(check.status).toBe(0);
  });
});
