import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PerfDbError, usageError, withPlace } from '../pipeline/core/errors.js';
import { fileWriteError, readError } from '../pipeline/io/file-errors.js';
import { displayPath } from '../pipeline/io/paths.js';
import { refuseNonRegular } from '../pipeline/io/regular.js';
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
  // yargs reads a lone `-` as an empty positional.
  const dash = hideBin(process.argv).includes('-');
  for (const [role, path] of Object.entries(paths)) {
    if (path === '-' || (path === '' && dash)) throw usageError('E_BAD_OPTION', `the ${role} report is \`-\`: report:diff reads two report files, not standard input`, `save the report to a file first, e.g. producer > ${role}.json, and pass its path`);
    if (path.trim() === '') throw usageError('E_BAD_OPTION', `the ${role} report's path is empty`, 'pass the quality-report.json written by `npm run generate`, e.g. data/generated/quality-report.json');
  }
  const files = { base: displayPath(resolve(paths.base)), head: displayPath(resolve(paths.head)) };
  const out = argv.out === undefined ? null : outPath(argv.out, paths);
  const [base, head] = await Promise.all([readJson(paths.base, files.base), readJson(paths.head, files.head)]);
  const diff = diffReports(base, head, rules, files);
  if (out === null) {
    process.stdout.write(diff.markdown);
  } else {
    await writeOut(out, diff.markdown);
    process.stdout.write(`Wrote the report diff to ${displayPath(out)}: ${diff.changed ? 'changed' : 'no changes'}, ${diff.failures.length} ${diff.failures.length === 1 ? 'check' : 'checks'} failed\n`);
  }
  for (const failure of diff.failures) process.stderr.write(`failed check ${failure}\n`);
  return diff.failures.length > 0 ? 1 : 0;
}

async function readJson(path: string, file: string): Promise<unknown> {
  let text: string;
  await refuseNonRegular(path, file, 'the report file');
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw readError(error, file, 'report file');
  }
  if (text.trim() === '') {
    throw new PerfDbError('E_BAD_JSON', 'the report file is empty', { file, hint: 'a run that was stopped or a failed download leaves an empty file; regenerate it with `npm run generate`' });
  }
  try {
    return JSON.parse(text, finiteOnly) as unknown;
  } catch (error) {
    if (error instanceof PerfDbError) throw withPlace(error, { file });
    throw new PerfDbError('E_BAD_JSON', `the report file is not valid JSON: ${(error as Error).message}`, { file, hint: 'regenerate it with `npm run generate`; a file cut short or merged by hand is the usual cause' });
  }
}

/** JSON.parse reads a number beyond the doubles (1e999) as Infinity: no report holds one, and a diff of it would print Infinity%. */
function finiteOnly(key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new PerfDbError('E_BAD_JSON', `the report file holds a number too large for a double${key === '' ? '' : ` at key "${key}"`}`, { hint: 'no report holds such a number: the file was edited or damaged; regenerate it with `npm run generate`' });
  }
  return value;
}

/** --out, absolute: not empty, and neither of the two reports it compares (the diff would overwrite one). */
function outPath(value: string, inputs: { base: string; head: string }): string {
  if (value.trim() === '') throw usageError('E_BAD_OPTION', '--out is empty', 'give --out the Markdown file to write, e.g. --out report-diff.md, or leave it out for standard output');
  const target = resolve(value);
  for (const role of ['base', 'head'] as const) {
    if (sameFile(target, resolve(inputs[role]))) {
      throw new PerfDbError('E_INPUT_IN_OUTPUT', `--out is the ${role} report; writing the diff there would overwrite it`, { file: displayPath(target), hint: 'write the diff to another file, e.g. --out report-diff.md' });
    }
  }
  return target;
}

/** The same path, or the same file reached by another path (a link). */
function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

async function writeOut(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw fileWriteError(error, path, '--out');
  }
}

await runCli(main);
