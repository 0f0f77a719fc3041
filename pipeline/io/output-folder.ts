import { lstatSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { displayPath, fileInTheWay } from './paths.js';

/**
 * Refuses an output folder that cannot be one before anything is written:
 * a path that is a file, or a symbolic link to nothing. (A folder that does
 * not exist yet is made; one that cannot be written fails on its first write
 * with the path and the cause.)
 */
export function checkOutputFolder(outDir: string): void {
  const shown = displayPath(outDir);
  let link;
  try {
    link = lstatSync(outDir);
  } catch {
    checkAncestors(outDir, shown);
    return; // does not exist: it is made
  }
  if (link.isSymbolicLink()) {
    try {
      statSync(outDir);
    } catch (error) {
      // A link that leads back to itself, through other links or not, names nothing: say so, not that its target is missing.
      const loop = (error as NodeJS.ErrnoException).code === 'ELOOP';
      const what = loop ? 'a loop of symbolic links (ELOOP): it leads back to itself' : 'a symbolic link to something that does not exist';
      throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', `the output folder is ${what}`, { file: shown, hint: 'make the link point at a folder, or pass another --out' });
    }
  }
  if (!statSync(outDir).isDirectory()) {
    throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', 'the output folder is a file, not a folder', { file: shown, hint: '--out names the folder the outputs go into, e.g. --out data/generated' });
  }
}

/** A folder that does not exist yet can only be made if the nearest existing path above it is a folder. */
function checkAncestors(outDir: string, shown: string): void {
  const blocker = fileInTheWay(dirname(resolve(outDir)));
  if (blocker === null) return;
  throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', `${displayPath(blocker)} is a file, not a folder: the output folder cannot be made under it`, { file: shown, hint: '--out names the folder the outputs go into, e.g. --out data/generated' });
}

/**
 * The names a run replaces must be of the kind it writes: a file where the
 * run writes a folder (`plots`), or a folder where it writes a file, is
 * something else of the user's; it is never deleted to make room.
 */
export function checkOwnedKinds(outDir: string, files: readonly string[], folders: readonly string[]): void {
  for (const name of [...files, ...folders]) {
    let info;
    try {
      info = lstatSync(join(outDir, name));
    } catch {
      continue;
    }
    const folder = folders.includes(name);
    if (folder ? info.isDirectory() : info.isFile()) continue;
    throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', `${name} in the output folder is ${info.isDirectory() ? 'a folder' : info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}, where this run writes ${folder ? 'the folder of plots' : 'a file'}`, {
      file: displayPath(join(outDir, name)),
      hint: `move it out of the way (it is not this project's), or pass another --out`,
    });
  }
}
