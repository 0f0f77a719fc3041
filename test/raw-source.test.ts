import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '../pipeline/io/raw-source.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readManifest()', () => {
  it.each([
    ['not JSON', '{"files": [', /^the raw-data manifest cannot be read: /],
    ['no files list', '{"file": []}', /^the raw-data manifest is malformed; expected/],
    ['a sha256 that is not 64 hex digits', '{"files": [{"name": "a.csv", "url": "u", "sha256": "abc"}]}', /^the raw-data manifest is malformed/],
    ['a name with a slash', `{"files": [{"name": "../a.csv", "url": "u", "sha256": "${'0'.repeat(64)}"}]}`, /^the raw-data manifest is malformed/],
  ])('refuses a manifest with %s (E_MANIFEST, naming the file)', async (_name, text, message) => {
    const path = join(dir, `${_name.replace(/\W/g, '_')}.json`);
    writeFileSync(path, text);
    await expect(readManifest(path)).rejects.toMatchObject({ code: 'E_MANIFEST', message: expect.stringMatching(message), place: { file: path } });
  });

  it('refuses a missing manifest with E_MANIFEST', async () => {
    await expect(readManifest(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'E_MANIFEST' });
  });

  it('reads the project manifest', async () => {
    const manifest = await readManifest(join(__dirname, '..', 'data', 'raw', 'manifest.json'));
    expect(manifest.files.map((f) => f.name)).toEqual(['perf_model.csv']);
  });
});
