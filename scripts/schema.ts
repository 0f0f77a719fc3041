/**
 * Writes pipeline/report/quality-report.schema.json from the report's
 * TypeBox schema (pipeline/report/schema.ts), the one source of its shape.
 *   npm run schema            write it
 *   npm run schema -- --check exit 1 when the file is not what the schema says
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { schemaJson } from '../pipeline/report/schema-file.js';
import { commandLine, projectRoot, runCli } from './cli.js';

async function main(): Promise<number> {
  const argv = await commandLine(
    yargs(hideBin(process.argv)).scriptName('npm run schema --').option('check', { type: 'boolean', default: false, describe: 'compare instead of writing' }),
    hideBin(process.argv),
  ).parseAsync();
  const path = join(projectRoot(), 'pipeline', 'report', 'quality-report.schema.json');
  const text = schemaJson();
  if (argv.check) {
    const current = await readFile(path, 'utf8').catch(() => null);
    process.stdout.write(current === text ? 'quality-report.schema.json is up to date\n' : 'quality-report.schema.json is stale; run `npm run schema`\n');
    return current === text ? 0 : 1;
  }
  await writeFile(path, text);
  process.stdout.write(`wrote ${path}\n`);
  return 0;
}

await runCli(main);
