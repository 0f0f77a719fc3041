import { createReadStream, fstatSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import type { IngestSource } from '../types.js';
import { readError } from './file-errors.js';
import { kindOf } from './regular.js';
import { displayPath, recordedPath } from './paths.js';
import { defaultMirrors, fetchPinned, readManifest } from './raw-source.js';

/** The --input that reads standard input. */
export const STDIN = '-';

/**
 * Opens an input file as an ingest source, with one-line errors for a
 * missing, folder or unreadable path. Only regular files are read: a FIFO
 * or a device could block for ever, so it is refused with the way to pipe
 * data in (`--input -`, standard input, which must not be a terminal).
 * With the project's `root`, the outputs name the file from the root.
 */
export async function openInput(path: string, root?: string): Promise<IngestSource> {
  if (path === STDIN) return stdinSource();
  const file = displayPath(path);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw readError(error, file);
  }
  if (info.isDirectory()) {
    throw new PerfDbError('E_IS_DIRECTORY', 'the input is a folder; expected a CSV file', { file, hint: `pass the CSV files inside it, e.g. --input ${join(file, '*.csv')}` });
  }
  if (!info.isFile()) {
    throw new PerfDbError('E_NOT_REGULAR_FILE', `the input is ${kindOf(info)}, not a regular file; reading it could wait for ever`, {
      file,
      hint: 'save the data to a file first, or pipe it in on standard input with `--input -` (e.g. `producer | npm run generate -- --input -`)',
    });
  }
  try {
    await (await open(path, 'r')).close();
  } catch (error) {
    throw readError(error, file);
  }
  return { file, ...(root === undefined ? {} : { recorded: recordedPath(path, root) }), chunks: readChunks(path, file) };
}

/**
 * Standard input as a source; a terminal is refused (nobody types a profiling
 * CSV), and so is a folder (`< dir`), which would otherwise read as an empty
 * file. (A closed standard input is /dev/null by the time Node starts: empty.)
 */
function stdinSource(): IngestSource {
  const pipeIn = 'pipe the CSV in (`cat runs.csv | npm run generate -- --input -`), or pass --input FILE';
  if (fstatSync(0).isDirectory()) throw new PerfDbError('E_IS_DIRECTORY', '--input - reads standard input, which is a folder here; expected CSV text', { file: '<stdin>', hint: pipeIn });
  if (process.stdin.isTTY === true) {
    throw new PerfDbError('E_NOT_REGULAR_FILE', '--input - reads standard input, which is a terminal here', { hint: pipeIn });
  }
  const chunks = async function* (): AsyncGenerator<Uint8Array> {
    for await (const chunk of process.stdin) yield chunk as Buffer;
  };
  return { file: '<stdin>', chunks: chunks() };
}

async function* readChunks(path: string, file: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
  } catch (error) {
    throw readError(error, file);
  }
}

/** The `*.csv` files of a folder, sorted by name. */
export async function listCsv(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.toLowerCase().endsWith('.csv'))
    .sort()
    .map((n) => join(dir, n));
}

/** data/raw/*.csv under the project root, fetching the pinned files first when they are missing. */
export async function defaultInputs(root: string, log: (line: string) => void): Promise<string[]> {
  const rawDir = join(root, 'data', 'raw');
  const manifest = await readManifest(join(rawDir, 'manifest.json'));
  await fetchPinned(manifest, rawDir, { mirrors: defaultMirrors(root), download: true, log });
  const files = await listCsv(rawDir);
  if (files.length === 0) throw new PerfDbError('E_NO_INPUT', 'no CSV files in data/raw', { file: displayPath(rawDir), hint: 'run `npm run data:fetch` or pass --input FILE' });
  return files;
}
