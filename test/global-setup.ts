/**
 * Before any test: the pinned raw data in data/raw, fetched the way
 * `npm run data:fetch` does (PERFDB_MIRROR, ../shared/data, else the pinned
 * URL, sha256-checked), so that no test depends on another having fetched it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMirrors, fetchPinned, readManifest } from '../pipeline/io/raw-source.js';

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const raw = join(root, 'data', 'raw');
  await fetchPinned(await readManifest(join(raw, 'manifest.json')), raw, { mirrors: defaultMirrors(root), download: true });
}
