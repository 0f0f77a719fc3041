import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** How a path is shown in messages: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  return recordedPath(path, process.cwd());
}

/**
 * How a path is named in the outputs: relative to the project root when
 * inside it, else whole, so that the same inputs give the same bytes from any
 * working folder (from the root, as displayPath shows it).
 */
export function recordedPath(path: string, root: string): string {
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * `mkdir -p` that always ends: each missing folder from the nearest existing
 * one down, made one at a time. (Node's recursive mkdir loops for ever on
 * some pseudo file systems, e.g. under /proc, where mkdir answers ENOENT.)
 */
export function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    if (existsSync(p)) break;
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The nearest existing path at or above `path` when it is not a folder (a file where a folder is needed); null when it is a folder. */
export function fileInTheWay(path: string): string | null {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? null : p;
    } catch {
      // does not exist (or a file on the way): look further up
    }
    if (dirname(p) === p) return null;
  }
}
