import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import { checkOutputFolder } from '../pipeline/io/output-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-output-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkOutputFolder()', () => {
  it.each([
    ['a link to nothing', () => symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling')), 'dangling', /symbolic link to something that does not exist/],
    ['a loop of links', () => (symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a')), symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'))), 'loop-a', /loop of symbolic links \(ELOOP\): it leads back to itself/],
    ['a link to itself', () => symlinkSync(join(dir, 'self'), join(dir, 'self')), 'self', /loop of symbolic links/],
    ['a file', () => writeFileSync(join(dir, 'a-file'), 'x'), 'a-file', /is a file, not a folder/],
  ])('refuses %s as --out in one line that says what it is', (_name, make, name, message) => {
    make();
    const error = (() => {
      try {
        checkOutputFolder(join(dir, name));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(PerfDbError);
    expect(error).toMatchObject({ code: 'E_OUTPUT_NOT_WRITABLE' });
    expect((error as PerfDbError).message).toMatch(message);
  });
});
