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
export async function checkScratch(): Promise<{ path: string; release: () => void }> {
  let path: string;
  try {
    path = await mkdtemp(join(tmpdir(), 'perfdb-check-'));
  } catch (error) {
    const mapped = outputPathError(error, tmpdir());
    if (!(mapped instanceof PerfDbError)) throw error;
    throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', `--check cannot make its scratch folder in the temporary folder: ${mapped.message.replace(/^cannot write the outputs: /, '')}`, {
      file: tmpdir(),
      hint: 'set TMPDIR to a writable folder with room for a copy of the outputs',
    });
  }
  const remove = () => rmSync(path, { recursive: true, force: true });
  process.once('exit', remove);
  return { path, release: () => process.off('exit', remove) };
}
