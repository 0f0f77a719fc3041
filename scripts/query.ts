import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PerfDbError, usageError } from '../pipeline/core/errors.js';
import { loadDatabase, lookup } from '../pipeline/db/lookup.js';
import { displayPath, fileInTheWay } from '../pipeline/io/paths.js';
import { readSettled } from '../pipeline/io/settled.js';
import { resolveQuery } from '../pipeline/options/query.js';
import { answerText } from './answer-text.js';
import { commandLine, runCli } from './cli.js';

async function main(): Promise<number> {
  const argv = await commandLine(
    yargs(hideBin(process.argv))
      .scriptName('npm run query --')
      .usage('$0 --model M --hardware H --tp N --prompt P --batch B --tokens T\n\nLooks a configuration up in the generated database: its row when there is one, else the prediction of the fit that wrote the database.')
      .option('model', { type: 'string', demandOption: true })
      .option('hardware', { type: 'string', demandOption: true })
      .option('tp', { type: 'string', demandOption: true, describe: 'tensor_parallel' })
      .option('prompt', { type: 'string', demandOption: true, describe: 'prompt_size (tokens)' })
      .option('batch', { type: 'string', demandOption: true, describe: 'batch_size (requests)' })
      .option('tokens', { type: 'string', demandOption: true, describe: 'token_size (output tokens)' })
      .option('db', { type: 'string', default: 'data/generated', describe: 'folder holding perf_db.csv and fits.json' })
      .option('json', { type: 'boolean', default: false, describe: 'print the answer as JSON' }),
    hideBin(process.argv),
  ).parseAsync();
  const query = resolveQuery(argv);
  const dir = dbFolder(argv.db);
  // Both files from one run, never from a commit under way or one a kill interrupted.
  const database = await readSettled(dir, ['fits.json', 'perf_db.csv'], () => loadDatabase(join(dir, 'fits.json'), join(dir, 'perf_db.csv')));
  const answer = await lookup(database, query);
  process.stdout.write(argv.json ? `${JSON.stringify(answer)}\n` : answerText(answer));
  return 0;
}

/** --db, absolute: not empty, and not a file (nor under one). */
function dbFolder(value: string): string {
  if (value.trim() === '') throw usageError('E_BAD_OPTION', '--db is empty', 'give --db the folder holding perf_db.csv and fits.json, e.g. --db data/generated');
  const dir = resolve(value);
  const blocker = fileInTheWay(dir);
  if (blocker !== null) {
    const what = blocker === dir ? '--db is a file, not a folder' : `${displayPath(blocker)} is a file, not a folder`;
    throw new PerfDbError('E_NO_DATABASE', `${what}; expected the folder holding perf_db.csv and fits.json`, { file: displayPath(dir), hint: 'pass --db the folder `npm run generate` wrote, e.g. --db data/generated' });
  }
  return dir;
}

await runCli(main);
