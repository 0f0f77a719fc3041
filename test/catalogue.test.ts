/**
 * The README's troubleshooting table is real: every row is run here, and its
 * outcome (accepted, or the error code) must be what the table says.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PerfDbError } from '../pipeline/core/errors.js';
import { runOptions } from '../pipeline/options/defaults.js';
import type { QualityReport } from '../pipeline/report/types.js';
import { buildReport } from '../pipeline/stages/report.js';
import { manyGroups } from '../scripts/workloads.js';
import { generate, LAUNCH, NO_PLOTS, pipelineRun, realDataPath, ROOT, runCommand, runScript, source } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time';
const ROWS = ['m,h,2,128,1,128,10,5', 'm,h,2,256,1,128,12,5.5', 'm,h,2,512,2,128,30,6'];
const valid = (rows = ROWS, header = HEADER) => `${[header, ...rows].join('\n')}\n`;
/** Row 2 with field `i` (0-based) replaced. */
const withField = (i: number, value: string) => valid([ROWS[0] as string, (ROWS[1] as string).split(',').map((v, j) => (j === i ? value : v)).join(','), ROWS[2] as string]);

type Outcome = string; // 'accepted' or an error code

/** Runs the whole pipeline in-process on CSV texts; returns the output text or the error code. */
async function pipeline(texts: string[], onInvalid: 'error' | 'skip' = 'error'): Promise<{ outcome: Outcome; output: string; error?: PerfDbError; report?: QualityReport }> {
  const decoder = new TextDecoder();
  let output = '';
  try {
    const result = await pipelineRun(
      texts.map((t, i) => source(t, `in${i}.csv`)),
      { grid: { prompts: [128, 200, 512], batches: [1, 2], tokens: null }, onInvalid, strict: false, maxRows: 1e6, concurrency: 1 },
      (chunk) => {
        output += typeof chunk === 'string' ? chunk : decoder.decode(chunk);
      },
    );
    const report = buildReport(result, { ...runOptions(), command: 'npm run generate --', gridText: { prompts: 'measured', batches: 'measured', tokens: 'measured' } });
    return { outcome: 'accepted', output, report };
  } catch (error) {
    if (error instanceof PerfDbError) return { outcome: error.code, output, error };
    throw error;
  }
}

const outcome = async (texts: string[], onInvalid: 'error' | 'skip' = 'error') => (await pipeline(texts, onInvalid)).outcome;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ outcome: Outcome; status: number | null; stderr: string }> {
  const run = await generate([NO_PLOTS, ...args], env);
  const code = /\b(E_[A-Z0-9_]+)\b/.exec(run.stderr)?.[1];
  expect(run.stderr).not.toContain('internal error');
  if (run.status !== 0) expect(run.stderr.trim().split('\n')).toHaveLength(1);
  return { outcome: run.status === 0 ? 'accepted' : (code ?? `exit ${run.status}`), status: run.status, stderr: run.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const same = async (texts: string[]) => ((await pipeline(texts)).output === (await pipeline([valid()])).output ? 'accepted' : 'different output');

const CASES: Record<string, () => Promise<Outcome> | Outcome> = {
  'empty file': () => outcome(['']),
  'header only': () => outcome([`${HEADER}\n`]),
  'file of blank lines (empty, or spaces and tabs only)': async () => {
    const result = await pipeline([' \n\t\r\n\n  ']);
    expect(result.error?.message).toContain('only blank lines');
    return result.outcome;
  },
  "lines of spaces, tabs or only commas (a spreadsheet's empty rows) before the header or among the rows": () => same([`  \n,,,\n${HEADER}\n${ROWS[0]}\n \t\n${ROWS[1]}\r\n , ,,,,,,\r\n${ROWS[2]}\n\t\n`]),
  'UTF-8 byte-order mark': () => same([`\uFEFF${valid()}`]),
  'CRLF line ends': () => same([valid().replace(/\n/g, '\r\n')]),
  'columns in another order': () => {
    const order = [7, 6, 5, 4, 3, 2, 1, 0];
    const reorder = (line: string) => order.map((i) => line.split(',')[i]).join(',');
    return same([valid(ROWS.map(reorder), reorder(HEADER))]);
  },
  'missing required column': () => outcome([valid(ROWS.map((r) => r.split(',').slice(0, 7).join(',')), HEADER.split(',').slice(0, 7).join(','))]),
  'misspelt column': async () => {
    const result = await pipeline([valid(ROWS, HEADER.replace('prompt_time', 'prompt_tme'))]);
    expect(result.error?.hint).toContain('"prompt_time" instead of "prompt_tme"');
    return result.outcome;
  },
  'duplicated column name': () => outcome([valid(ROWS.map((r) => `${r},x`), `${HEADER},model`)]),
  'unknown extra column': () => same([valid(ROWS.map((r) => `${r},42`), `${HEADER},gpu_temperature`)]),
  'wrong field count': () => outcome([valid([ROWS[0] as string, `${ROWS[1]},9`, ROWS[2] as string])]),
  'unbalanced quote': () => outcome([valid([ROWS[0] as string, 'm,h,2,256,1,128,"12,5.5', ROWS[2] as string])]),
  'quote inside an unquoted field': () => outcome([withField(0, 'm"x')]),
  'non-numeric value': () => outcome([withField(6, 'abc')]),
  'empty value': () => outcome([withField(6, '')]),
  '`NaN`, `Infinity`': async () => {
    const [a, b] = [await outcome([withField(6, 'NaN')]), await outcome([withField(7, 'Infinity')])];
    expect(a).toBe(b);
    return a;
  },
  'value that overflows to infinity (`1e400`)': () => outcome([withField(6, '1e400')]),
  'negative or zero time, zero size': async () => {
    const all = [await outcome([withField(6, '-1')]), await outcome([withField(7, '0')]), await outcome([withField(3, '0')])];
    expect(new Set(all).size).toBe(1);
    return all[0] as string;
  },
  'negative power': () => outcome([valid(ROWS.map((r, i) => `${r},${i === 1 ? -0.5 : 0.5}`), `${HEADER},peak_power`)]),
  'fractional size': () => outcome([withField(4, '1.5')]),
  'size above 2^26': () => outcome([withField(3, String(2 ** 26 + 1))]),
  'spaces around a number': () => same([withField(6, ' 12 ')]),
  'space inside a number (`1 2`)': () => outcome([withField(6, '1 2')]),
  'scientific notation (`5.12e2`)': () => same([valid([ROWS[0] as string, ROWS[1] as string, 'm,h,2,5.12e2,2,1.28e2,3e1,6'])]),
  'every row rejected under `--on-invalid skip`': () => outcome([valid(ROWS.map((r) => r.replace(',5', ',x')))], 'skip'),
  'every row of one group rejected under `--on-invalid skip`': async () => {
    const { outcome: result, output, report } = await pipeline([valid([...ROWS, 'gone,h,2,128,1,128,x,5', 'gone,h,2,256,1,128,,5'])], 'skip');
    expect(output).not.toContain('gone');
    // The run goes on, and its report fails on a finding that names the group.
    const found = report?.summary.topFindings.find((f) => f.group === 'gone/h/tp=2');
    expect(report?.summary.status).toBe('fail');
    return result === 'accepted' && found !== undefined ? `${found.code} (report finding)` : result;
  },
  'a group measured at a single `batch_tokens`': async () => {
    const result = await pipeline([valid(['m,h,2,128,1,128,10,5', 'm,h,2,128,1,256,10,5'])]);
    expect(result.error?.place.group).toBe('m/h/tp=2');
    return result.outcome;
  },
  'two input files with different column orders': () => {
    const order = [3, 4, 5, 6, 7, 0, 1, 2];
    const reorder = (line: string) => order.map((i) => line.split(',')[i]).join(',');
    return same([valid(ROWS.slice(0, 2)), valid(ROWS.slice(2).map(reorder), reorder(HEADER))]);
  },
  'overlapping input files': () => same([valid(ROWS.slice(0, 2)), valid(ROWS.slice(1))]),
  'names with commas, quotes or newlines': async () => {
    const name = '"llama, ""70b""\nchat"';
    const { outcome: result, output } = await pipeline([valid(ROWS.map((r) => r.replace(/^m,/, `${name},`)))]);
    expect(output).toContain('\n"llama, ""70b""\nchat",h,128,1,128,');
    return result;
  },
  'input path that does not exist': async () => (await cli(['--input', join(dir, 'nope.csv'), '--out', join(dir, 'o1')])).outcome,
  'input path that is a folder': async () => (await cli(['--input', dir, '--out', join(dir, 'o2')])).outcome,
  'input file that cannot be read': () => {
    // Root reads every file, so as root the run drops to the unprivileged user "nobody" (setpriv, util-linux).
    const path = file('secret.csv', valid());
    spawnSync('chmod', ['000', path]);
    const out = join(dir, 'o3');
    mkdirSync(out, { recursive: true });
    spawnSync('chmod', ['777', dir, out]);
    const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const [command, ...args] = [...asNobody, process.execPath, LAUNCH, 'generate', '--no-plots', '--input', path, '--out', out];
    const run = spawnSync(command as string, args, { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    return /\b(E_[A-Z0-9_]+)\b/.exec(run.stderr)?.[1] ?? `exit ${run.status}`;
  },
  'output folder that cannot be written': async () => (await cli(['--input', file('ok.csv', valid()), '--out', join(file('plain-file', 'x'), 'sub')])).outcome,
  'binary file (NUL bytes)': () => outcome([`${HEADER}\n\u0000\u0001\u0002garbage`]),
  'invalid UTF-8 bytes anywhere in the file': async () => {
    const text = Buffer.from(valid());
    const at = text.indexOf('m,h,2,512');
    const bad = Buffer.concat([text.subarray(0, at + 1), Buffer.from([0xc3, 0x28]), text.subarray(at + 1)]);
    const run = await cli(['--input', file('latin.csv', bad), '--out', join(dir, 'o-utf8')]);
    expect(run.stderr).toMatch(/latin\.csv:4:1: E_INVALID_UTF8/);
    return run.outcome;
  },
  'a NUL byte after the first 4 KiB': async () => {
    const many = Array.from({ length: 200 }, (_, i) => ROWS[i % 3] as string);
    const text = valid([...many, 'm\u0000x,h,2,128,1,128,10,5']);
    expect(text.indexOf('\u0000')).toBeGreaterThan(4096);
    const run = await cli(['--input', file('nul-late.csv', text), '--out', join(dir, 'o-nul')]);
    expect(run.stderr).toMatch(/nul-late\.csv:202:1: E_NOT_TEXT/);
    return run.outcome;
  },
  'UTF-16 file (with or without a byte-order mark)': async () => {
    const runs = [await cli(['--input', file('u16bom.csv', Buffer.from(`\uFEFF${valid()}`, 'utf16le')), '--out', join(dir, 'o-u16')]), await cli(['--input', file('u16.csv', Buffer.from(valid(), 'utf16le')), '--out', join(dir, 'o-u16')])];
    expect(runs[0]?.outcome).toBe(runs[1]?.outcome);
    expect(runs[0]?.stderr).toContain('iconv -f UTF-16 -t UTF-8');
    return runs[0]?.outcome as string;
  },
  'UTF-32 file with a byte-order mark': async () => {
    const le = Buffer.from(`\uFEFF${valid()}`, 'utf16le');
    // UTF-32LE: each UTF-16 unit (all below U+D800 here) widened to four bytes.
    const wide = Buffer.alloc(le.length * 2);
    for (let i = 0; i < le.length; i += 2) le.copy(wide, i * 2, i, i + 2);
    const runs = [await cli(['--input', file('u32le.csv', wide), '--out', join(dir, 'o-u32')]), await cli(['--input', file('u32be.csv', Buffer.from(wide).swap32()), '--out', join(dir, 'o-u32')])];
    for (const run of runs) expect(run.stderr).toContain('UTF-32 encoded');
    expect(runs[0]?.stderr).toContain('iconv -f UTF-32 -t UTF-8');
    return runs[0]?.outcome as string;
  },
  'compressed file (gzip, zip, zstd, xz)': async () => {
    const run = await cli(['--input', file('packed.csv.gz', gzipSync(valid())), '--out', join(dir, 'o-gz')]);
    expect(run.stderr).toContain('gzip archive');
    return run.outcome;
  },
  'LF, CRLF and CR line ends mixed in one file': () => same([`${HEADER}\n${ROWS[0]}\r\n${ROWS[1]}\r${ROWS[2]}\n`]),
  'a name holding a control character (an escape sequence, a tab) or a text-direction override': async () => {
    const all = [await outcome([withField(0, 'm\u001b[2J')]), await outcome([withField(0, 'm\tx')]), await outcome([withField(1, 'h\u202e')])];
    expect(new Set(all).size).toBe(1);
    return all[0] as string;
  },
  'names that differ only by surrounding spaces, invisible characters (a zero-width space) or Unicode normalisation': async () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    const rows = [...ROWS, ...ROWS.map((r) => r.replace(/^m,/, 'm ,')), ...ROWS.map((r) => r.replace(/^m,h,/, `m,${composed},`)), ...ROWS.map((r) => r.replace(/^m,h,/, `m,${decomposed},`)), ...ROWS.map((r) => r.replace(/^m,h,/, 'm\u200b,h,'))];
    const { outcome: result, report } = await pipeline([valid(rows)]);
    const found = report?.groups.flatMap((g) => g.findings).filter((f) => f.code === 'NAME_LOOKALIKE') ?? [];
    expect(report?.groups).toHaveLength(5); // kept apart: merging names is the user's call
    // Every group with a model or hardware that has another spelling: all five for the model (m, "m " and m with a zero-width space), both cafés for the hardware.
    expect(found.map((f) => /surrounding spaces|Unicode normalisation|invisible characters/.test(f.message))).toEqual([true, true, true, true, true, true, true]);
    return result === 'accepted' && found.length === 7 ? 'NAME_LOOKALIKE (report finding)' : result;
  },
  'time below 1e-9 ms or above 1e12 ms, or one that underflows (`1e-400`)': async () => {
    const results = await Promise.all([withField(6, '1e13'), withField(7, '1e-10'), withField(6, '1e-400')].map((t) => pipeline([t])));
    expect(results[2]?.error?.message).toContain('underflows');
    expect(new Set(results.map((r) => r.outcome)).size).toBe(1);
    return results[0]?.outcome as string;
  },
  'FIFO, device or socket as `--input`': async () => {
    const fifo = join(dir, 'pipe.csv');
    spawnSync('mkfifo', [fifo]);
    // Nobody writes to the FIFO: opening it for reading would block for ever.
    const runs = [await cli(['--input', fifo, '--out', join(dir, 'o-fifo')]), await cli(['--input', '/dev/zero', '--out', join(dir, 'o-fifo')])];
    expect(runs[1]?.outcome).toBe(runs[0]?.outcome);
    expect(runs[0]?.stderr).toContain('--input -');
    return runs[0]?.outcome as string;
  },
  'CSV on standard input (`--input -`)': () => {
    const piped = spawnSync(process.execPath, [LAUNCH, 'generate', NO_PLOTS, '--input', '-', '--out', join(dir, 'o-stdin')], { cwd: ROOT, input: valid(), encoding: 'utf8' });
    const named = spawnSync(process.execPath, [LAUNCH, 'generate', NO_PLOTS, '--input', file('stdin-copy.csv', valid()), '--out', join(dir, 'o-named')], { cwd: ROOT, encoding: 'utf8' });
    expect([piped.status, named.status]).toEqual([0, 0]);
    const db = (o: string) => readFileSync(join(dir, o, 'perf_db.csv'));
    return db('o-stdin').equals(db('o-named')) ? 'accepted' : 'different output';
  },
  'a generated perf_db.csv as `--input`': async () => (await cli(['--input', join(ROOT, 'data', 'generated', 'perf_db.csv'), '--out', join(dir, 'o-gen')])).outcome,
  '`--out` the raw data folder, or an input that `--out` would overwrite or remove (one in an earlier run\'s temporary folder)': async () => {
    const rawBefore = readdirSync(join(ROOT, 'data', 'raw')).sort();
    const out = join(dir, 'o-clobber');
    mkdirSync(out, { recursive: true });
    const input = file('o-clobber/perf_db.csv', valid());
    // Inside the temporary folder a run killed outright left (its PID above any pid_max): the next run removes that folder.
    const inTemp = file('o-clobber/.perfdb-tmp-4194305-1-k1/in.csv', valid());
    const runs = [await cli(['--out', join(ROOT, 'data', 'raw')]), await cli(['--input', input, '--out', out]), await cli(['--input', inTemp, '--out', out])];
    expect(readdirSync(join(ROOT, 'data', 'raw')).sort()).toEqual(rawBefore);
    expect(readFileSync(input, 'utf8')).toBe(valid());
    expect(readFileSync(inTemp, 'utf8')).toBe(valid());
    expect(runs[2]?.stderr).toContain('the temporary folder of an earlier run');
    expect(runs.map((r) => r?.outcome)).toEqual(runs.map(() => runs[0]?.outcome));
    // A folder of the user's that only starts like one is no run's: kept, and its input read.
    const own = file('o-clobber/.perfdb-tmp-mydata/in.csv', valid());
    expect((await cli(['--input', own, '--out', out])).outcome).toBe('accepted');
    expect(readFileSync(own, 'utf8')).toBe(valid());
    return runs[0]?.outcome as string;
  },
  '`--out` a dangling symbolic link, or a `plots` file where the folder goes': async () => {
    const dangling = join(dir, 'o-dangling');
    symlinkSync(join(dir, 'nowhere', 'at-all'), dangling);
    const linked = await cli(['--input', file('ok5.csv', valid()), '--out', dangling]);
    const out = join(dir, 'o-plots-file');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'plots'), 'not a folder');
    const run = await generate(['--input', file('ok6.csv', valid()), '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('plots');
    // Nothing of the failed run is left: no temporary folder, no lock, the plots file as it was.
    expect(readdirSync(out)).toEqual(['plots']);
    expect(readFileSync(join(out, 'plots'), 'utf8')).toBe('not a folder');
    expect(/\b(E_[A-Z0-9_]+)\b/.exec(run.stderr)?.[1]).toBe(linked.outcome);
    return linked.outcome;
  },
  '`--check` with `TMPDIR` missing or read-only': async () => {
    const readOnly = join(dir, 'tmp-ro');
    mkdirSync(readOnly, { recursive: true });
    chmodSync(readOnly, 0o555);
    const check = (tmp: string) => cli(['--input', file('ok7.csv', valid()), '--out', join(dir, 'o-check'), '--check'], { TMPDIR: tmp });
    const runs = [await check(join(dir, 'no-such-tmp')), ...(process.getuid?.() === 0 ? [] : [await check(readOnly)])];
    for (const run of runs) expect(run.stderr).toMatch(/--check cannot make its scratch folder in the temporary folder: .*; hint: set TMPDIR/);
    expect(new Set(runs.map((r) => r.outcome)).size).toBe(1);
    return runs[0]?.outcome as string;
  },
  'a commit journal (`.perfdb-journal`) damaged or edited by hand': async () => {
    const out = join(dir, 'o-journal');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, '.perfdb-journal'), '{"state":"committed","temp":"","aside":"","written":[],"removed":[],"existing":[]}');
    const run = await cli(['--input', file('ok8.csv', valid()), '--out', out]);
    // Nothing followed from it: the folder and the file beside the journal are still there.
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(run.stderr).toContain('.perfdb-journal');
    return run.outcome;
  },
  'a file of your own in `--out`\'s `plots/`, or a `rejected.csv` another tool wrote': async () => {
    const out = join(dir, 'o-foreign');
    mkdirSync(join(out, 'plots'), { recursive: true });
    writeFileSync(join(out, 'plots', 'my-figure.svg'), '<svg>mine</svg>');
    const run = await cli(['--input', file('ok9.csv', valid()), '--out', out]);
    expect(readFileSync(join(out, 'plots', 'my-figure.svg'), 'utf8')).toBe('<svg>mine</svg>');
    expect(run.stderr).toContain('my-figure.svg');
    return run.outcome;
  },
  'more than 20,000 groups in one input': async () => {
    const result = await pipeline([manyGroups(20_001)]);
    expect(result.error?.hint).toContain('split the input');
    return result.outcome;
  },
  'a flag given a value (`--strict=maybe`), an option without its value': async () => {
    const runs = [await cli(['--strict=maybe']), await cli(['--input']), await cli(['--out', join(dir, 'o-x'), '--prompts'])];
    for (const run of runs) expect(run.status).toBe(2);
    expect(new Set(runs.map((r) => r.outcome)).size).toBe(1);
    return runs[0]?.outcome as string;
  },
  'unknown option (`--concurency`)': async () => {
    const run = await cli(['--concurency', '2']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('did you mean --concurrency?');
    return run.outcome;
  },
  '`npm run query` on a damaged fits.json or perf_db.csv': async () => {
    const db = join(dir, 'db-damaged');
    mkdirSync(db, { recursive: true });
    const fits = JSON.parse(readFileSync(join(ROOT, 'data', 'generated', 'fits.json'), 'utf8')) as { groups: { fits: { prompt_time: { knots: { x: number[] } } } }[] };
    const knots = fits.groups[0]?.fits.prompt_time.knots as { x: number[] };
    knots.x = knots.x.map((x) => -x);
    writeFileSync(join(db, 'fits.json'), JSON.stringify(fits));
    copyFileSync(join(ROOT, 'data', 'generated', 'perf_db.csv'), join(db, 'perf_db.csv'));
    const ask = ['--model', 'llama2-70b', '--hardware', 'a100-80gb', '--tp', '2', '--prompt', '512', '--batch', '1', '--tokens', '128', '--db', db];
    const negated = await runCommand('query', ask);
    copyFileSync(join(ROOT, 'data', 'generated', 'fits.json'), join(db, 'fits.json'));
    writeFileSync(join(db, 'perf_db.csv'), readFileSync(join(ROOT, 'data', 'generated', 'perf_db.csv'), 'utf8').split('\n')[0] + '\n');
    const emptied = await runCommand('query', ask);
    for (const run of [negated, emptied]) {
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(negated.stderr).toContain('fits.json');
    expect(emptied.stderr).toContain('perf_db.csv');
    const codes = [negated, emptied].map((r) => /\b(E_[A-Z0-9_]+)\b/.exec(r.stderr)?.[1]);
    return codes[0] === codes[1] ? (codes[0] as string) : codes.join(', ');
  },
  '`npm run report:diff` on an empty report file': async () => {
    const run = await runCommand('report-diff', [file('empty-report.json', ''), join(ROOT, 'data', 'generated', 'quality-report.json')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/empty-report\.json: E_BAD_JSON the report file is empty/);
    return /\b(E_[A-Z0-9_]+)\b/.exec(run.stderr)?.[1] as string;
  },
  '`npm run report:diff --out` a folder, a path under a file, or in a folder that does not exist': async () => {
    const report = join(ROOT, 'data', 'generated', 'quality-report.json');
    const outs = [dir, join(file('plain-md', 'x'), 'd.md'), join(dir, 'no-such-folder', 'd.md')];
    const runs = await Promise.all(outs.map((out) => runCommand('report-diff', [report, report, '--out', out])));
    for (const run of runs) expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(runs.map((r) => /E_OUTPUT_NOT_WRITABLE (.*?);/.exec(r.stderr)?.[1])).toEqual(['--out is a folder', `${join(dir, 'plain-md')} is a file, not a folder`, `the folder ${join(dir, 'no-such-folder')} does not exist`]);
    return [...new Set(runs.map((r) => /\b(E_[A-Z0-9_]+)\b/.exec(r.stderr)?.[1]))].join(', ');
  },
  '`npm run report:diff --out` one of the two reports it compares': async () => {
    const head = file('head-report.json', readFileSync(join(ROOT, 'data', 'generated', 'quality-report.json')));
    const run = await runCommand('report-diff', [join(ROOT, 'data', 'generated', 'quality-report.json'), head, '--out', head]);
    expect(run.status).toBe(1);
    expect(readFileSync(head).equals(readFileSync(join(ROOT, 'data', 'generated', 'quality-report.json')))).toBe(true);
    return /\b(E_[A-Z0-9_]+)\b/.exec(run.stderr)?.[1] as string;
  },
  '`npm run query --db` a file, or a path under one': async () => {
    const ask = (db: string) => runCommand('query', ['--model', 'm', '--hardware', 'h', '--tp', '1', '--prompt', '1', '--batch', '1', '--tokens', '1', '--db', db]);
    const runs = [await ask(join(ROOT, 'README.md')), await ask(join(ROOT, 'README.md', 'sub'))];
    expect(runs[0]?.stderr).toContain('--db is a file, not a folder');
    expect(runs[1]?.stderr).toContain('E_NO_DATABASE README.md is a file, not a folder');
    for (const run of runs) expect(run.status).toBe(1);
    return [...new Set(runs.map((r) => /\b(E_[A-Z0-9_]+)\b/.exec(r.stderr)?.[1]))].join(', ');
  },
  "an empty path (`--out ''`, `--db ''`)": async () => {
    const report = join(ROOT, 'data', 'generated', 'quality-report.json');
    const runs = [await cli(['--out', '']), await runCommand('report-diff', [report, report, '--out', '']), await runCommand('query', ['--model', 'm', '--hardware', 'h', '--tp', '1', '--prompt', '1', '--batch', '1', '--tokens', '1', '--db', ''])];
    for (const run of runs) expect(run.status).toBe(2);
    return [...new Set(runs.map((r) => /\b(E_[A-Z0-9_]+)\b/.exec(r.stderr)?.[1]))].join(', ');
  },
  'a line over 1 MiB (e.g. 100 MB)': () => outcome([valid([ROWS[0] as string, `m,h,2,256,1,128,${'1'.repeat(100 * 2 ** 20)},5`])]),
  '`npm run query` or `--check` on a folder whose commit a kill interrupted (a `.perfdb-journal`, its run gone)': async () => {
    const out = join(dir, 'interrupted');
    const input = file('ok-interrupted.csv', valid());
    expect((await cli(['--input', input, '--out', out])).outcome).toBe('accepted');
    // A kill after the journal and before anything moved: the journal names a run that is gone.
    const temp = '.perfdb-tmp-4000000-1-abc';
    mkdirSync(join(out, temp));
    writeFileSync(join(out, '.perfdb-journal'), `${JSON.stringify({ state: 'moving', temp, aside: `${temp}.previous`, written: ['perf_db.csv'], removed: [], existing: ['perf_db.csv'] })}\n`);
    const checked = await cli(['--input', input, '--out', out, '--check']);
    const queried = await runCommand('query', ['--model', 'm', '--hardware', 'h', '--tp', '2', '--prompt', '128', '--batch', '1', '--tokens', '128', '--db', out]);
    expect(queried.stderr).toContain('E_INTERRUPTED_COMMIT');
    expect(existsSync(join(out, '.perfdb-journal'))).toBe(true);
    return checked.outcome;
  },
  'another run writing the same `--out`': async () => {
    const out = join(dir, 'locked');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, '.perfdb.lock'), `${process.pid}\n`);
    return (await cli(['--input', file('ok2.csv', valid()), '--out', out])).outcome;
  },
  'a grid larger than `--max-rows`': async () => (await cli(['--input', file('ok3.csv', valid()), '--out', join(dir, 'o4'), '--prompts', '1..1000', '--max-rows', '100'])).outcome,
  'bad range (`8192..128`, `--step 0`, `1.5`, empty)': async () => {
    const runs = [await cli(['--prompts', '8192..128']), await cli(['--prompts', '1.5']), await cli(['--prompts', '']), await cli(['--prompts', '1..10', '--step', '0'])];
    for (const run of runs) expect(run.status).toBe(2);
    expect(runs.slice(0, 3).map((r) => r.outcome)).toEqual(['E_BAD_RANGE', 'E_BAD_RANGE', 'E_BAD_RANGE']);
    expect(runs[3]?.outcome).toBe('E_BAD_OPTION');
    return 'E_BAD_RANGE, E_BAD_OPTION';
  },
  'raw file whose sha256 differs from the manifest': () => fetchInto('mirror-bad', 'not the pinned file\n'),
  'raw file missing, offline, no mirror': async () => {
    const { outcome, stderr } = await fetchRun('mirror-empty', null);
    expect(stderr).toContain('hint: download https://raw.githubusercontent.com/');
    expect(stderr).toContain(`save it as ${join(dir, 'project-mirror-empty', 'data', 'raw', 'perf_model.csv')}`);
    return outcome;
  },
  '`PERFDB_MIRROR` set to a folder that does not exist, raw file missing, offline': async () => {
    const { outcome, stderr } = await fetchRun('mirror-gone', null, null, false);
    expect(stderr).toContain(`cannot be had offline: PERFDB_MIRROR=${join(dir, 'mirror-gone')}: the folder does not exist; hint: download https://`);
    return outcome;
  },
  '`--out` an existing file (`--out README.md`), or a path under one': async () => {
    const mine = file('mine.md', 'mine\n');
    const runs = [await cli(['--input', file('ok7.csv', valid()), '--out', mine]), await cli(['--input', file('ok8.csv', valid()), '--out', join(mine, 'sub'), '--check'])];
    expect(runs[0]?.stderr).toContain('the output folder is a file, not a folder');
    expect(runs[1]?.stderr).toContain(`${mine} is a file, not a folder`);
    expect(readFileSync(mine, 'utf8')).toBe('mine\n');
    return [...new Set(runs.map((r) => r.outcome))].join(', ');
  },
  'pinned raw file in data/raw edited by hand': async () => {
    const pinned = readFileSync(realDataPath(), 'utf8');
    return fetchInto('edited', null, pinned.replace('llama2-70b', 'llama2-7Ob'));
  },
  'an option given twice (other than `--input`, `--method`)': async () => {
    const run = await cli(['--prompts', '128', '--prompts', '256']);
    expect(run.status).toBe(2);
    return run.outcome;
  },
};

/** data:fetch in a copy of the project's manifest with a mirror holding `content` (or nothing), offline. */
async function fetchInto(name: string, content: string | null, present: string | null = null): Promise<Outcome> {
  return (await fetchRun(name, content, present)).outcome;
}

/** As fetchInto, with its stderr; `mirrorExists` false points PERFDB_MIRROR at a folder that is not there. */
async function fetchRun(name: string, content: string | null, present: string | null = null, mirrorExists = true): Promise<{ outcome: Outcome; stderr: string }> {
  const project = join(dir, `project-${name}`);
  mkdirSync(join(project, 'data', 'raw'), { recursive: true });
  if (present !== null) writeFileSync(join(project, 'data', 'raw', 'perf_model.csv'), present);
  mkdirSync(join(project, 'scripts'), { recursive: true });
  writeFileSync(join(project, 'data', 'raw', 'manifest.json'), readFileSync(join(ROOT, 'data', 'raw', 'manifest.json')));
  const mirror = join(dir, name);
  if (mirrorExists) mkdirSync(mirror, { recursive: true });
  if (content !== null) writeFileSync(join(mirror, 'perf_model.csv'), content);
  // Run the real script against the copied manifest: a wrapper that points data/raw at the copy.
  const script = join(dir, `fetch-${name}.mts`);
  writeFileSync(script, `
    import { defaultMirrors, fetchPinned, readManifest } from ${JSON.stringify(join(ROOT, 'pipeline', 'io', 'raw-source.ts'))};
    import { runCli } from ${JSON.stringify(join(ROOT, 'scripts', 'cli.ts'))};
    await runCli(async () => {
      const raw = ${JSON.stringify(join(project, 'data', 'raw'))};
      await fetchPinned(await readManifest(raw + '/manifest.json'), raw, { mirrors: defaultMirrors(${JSON.stringify(project)}, { PERFDB_MIRROR: ${JSON.stringify(mirror)} }), download: false });
    });
  `);
  const run = await runScript(script, []);
  expect(run.stderr).not.toContain('internal error');
  // Whatever the outcome, the manifest is untouched, and a refused file is neither written nor changed.
  expect(readFileSync(join(project, 'data', 'raw', 'manifest.json')).equals(readFileSync(join(ROOT, 'data', 'raw', 'manifest.json')))).toBe(true);
  const csv = join(project, 'data', 'raw', 'perf_model.csv');
  const after = existsSync(csv) ? readFileSync(csv, 'utf8') : null;
  expect(after).toBe(run.status === 0 ? (present ?? content) : present);
  if (run.status !== 0) expect(run.stderr.trim().split('\n')).toHaveLength(1);
  return { outcome: run.status === 0 ? 'accepted' : (/\b(E_[A-Z0-9_]+)\b/.exec(run.stderr)?.[1] ?? `exit ${run.status}`), stderr: run.stderr };
}

/** The README's troubleshooting rows: [input, code or "accepted"]. */
function readmeRows(): [string, string][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Where the data comes from'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| input | outcome') && !line.startsWith('| ---'))
    .map((line) => {
      const cells = line.split(' | ').map((c) => c.replace(/^\| /, '').replace(/ \|$/, '').trim());
      const code = (cells[2] as string).replace(/`/g, '');
      return [cells[0] as string, code === '—' ? 'accepted' : code];
    });
}

describe('README troubleshooting table', () => {
  it('has a test case for every row, and a row for every test case', () => {
    expect(readmeRows().map(([input]) => input).sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(readmeRows())('%s -> %s', async (input, expected) => {
    const run = CASES[input];
    if (run === undefined) throw new Error(`no test case for README row ${input}`);
    expect(await run()).toBe(expected);
  });
});
