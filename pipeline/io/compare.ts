import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A missing file, or one whose folder is in fact a file (a `plots` file where the folder was). */
function ignoreMissing(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
}

/** A file's text, or null when it does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    ignoreMissing(error);
    return null;
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

/** Whether two files hold the same bytes (false when either is missing); reads both in 4 MiB blocks. */
export async function sameBytes(pathA: string, pathB: string): Promise<boolean> {
  const [a, b] = await Promise.all([open(pathA, 'r').catch(() => null), open(pathB, 'r').catch(() => null)]);
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

