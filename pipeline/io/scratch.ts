import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { outputPathError } from './file-errors.js';

/**
 * A scratch folder for --check under the system temp folder. An interrupted
 * check exits from its signal handler, so the folder is also removed on
 * process exit until `release()`.
 */
export async function checkScratch(): Promise<{ path: string; release: () => void; failed: (error: unknown) => unknown }> {
  let path: string;
  try {
    path = await mkdtemp(join(tmpdir(), 'perfdb-check-'));
  } catch (error) {
    throw asScratchError(outputPathError(error, tmpdir()), 'make');
  }
  const remove = () => rmSync(path, { recursive: true, force: true });
  process.once('exit', remove);
  const scratchPath = path;
  return {
    path,
    release: () => process.off('exit', remove),
    // A write into the scratch folder that failed (a full or read-only temporary folder) is the temporary folder's fault, not --out's.
    failed: (error: unknown) => (error instanceof PerfDbError && error.code === 'E_OUTPUT_NOT_WRITABLE' && (error.place.file ?? '').startsWith(scratchPath) ? asScratchError(error, 'write') : error),
  };
}

function asScratchError(error: unknown, verb: 'make' | 'write'): unknown {
  if (!(error instanceof PerfDbError)) return error;
  return new PerfDbError('E_OUTPUT_NOT_WRITABLE', `--check cannot ${verb} its scratch folder in the temporary folder: ${error.message.replace(/^cannot write the outputs: /, '')}`, {
    file: tmpdir(),
    hint: 'set TMPDIR to a writable folder with room for a copy of the outputs',
  });
}
