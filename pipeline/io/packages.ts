/** Installed packages: where one lives and its version, found from its entry point (not every package exports ./package.json). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of an installed package: the first folder above its entry point whose package.json names it; null when none does. */
export function packageDir(name: string): string | null {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    if (manifest(dir)?.name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** An installed package's version, or 'unknown'. */
export function packageVersion(name: string): string {
  const dir = packageDir(name);
  return (dir === null ? undefined : manifest(dir)?.version) ?? 'unknown';
}

function manifest(dir: string): { name?: string; version?: string } | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  } catch {
    // No package.json at this level.
    return null;
  }
}
