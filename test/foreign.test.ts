/**
 * checkNoForeignFiles(): plots/ and rejected.csv are replaced whole by every
 * run, so a file in them that this project did not write is refused before
 * anything is written, by name; the project's own files pass.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkNoForeignFiles } from '../pipeline/io/foreign.js';
import { plotFile } from '../pipeline/plots/files.js';

let out: string;
afterEach(() => rmSync(out, { recursive: true, force: true }));

function folder(files: Record<string, string>): string {
  out = mkdtempSync(join(tmpdir(), 'perfdb-foreign-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(out, name, '..'), { recursive: true });
    writeFileSync(join(out, name), text);
  }
  return out;
}

const PLOT = plotFile('a'.repeat(64), '<svg></svg>');

describe('checkNoForeignFiles()', () => {
  it('passes a folder of the project\'s own plots and rejected.csv, and a folder without them', () => {
    expect(() => checkNoForeignFiles(folder({ 'plots/m__h__tp1__prompt_time.svg': PLOT, 'rejected.csv': 'file,line,column,code,reason\nx.csv,2,7,E_EMPTY_VALUE,empty\n', 'notes.txt': 'mine' }))).not.toThrow();
    expect(() => checkNoForeignFiles(folder({}))).not.toThrow();
  });

  it.each([
    ['a figure of the user\'s own', { 'plots/my-figure.svg': '<svg>mine</svg>' }, 'plots/my-figure.svg'],
    ['a file that is not an SVG', { 'plots/m__h__tp1__prompt_time.svg': PLOT, 'plots/README.txt': PLOT }, 'plots/README.txt'],
    ['another tool\'s rejected.csv', { 'rejected.csv': 'id,reason\n1,bad\n' }, 'rejected.csv'],
    ['an empty rejected.csv', { 'rejected.csv': '' }, 'rejected.csv'],
  ])('refuses %s with E_FOREIGN_FILE naming it', (_what, files, named) => {
    const dir = folder(files);
    let error: { code?: string; format?: () => string } | undefined;
    try {
      checkNoForeignFiles(dir);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe('E_FOREIGN_FILE');
    expect(error?.format?.()).toContain(`${named}: E_FOREIGN_FILE `);
    expect(error?.format?.()).toContain('hint: move the file out of the output folder');
  });

  it('refuses a folder or a link inside plots/', () => {
    const dir = folder({ 'plots/m__h__tp1__prompt_time.svg': PLOT });
    mkdirSync(join(dir, 'plots', 'sub.svg'));
    expect(() => checkNoForeignFiles(dir)).toThrow(/not drawn by it/);
    rmSync(join(dir, 'plots', 'sub.svg'), { recursive: true });
    symlinkSync(join(dir, 'plots', 'm__h__tp1__prompt_time.svg'), join(dir, 'plots', 'link.svg'));
    const named = (() => {
      try {
        checkNoForeignFiles(dir);
      } catch (e) {
        return (e as { format: () => string }).format();
      }
      return '';
    })();
    expect(named).toMatch(/plots\/link\.svg: E_FOREIGN_FILE /);
  });
});
