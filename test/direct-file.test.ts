import fc from 'fast-check';
import { constants, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDirect, STAGE_BYTES } from '../pipeline/io/direct-file.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-direct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;
const path = () => join(dir, `out-${serial++}.csv`);

/** Bytes that differ from offset to offset, so that a piece written at the wrong place shows. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return out;
}

function concat(chunks: readonly Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.length)));
}

/** Writes the chunks through openDirect (awaiting each, as the emitter does) and returns the file's bytes and the copied calls. */
async function written(chunks: readonly Uint8Array[], openFile?: typeof open): Promise<{ file: Buffer; copied: number[]; direct: boolean }> {
  const target = path();
  const file = await openDirect(target, openFile);
  if (file === null) return { file: Buffer.alloc(0), copied: [], direct: false };
  const copied: number[] = [];
  for (const [i, chunk] of chunks.entries()) await file.write(chunk, () => copied.push(i));
  await file.close();
  return { file: readFileSync(target), copied, direct: true };
}

/**
 * A file handle whose writes `fault` may refuse, cut short or fail; everything else is the real handle's.
 * `n` counts the writes of the file's bytes, not the probes of the staging buffers (one block at offset 0).
 */
function faulty(fault: (call: { flags: number; length: number; n: number }) => 'ok' | 'short' | NodeJS.ErrnoException, opened = { buffered: 0 }): typeof open {
  let n = 0;
  return (async (file: string, flags: number, mode?: number) => {
    if (!isDirect(flags)) opened.buffered++;
    const real = await open(file, flags, mode);
    return new Proxy(real, {
      get(target, key) {
        const value = target[key as keyof FileHandle];
        if (typeof value !== 'function') return value;
        if (key !== 'write') return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
        return async (buffer: Uint8Array, offset: number, length: number, position: number) => {
          const probe = length === 4096 && position === 0;
          const what = probe ? 'ok' : fault({ flags, length, n: n++ });
          if (what === 'short') return target.write(buffer, offset, Math.max(1, length >> 1), position);
          if (what !== 'ok') throw what;
          return target.write(buffer, offset, length, position);
        };
      },
    });
  }) as unknown as typeof open;
}

const error = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
const isDirect = (flags: number) => (flags & (constants.O_DIRECT ?? 0)) !== 0;
const supported = constants.O_DIRECT !== undefined;

describe.skipIf(!supported)('openDirect()', () => {
  it('writes every byte in order, at any chunk boundaries, and says when each chunk is copied', async () => {
    const sizes = [0, 1, 4095, 4096, 4097, STAGE_BYTES - 1, STAGE_BYTES, STAGE_BYTES + 1, 3 * STAGE_BYTES + 17, 123_457];
    for (const size of sizes) {
      const chunks = [bytes(size, size)];
      const { file, copied, direct } = await written(chunks);
      expect(direct).toBe(true);
      expect(file.equals(concat(chunks)), `one chunk of ${size} bytes`).toBe(true);
      expect(copied).toEqual([0]);
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 2 * STAGE_BYTES + 100 }), { maxLength: 9 }), async (lengths) => {
        const chunks = lengths.map((n, i) => bytes(n, i));
        const { file, copied } = await written(chunks);
        expect(file.equals(concat(chunks))).toBe(true);
        expect(copied).toEqual(chunks.map((_, i) => i));
      }),
      { numRuns: 25, seed: 20261202 },
    );
  });

  it('keeps the order of writes not awaited one by one', async () => {
    const target = path();
    const file = await openDirect(target);
    expect(file).not.toBeNull();
    const chunks = Array.from({ length: 40 }, (_, i) => bytes(((i * 7919) % 300_000) + (i % 3) * STAGE_BYTES, i));
    await Promise.all(chunks.map((c) => file!.write(c)));
    await file!.close();
    expect(readFileSync(target).equals(concat(chunks))).toBe(true);
  });

  it('gives up at once where the file system refuses direct writes on opening', async () => {
    const refuse = (async (file: string, flags: number, mode?: number) => {
      if (isDirect(flags)) throw error('EINVAL');
      return open(file, flags, mode);
    }) as typeof open;
    expect(await openDirect(path(), refuse)).toBeNull();
  });

  it('goes on through the page cache from where a direct write was refused or cut short', async () => {
    const chunks = [bytes(STAGE_BYTES * 2 + 5000, 1), bytes(777, 2), bytes(STAGE_BYTES + 1, 3)];
    const cases: [string, (call: { flags: number; length: number; n: number }) => 'ok' | 'short' | NodeJS.ErrnoException][] = [
      ['every direct write from the second refused', ({ flags, n }) => (isDirect(flags) && n >= 1 ? error('EINVAL') : 'ok')],
      ['the second cut short', ({ flags, n }) => (isDirect(flags) && n === 1 ? 'short' : 'ok')],
      ['the last, padded one refused', ({ flags, length }) => (isDirect(flags) && length < STAGE_BYTES ? error('EINVAL') : 'ok')],
    ];
    for (const [name, fault] of cases) {
      const opened = { buffered: 0 };
      const { file } = await written(chunks, faulty(fault, opened));
      expect(file.equals(concat(chunks)), name).toBe(true);
      expect(opened.buffered, name).toBe(1);
    }
  });

  it('rejects the next write or the close with the first write error (a full disk), and closes the file', async () => {
    const chunks = Array.from({ length: 6 }, (_, i) => bytes(STAGE_BYTES, i));
    const file = await openDirect(path(), faulty(({ n }) => (n >= 1 ? error('ENOSPC') : 'ok')));
    let failure: unknown = null;
    let accepted = 0;
    try {
      for (const chunk of chunks) {
        await file!.write(chunk);
        accepted++;
      }
    } catch (e) {
      failure = e;
    }
    expect(accepted).toBeLessThan(chunks.length);
    expect((failure as NodeJS.ErrnoException).code).toBe('ENOSPC');
    // Whatever is asked after the failure fails the same way, and the close still closes the file.
    await expect(file!.write(bytes(10, 9))).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(file!.close()).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('lets go of the file when the run is given up halfway, writes under way or not', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (const waitFirst of [false, true]) {
      const file = await openDirect(path());
      expect(file).not.toBeNull();
      const writes = Promise.allSettled([bytes(3 * STAGE_BYTES, 1), bytes(5000, 2)].map((c) => file!.write(c)));
      if (waitFirst) await writes;
      await file!.abort();
      await writes;
      await expect(file!.write(bytes(1, 3))).rejects.toThrow(/given up/);
      // Given up twice, or after the close: nothing more happens.
      await file!.abort();
    }
    expect(fds()).toBe(before);
  });

  it('lets go of the file when a probe fails otherwise than by refusing (a full disk), and fails the opening', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const full = (async (file: string, flags: number, mode?: number) => {
      const real = await open(file, flags, mode);
      return new Proxy(real, {
        get(target, key) {
          const value = target[key as keyof FileHandle];
          if (typeof value !== 'function') return value;
          if (key === 'write') return async () => Promise.reject(error('ENOSPC'));
          return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
        },
      });
    }) as unknown as typeof open;
    await expect(openDirect(path(), full)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fds()).toBe(before);
  });

  it('refuses a write after the close, and closes the second handle when closing the first fails', async () => {
    const file = await openDirect(path());
    await file!.write(bytes(10, 1));
    await file!.close();
    await expect(file!.write(bytes(100, 2))).rejects.toThrow(/closed/);
    // Every direct write refused (a buffered handle is opened), then the direct handle's close fails.
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const refusing = faulty(({ flags }) => (isDirect(flags) ? error('EINVAL') : 'ok'));
    const failingClose = (async (f: string, flags: number, mode?: number) => {
      const handle = await refusing(f, flags, mode);
      if (!isDirect(flags)) return handle;
      return new Proxy(handle, {
        get(target, key) {
          if (key === 'close') return async () => {
            await target.close();
            throw error('EIO');
          };
          return (target as unknown as Record<string | symbol, unknown>)[key];
        },
      });
    }) as unknown as typeof open;
    const second = await openDirect(path(), failingClose);
    await second!.write(bytes(2 * STAGE_BYTES + 3, 3));
    await expect(second!.close()).rejects.toMatchObject({ code: 'EIO' });
    expect(fds()).toBe(before);
  });
});
