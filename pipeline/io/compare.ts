import { constants } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** A missing file, or one whose folder is in fact a file (a `plots` file where the folder was). */
function ignoreMissing(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
}

/** Larger than any file the project writes but perf_db.csv: such a file is not read whole, as a previous output. */
export const MAX_READ_WHOLE = 64 * 1024 * 1024;

/**
 * A regular file opened for reading, or null when it is something else (a
 * FIFO, a device, a folder) or missing. Opened without blocking: a FIFO
 * nobody writes to is refused at once instead of waited on.
 */
async function openRegular(path: string): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    ignoreMissing(error);
    return null;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}

/** A previous output's text, or null when it does not exist, is not a regular file or is larger than MAX_READ_WHOLE. */
export async function readIfExists(path: string): Promise<string | null> {
  const handle = await openRegular(path);
  if (handle === null) return null;
  try {
    return (await handle.stat()).size > MAX_READ_WHOLE ? null : await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Compares the `owned` files and folders of two output folders byte for byte.
 * Returns the paths (relative to the folders) that differ, exist in only one,
 * sorted.
 */
export async function compareTrees(fresh: string, committed: string, owned: readonly string[]): Promise<string[]> {
  const list = async (root: string) => {
    const files: string[] = [];
    const visit = async (rel: string) => {
      const info = await stat(join(root, rel)).catch(() => null);
      if (info === null) return;
      if (!info.isDirectory()) files.push(rel);
      else for (const name of await readdir(join(root, rel))) await visit(`${rel}/${name}`);
    };
    for (const name of owned) await visit(name);
    return files;
  };
  const [a, b] = await Promise.all([list(fresh), list(committed)]);
  const stale: string[] = [];
  for (const name of [...new Set([...a, ...b])].sort()) {
    if (!(await sameBytes(join(fresh, name), join(committed, name)))) stale.push(name);
  }
  return stale;
}

/** Whether two files hold the same bytes (false when either is missing or not a regular file); reads both in 4 MiB blocks. */
export async function sameBytes(pathA: string, pathB: string): Promise<boolean> {
  const [a, b] = await Promise.all([openRegular(pathA).catch(() => null), openRegular(pathB).catch(() => null)]);
  try {
    if (a === null || b === null) return false;
    if ((await a.stat()).size !== (await b.stat()).size) return false;
    const size = 1 << 22;
    const [bufA, bufB] = [Buffer.alloc(size), Buffer.alloc(size)];
    for (;;) {
      const [{ bytesRead: n }, { bytesRead: m }] = await Promise.all([a.read(bufA, 0, size, null), b.read(bufB, 0, size, null)]);
      if (n !== m || !bufA.subarray(0, n).equals(bufB.subarray(0, m))) return false;
      if (n === 0) return true;
    }
  } finally {
    await a?.close();
    await b?.close();
  }
}

