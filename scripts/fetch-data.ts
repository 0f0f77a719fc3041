import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { defaultMirrors, fetchPinned, readManifest } from '../pipeline/io/raw-source.js';
import { commandLine, projectRoot, runCli } from './cli.js';

async function main(): Promise<number> {
  const root = projectRoot();
  const argv = await commandLine(
    yargs(hideBin(process.argv))
      .scriptName('npm run data:fetch --')
      .usage('$0 [options]\n\nPlaces the raw CSVs pinned in data/raw/manifest.json into data/raw/, from a mirror folder ($PERFDB_MIRROR, then ../shared/data) or the pinned URL, verifying sha256.')
      .option('offline', { type: 'boolean', default: false, describe: 'use mirrors only, never the network' }),
    hideBin(process.argv),
  ).parseAsync();
  const rawDir = join(root, 'data', 'raw');
  const manifest = await readManifest(join(rawDir, 'manifest.json'));
  const fetched = await fetchPinned(manifest, rawDir, {
    mirrors: defaultMirrors(root),
    download: !argv.offline,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const kept = manifest.files.length - fetched.length;
  process.stdout.write(`${fetched.length} fetched, ${kept} already present in data/raw\n`);
  return 0;
}

await runCli(main);
