import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { displayPath } from './paths.js';

/** How every file this project writes into plots/ begins (plots/files.ts), and rejected.csv's header. */
const PLOT_START = '<!-- perfdb-plot ';
const REJECTED_START = 'file,line,column,code,reason\n';

/**
 * A run replaces plots/ and rejected.csv whole. A file in them that this
 * project did not write (a user's own figure, another tool's rejected.csv)
 * would be lost without a word: refuse the run instead, naming it.
 */
export function checkNoForeignFiles(outDir: string): void {
  const plots = join(outDir, 'plots');
  if (isDirectory(plots)) {
    for (const name of readdirSync(plots).sort()) {
      const path = join(plots, name);
      if (!name.endsWith('.svg') || !isFile(path) || !startsWith(path, PLOT_START)) throw foreign(path, 'plots/ is replaced whole by every run, and this file was not drawn by it');
    }
  }
  const rejected = join(outDir, 'rejected.csv');
  if (isFile(rejected) && !startsWith(rejected, REJECTED_START)) throw foreign(rejected, 'rejected.csv is replaced or removed by every run, and this one was not written by it');
}

function foreign(path: string, why: string): PerfDbError {
  return new PerfDbError('E_FOREIGN_FILE', `${why}; it would be lost`, { file: displayPath(path), hint: 'move the file out of the output folder, or pass another --out' });
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the file's first bytes are `start` (an unreadable file counts as not). */
function startsWith(path: string, start: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const bytes = Buffer.alloc(start.length);
    const read = readSync(fd, bytes, 0, bytes.length, 0);
    return bytes.subarray(0, read).toString('latin1') === start;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
