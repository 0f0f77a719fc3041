import { resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { shellQuote } from '../core/format.js';
import { MAX_CONCURRENCY, MAX_ROWS } from '../core/limits.js';
import { DEFAULTS, deepFreeze, defaultConcurrency, runOptions } from './defaults.js';
import { parseSizeList, usesStep } from './sizes.js';
import { FAIL_ON_STATUS, type GenerateArgs, type GenerateOptions, type GridText } from './types.js';
import { choiceOption, coverageOption, factorOption, flagOption, integerOption, parseExtrapolate, parseMethods, shown } from './values.js';

/**
 * The generate command line, resolved once: every value checked (a usage
 * error naming the option otherwise), every default applied, paths made
 * absolute against `cwd`, the canonical command written (its --input paths,
 * made absolute, as `recorded` names them: the outputs name a file from the
 * project root, where `npm run` runs the command, so that they depend on
 * neither the working folder nor how a path was typed). The result is frozen.
 */
export function resolveGenerateOptions(args: GenerateArgs, cwd = process.cwd(), recorded?: (path: string) => string): GenerateOptions {
  const step = args.step === undefined ? DEFAULTS.step : integerOption(args.step, 'step', 1);
  if (args.step !== undefined && (args.prompts === undefined || !usesStep(args.prompts))) {
    throw usageError('E_BAD_OPTION', `--step ${shown(args.step)} has no range to step: --prompts ${args.prompts === undefined ? 'is not given' : `${JSON.stringify(args.prompts)} holds no A..B range`}`, 'give --prompts a range, e.g. --prompts 128..8192 --step 64, or write the step into the range: 128..8192:64');
  }
  const path = (value: string, option: string) => {
    if (value.trim() === '') throw usageError('E_BAD_OPTION', `--${option} is empty`, `give --${option} a path`);
    return resolve(cwd, value);
  };
  if (args.maxExtrapolationAction !== undefined && args.maxExtrapolation === undefined) {
    throw usageError('E_BAD_OPTION', `--max-extrapolation-action ${shown(args.maxExtrapolationAction)} has no factor to act on: --max-extrapolation is not given`, 'give --max-extrapolation F too, e.g. --max-extrapolation 4 --max-extrapolation-action skip');
  }
  const methodEntries = args.method ?? [DEFAULTS.method];
  const maxExtrapolation = args.maxExtrapolation === undefined ? null : { factor: factorOption(args.maxExtrapolation, 'max-extrapolation'), action: choiceOption(args.maxExtrapolationAction ?? DEFAULTS.maxExtrapolationAction, 'max-extrapolation-action', ['error', 'skip'] as const) };
  const run = runOptions({
    grid: {
      prompts: args.prompts === undefined ? null : parseSizeList(args.prompts, 'prompts', step),
      batches: args.batches === undefined ? null : parseSizeList(args.batches, 'batches'),
      tokens: args.tokens === undefined ? null : parseSizeList(args.tokens, 'tokens'),
    },
    onInvalid: choiceOption(args.onInvalid ?? DEFAULTS.onInvalid, 'on-invalid', ['error', 'skip'] as const),
    strict: flag(args.strict, 'strict', false),
    maxRows: args.maxRows === undefined ? DEFAULTS.maxRows : integerOption(args.maxRows, 'max-rows', 1, MAX_ROWS),
    concurrency: args.concurrency === undefined ? defaultConcurrency() : integerOption(args.concurrency, 'concurrency', 1, MAX_CONCURRENCY),
    workerMinRows: args.workerMinRows === undefined ? DEFAULTS.workerMinRows : integerOption(args.workerMinRows, 'worker-min-rows', 0),
    methods: parseMethods(methodEntries),
    tokenKey: choiceOption(args.tokenKey ?? DEFAULTS.tokenKey, 'token-key', ['batch_tokens', 'batch_size'] as const),
    extrapolate: parseExtrapolate(args.extrapolate ?? [DEFAULTS.extrapolate]),
    coverage: args.coverage === undefined ? DEFAULTS.coverage : coverageOption(args.coverage),
    maxExtrapolation,
    excludeAnomalies: flag(args.excludeAnomalies, 'exclude-anomalies', false),
    uncertainty: flag(args.uncertainty, 'uncertainty', false),
    keepDuplicates: flag(args.keepDuplicates, 'keep-duplicates', false),
  });
  const inputs = args.input === undefined ? 'default' : inputPaths(args.input, path);
  return deepFreeze({
    ...run,
    inputs,
    out: path(args.out ?? DEFAULTS.out, 'out'),
    plots: flag(args.plots, 'plots', true),
    timings: flag(args.timings, 'timings', false),
    check: flag(args.check, 'check', false),
    failOnStatus: failOnStatus(args),
    command: canonicalCommand(recorded === undefined || inputs === 'default' ? args : { ...args, input: inputs.map((v) => (v === '-' ? v : recorded(v))) }, step),
    gridText: gridText(args, step),
  });
}

/** --input paths, absolute; `-` (standard input) stays itself and may be given once. */
function inputPaths(values: readonly string[], path: (value: string, option: string) => string): string[] {
  if (values.filter((v) => v === '-').length > 1) throw usageError('E_BAD_OPTION', '--input - (standard input) is given twice', 'standard input can be read once; save it to a file to read it twice');
  return values.map((v) => (v === '-' ? v : path(v, 'input')));
}

/** --fail-on-status: a level of the report's status; with --check, which writes no report, a usage error. */
function failOnStatus(args: GenerateArgs): GenerateOptions['failOnStatus'] {
  if (args.failOnStatus === undefined) return null;
  const level = choiceOption(args.failOnStatus, 'fail-on-status', FAIL_ON_STATUS);
  if (args.check !== undefined && flagOption(args.check, 'check')) throw usageError('E_BAD_OPTION', `--fail-on-status ${level} cannot be combined with --check: --check compares files and writes no report`, 'run --check and --fail-on-status as two commands');
  return level;
}

function flag(value: unknown, option: string, fallback: boolean): boolean {
  return value === undefined ? fallback : flagOption(value, option);
}

function gridText(args: GenerateArgs, step: number): GridText {
  return {
    prompts: args.prompts === undefined ? 'measured' : `${args.prompts}${step === 1 ? '' : ` step ${step}`}`,
    batches: args.batches ?? 'measured',
    tokens: args.tokens ?? 'measured',
  };
}

/** The command that reproduces the outputs: only the options that change them, in a fixed order. */
function canonicalCommand(args: GenerateArgs, step: number): string {
  const parts = ['npm run generate --'];
  if (args.prompts !== undefined) parts.push(`--prompts ${args.prompts}`, ...(step === 1 ? [] : [`--step ${step}`]));
  if (args.batches !== undefined) parts.push(`--batches ${args.batches}`);
  if (args.tokens !== undefined) parts.push(`--tokens ${args.tokens}`);
  // A path may hold spaces, quotes or a dollar: quoted, the command pastes into a shell as it reads.
  for (const input of args.input ?? []) parts.push(`--input ${shellQuote(input)}`);
  if ((args.onInvalid ?? DEFAULTS.onInvalid) !== DEFAULTS.onInvalid) parts.push(`--on-invalid ${String(args.onInvalid)}`);
  const methods = args.method ?? [DEFAULTS.method];
  if (methods.join(' ') !== DEFAULTS.method) for (const m of methods) parts.push(`--method ${m}`);
  if ((args.tokenKey ?? DEFAULTS.tokenKey) !== DEFAULTS.tokenKey) parts.push(`--token-key ${String(args.tokenKey)}`);
  const policies = args.extrapolate ?? [DEFAULTS.extrapolate];
  if (policies.join(' ') !== DEFAULTS.extrapolate) for (const e of policies) parts.push(`--extrapolate ${e}`);
  if (args.coverage !== undefined && Number(args.coverage) !== DEFAULTS.coverage) parts.push(`--coverage ${args.coverage}`);
  if (args.maxExtrapolation !== undefined) {
    parts.push(`--max-extrapolation ${args.maxExtrapolation}`, ...(args.maxExtrapolationAction === 'skip' ? ['--max-extrapolation-action skip'] : []));
  }
  if (args.excludeAnomalies === true) parts.push('--exclude-anomalies');
  if (args.uncertainty === true) parts.push('--uncertainty');
  if (args.keepDuplicates === true) parts.push('--keep-duplicates');
  if (args.plots === false) parts.push('--no-plots');
  return parts.join(' ');
}
