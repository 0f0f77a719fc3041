import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadDatabase, lookup } from '../pipeline/db/lookup.js';
import type { Answer } from '../pipeline/db/types.js';
import { resolveQuery } from '../pipeline/options/query.js';
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
  const dir = resolve(argv.db);
  const answer = await lookup(await loadDatabase(join(dir, 'fits.json'), join(dir, 'perf_db.csv')), query);
  process.stdout.write(argv.json ? `${JSON.stringify(answer)}\n` : render(answer));
  return 0;
}

/** Three significant digits, as the report writes numbers for people. */
const short = (v: number) => String(Number(v.toPrecision(3)));

function render(a: Answer): string {
  const interval = (value: number, err: number | null) => (err === null ? '' : `  (${short(value * (1 - err))} to ${short(value * (1 + err))} ms, ${short(a.coverage * 100)}% interval)`);
  const flags = [
    a.source === 'extrapolated' ? `extrapolated ${short(a.factor)}x beyond the measured range` : null,
    a.err_basis === 'unvalidated' ? 'unvalidated: beyond the factor the backtests reached, no interval' : null,
    a.clamped.length > 0 ? `clamped (${a.clamped.join(', ')}): the line went impossible, the nearest measured end's value` : null,
  ].filter((f) => f !== null);
  return [
    `prompt_time ${short(a.prompt_time)} ms${interval(a.prompt_time, a.prompt_time_err)}`,
    `token_time  ${short(a.token_time)} ms${interval(a.token_time, a.token_time_err)}`,
    `e2e_time    ${short(a.e2e_time)} ms`,
    `source      ${a.source} (${a.from === 'row' ? 'a row of perf_db.csv' : 'predicted by the fit; not a row of perf_db.csv'})`,
    ...(flags.length === 0 ? [] : [`note        ${flags.join('; ')}`]),
    '',
  ].join('\n');
}

await runCli(main);
