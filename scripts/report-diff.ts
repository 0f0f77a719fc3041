import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PerfDbError } from '../pipeline/core/errors.js';
import { readError } from '../pipeline/io/file-errors.js';
import { displayPath } from '../pipeline/io/paths.js';
import { diffReports, parseFailRule, RULE_FORMS } from '../pipeline/diff/diff.js';
import { commandLine, runCli } from './cli.js';

function parseArgs(argv: string[]) {
  return commandLine(
    yargs(argv)
      .scriptName('npm run report:diff --')
      .command('$0 <base> <head>', 'Compares two quality-report.json files and prints the differences as Markdown for a pull-request comment.', (y) =>
        y
          .positional('base', { type: 'string', demandOption: true, describe: 'the quality-report.json before the change' })
          .positional('head', { type: 'string', demandOption: true, describe: 'the quality-report.json after the change' }),
      )
      .option('fail-on', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: `exit 1 when this check fires, repeatable: ${RULE_FORMS.join(', ')} (PP percentage points, PCT percent)`,
      })
      .option('out', { type: 'string', describe: 'write the Markdown to this file instead of stdout' }),
    argv,
    ['fail-on'],
  ).parseAsync();
}

async function main(): Promise<number> {
  const argv = await parseArgs(hideBin(process.argv));
  const rules = argv['fail-on'].map(parseFailRule);
  // @types/yargs does not carry a command's positionals into the parsed type; yargs demands both.
  const paths = { base: String(argv.base), head: String(argv.head) };
  const files = { base: displayPath(resolve(paths.base)), head: displayPath(resolve(paths.head)) };
  const [base, head] = await Promise.all([readJson(paths.base, files.base), readJson(paths.head, files.head)]);
  const diff = diffReports(base, head, rules, files);
  if (argv.out === undefined) {
    process.stdout.write(diff.markdown);
  } else {
    await writeOut(argv.out, diff.markdown);
    process.stdout.write(`Wrote the report diff to ${displayPath(resolve(argv.out))}: ${diff.changed ? 'changed' : 'no changes'}, ${diff.failures.length} ${diff.failures.length === 1 ? 'check' : 'checks'} failed\n`);
  }
  for (const failure of diff.failures) process.stderr.write(`failed check ${failure}\n`);
  return diff.failures.length > 0 ? 1 : 0;
}

async function readJson(path: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw readError(error, file, 'report file');
  }
  if (text.trim() === '') {
    throw new PerfDbError('E_BAD_JSON', 'the report file is empty', { file, hint: 'a run that was stopped or a failed download leaves an empty file; regenerate it with `npm run generate`' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PerfDbError('E_BAD_JSON', `the report file is not valid JSON: ${(error as Error).message}`, { file, hint: 'regenerate it with `npm run generate`; a file cut short or merged by hand is the usual cause' });
  }
}

async function writeOut(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new PerfDbError('E_OUTPUT_NOT_WRITABLE', `cannot write the diff (${code})`, { file: displayPath(resolve(path)), hint: 'check that the folder exists and is writable' });
  }
}

await runCli(main);
