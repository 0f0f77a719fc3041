import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A scratch folder for --check under the system temp folder. An interrupted
 * check exits from its signal handler, so the folder is also removed on
 * process exit until `release()`.
 */
export async function checkScratch(): Promise<{ path: string; release: () => void }> {
  const path = await mkdtemp(join(tmpdir(), 'perfdb-check-'));
  const remove = () => rmSync(path, { recursive: true, force: true });
  process.once('exit', remove);
  return { path, release: () => process.off('exit', remove) };
}
