/**
 * Before any test: the pinned raw data in data/raw, fetched the way
 * `npm run data:fetch` does (PERFDB_MIRROR, ../shared/data, else the pinned
 * URL, sha256-checked), so that no test depends on another having fetched it;
 * and dist/ built from the current sources, which the CLI tests run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPerfDbError } from '../pipeline/core/errors.js';
import { defaultMirrors, fetchPinned, readManifest } from '../pipeline/io/raw-source.js';

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  await fetchRawData(root, { download: true });
  // CLI tests run the compiled commands, as npm does: build dist/ once when the sources changed.
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'launch.mjs'), '--ensure'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build of dist/ failed; see above');
}

/**
 * The raw data of the project at `root` in its data/raw. When it cannot be
 * had, the tests cannot run: one line saying why and how to supply it, and
 * exit 1, rather than a stack trace.
 */
export async function fetchRawData(root: string, options: { download: boolean; env?: NodeJS.ProcessEnv }): Promise<void> {
  const raw = join(root, 'data', 'raw');
  try {
    await fetchPinned(await readManifest(join(raw, 'manifest.json')), raw, { mirrors: defaultMirrors(root, options.env), download: options.download, log: (line) => process.stderr.write(`${line}\n`) });
  } catch (error) {
    if (!isPerfDbError(error)) throw error;
    process.stderr.write(`the tests need the raw data: ${error.format()}\n`);
    process.exit(1);
  }
}
