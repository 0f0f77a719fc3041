/**
 * Reading a previous output (a cached plot, a file --check compares): whatever
 * sits at its path, the read ends at once, with null or "differs", never a
 * wait on a FIFO nobody writes to nor a string larger than V8 can hold.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_READ_WHOLE, readIfExists, sameBytes } from '../pipeline/io/compare.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-previous-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => join(dir, name);

describe('readIfExists() and sameBytes() on what is not a plain file', () => {
  it('reads a regular file, and gives null for a missing one', async () => {
    writeFileSync(at('plain.svg'), '<svg/>\n');
    expect(await readIfExists(at('plain.svg'))).toBe('<svg/>\n');
    expect(await readIfExists(at('missing.svg'))).toBeNull();
  });

  it('gives null for a FIFO at once, and finds it differs from a file', async () => {
    execFileSync('mkfifo', [at('fifo.svg')]);
    writeFileSync(at('other.svg'), '');
    expect(await readIfExists(at('fifo.svg'))).toBeNull();
    expect(await sameBytes(at('fifo.svg'), at('other.svg'))).toBe(false);
    expect(await sameBytes(at('other.svg'), at('fifo.svg'))).toBe(false);
  }, 5000);

  it('gives null for a device behind a symlink and for a folder', async () => {
    symlinkSync('/dev/zero', at('zero.svg'));
    mkdirSync(at('folder.svg'));
    expect(await readIfExists(at('zero.svg'))).toBeNull();
    expect(await readIfExists(at('folder.svg'))).toBeNull();
    expect(await sameBytes(at('zero.svg'), at('zero.svg'))).toBe(false);
  }, 5000);

  it('gives null for a file larger than MAX_READ_WHOLE, reads one of exactly that size', async () => {
    writeFileSync(at('huge.svg'), '');
    truncateSync(at('huge.svg'), MAX_READ_WHOLE + 1);
    expect(await readIfExists(at('huge.svg'))).toBeNull();
    truncateSync(at('huge.svg'), MAX_READ_WHOLE);
    expect((await readIfExists(at('huge.svg')))?.length).toBe(MAX_READ_WHOLE);
  });
});
