/**
 * Hostile files and a hostile machine, through the command line as users
 * run it: a fuzz of files built from the hostile-input classes, a full disk
 * (a small tmpfs, as root), signals while waiting for input, a reader that
 * closes the pipe, a pseudo file system as --out. Whatever happens: exit 0,
 * 1 or 2; a failure is one line naming the file, never a stack trace; the
 * previous outputs are byte-identical; nothing is left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { generate, LAUNCH, NO_PLOTS, ROOT, fingerprint } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'perfdb-hostile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time,e2e_time';
const ROWS = ['m,h,2,128,1,128,10,5,645', 'm,h,2,256,1,128,12,5.5,710.5', 'm,h,2,512,2,128,30,6,792', 'n,h,1,128,1,64,8,4,260', 'n,h,1,1024,1,64,40,4.5,323.5'];
const VALID = `${HEADER}\n${ROWS.join('\n')}\n`;
/** A small grid and no plots: runs of about half a second. */
const SMALL = [NO_PLOTS, '--prompts', '128..1024:128'];

/** What is left in an output folder besides the outputs: temporary folders, the lock, a journal. */
const leftovers = (out: string) => readdirSync(out).filter((n) => n.startsWith('.perfdb'));

function expectOneLineFailure(run: { status: number | null; stderr: string }, file?: string) {
  expect([1, 2]).toContain(run.status);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at |Error:/);
  if (file !== undefined) expect(lines[0]).toContain(file);
}

describe('a fuzz of hostile files', () => {
  const out = join(dir, 'fuzz-out');
  let before: Map<string, string>;
  beforeAll(async () => {
    const input = join(dir, 'valid.csv');
    writeFileSync(input, VALID);
    expect((await generate(['--input', input, '--out', out, ...SMALL])).status).toBe(0);
    before = fingerprint(out);
  });

  /** One hostile change to a valid file, from the classes of hostile input. */
  const damage = fc.oneof(
    fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0xff, 0xc3, 0x80, 0xed, 0xf4, 0x22, 0x0d, 0x2c) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('value' as const), row: fc.nat(ROWS.length - 1), field: fc.integer({ min: 2, max: 8 }), value: fc.constantFrom('1e-400', '1e400', '1e305', '-0', 'NaN', '0x10', '1e12', '1e-9', '', '"', '1,5', ' 7 ', '٣') }),
    fc.record({ kind: fc.constant('encoding' as const), as: fc.constantFrom('utf16le' as const, 'latin1' as const) }),
    fc.record({ kind: fc.constant('endings' as const), with: fc.constantFrom('\r\n', '\r') }),
    fc.record({ kind: fc.constant('header' as const), with: fc.constantFrom(`${HEADER},source`, `${HEADER},model`, HEADER.replace('prompt_time', 'prompt_tme'), '') }),
  );

  function build(changes: { kind: string; [k: string]: unknown }[]): Buffer {
    let bytes = Buffer.from(VALID.replace('m,h', 'mé,h'));
    for (const c of changes) {
      if (c.kind === 'byte') {
        const at = (c.at as number) % (bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([c.byte as number]), bytes.subarray(at)]);
      } else if (c.kind === 'cut') {
        bytes = bytes.subarray(0, (c.at as number) % (bytes.length + 1));
      } else if (c.kind === 'value') {
        const lines = bytes.toString('utf8').split('\n');
        const line = lines[(c.row as number) + 1];
        if (line !== undefined) {
          const fields = line.split(',');
          fields[c.field as number] = c.value as string;
          lines[(c.row as number) + 1] = fields.join(',');
        }
        bytes = Buffer.from(lines.join('\n'));
      } else if (c.kind === 'encoding') {
        bytes = Buffer.from(bytes.toString('utf8'), c.as as BufferEncoding);
      } else if (c.kind === 'endings') {
        bytes = Buffer.from(bytes.toString('utf8').replace(/\n/g, (_m, offset: number) => (offset % 2 === 0 ? (c.with as string) : '\n')));
      } else {
        const text = bytes.toString('utf8');
        bytes = Buffer.from(`${c.with as string}${text.slice(text.indexOf('\n'))}`);
      }
    }
    return bytes;
  }

  it('ends every run with exit 0, 1 or 2; a failure in one line naming the file, the previous outputs byte-identical', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (changes) => {
        const name = `hostile-${n++}.csv`;
        const input = join(dir, name);
        writeFileSync(input, build(changes as { kind: string }[]));
        const run = await generate(['--input', input, '--out', out, ...SMALL]);
        expect([0, 1, 2]).toContain(run.status);
        if (run.status === 0) {
          // A hostile file that is still valid CSV: its outputs never hold NaN or Infinity. Restore the previous ones.
          expect(readFileSync(join(out, 'perf_db.csv'), 'utf8')).not.toMatch(/NaN|Infinity/);
          expect((await generate(['--input', join(dir, 'valid.csv'), '--out', out, ...SMALL])).status).toBe(0);
        } else {
          expectOneLineFailure(run, name);
          expect(fingerprint(out)).toEqual(before);
        }
        expect(leftovers(out)).toEqual([]);
      }),
      { numRuns: 24, seed: 20261201 },
    );
  }, 300_000);
});

const root = process.getuid?.() === 0;
/** The uid and gid of nobody on Debian. */
const NOBODY = 65534;
const canMount = root && spawnSync('mount', ['--version']).status === 0;

describe.skipIf(!canMount)('a full disk (a 1 MiB tmpfs; needs root, skipped otherwise)', () => {
  const disk = join(dir, 'disk');
  beforeAll(() => {
    mkdirSync(disk, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs: ${mounted.stderr}`);
  });
  afterAll(() => {
    spawnSync('umount', [disk]);
  });

  it('fails a run that fills the disk in one line naming the cause, the previous outputs intact, nothing left behind', async () => {
    const input = join(dir, 'disk-valid.csv');
    writeFileSync(input, VALID);
    const out = join(disk, 'out');
    expect((await generate(['--input', input, '--out', out, ...SMALL])).status).toBe(0);
    const before = fingerprint(out);
    const used = () => Number(spawnSync('df', ['--output=used', '-B1', disk], { encoding: 'utf8' }).stdout.trim().split('\n')[1]);
    const usedBefore = used();
    // About 40,000 rows: some 3 MB, three times the disk.
    const run = await generate(['--input', input, '--out', out, NO_PLOTS, '--prompts', '1..20000', '--batches', '1,2']);
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/E_OUTPUT_NOT_WRITABLE .*no space left on the device \(ENOSPC\)/);
    expect(fingerprint(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
    // The disk is as free as before: the failed run's temporary files are gone.
    expect(used()).toBeLessThanOrEqual(usedBefore);
  });

  it('fails --check whose temporary folder is full, missing or read-only in one line naming it', async () => {
    const filler = join(disk, 'filler');
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=64'], { encoding: 'utf8' });
    const check = (tmp: string) => generate(['--prompts', '128..8192', '--step', '64', '--check', NO_PLOTS], { TMPDIR: tmp });
    const full = await check(disk);
    rmSync(filler, { force: true });
    const readOnly = join(dir, 'ro');
    mkdirSync(readOnly, { recursive: true });
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly]);
    const ro = await check(readOnly);
    spawnSync('umount', [readOnly]);
    const missing = await check(join(dir, 'no-such-tmp'));
    for (const [run, cause] of [
      [full, /no space left on the device \(ENOSPC\)/],
      [ro, /\(EROFS\)/],
      [missing, /\(ENOENT\)/],
    ] as const) {
      expectOneLineFailure(run);
      expect(run.stderr).toMatch(cause);
      expect(run.stderr).toMatch(/E_OUTPUT_NOT_WRITABLE --check cannot (make|write) its scratch folder/);
      expect(run.stderr).toContain('TMPDIR');
    }
  });
});

describe.skipIf(!root)('a folder made read-only mid-run (run as nobody, so that permissions hold; needs root, skipped otherwise)', () => {
  it('fails in one line at the commit, the previous outputs intact; the next run repairs what it left', async () => {
    // A folder of nobody's own: the suite's scratch folder is private to root.
    const home = mkdtempSync(join(tmpdir(), 'perfdb-ro-mid-'));
    chownSync(home, NOBODY, NOBODY);
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    const out = join(home, 'out');
    const asNobody = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [LAUNCH, 'generate', NO_PLOTS, '--out', out, ...args], { cwd: ROOT, uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    expect((await asNobody(['--prompts', '128..1024:128'])).status).toBe(0);
    const before = fingerprint(out);
    // About 400,000 rows: a second or two of work, during which the folder loses its write permission.
    const running = asNobody(['--prompts', '1..8192', '--batches', '1..4', '--tokens', '128']);
    while (!readdirSync(out).some((n) => n.startsWith('.perfdb-tmp-'))) await new Promise((r) => setTimeout(r, 20));
    chmodSync(out, 0o555);
    const run = await running;
    chmodSync(out, 0o755);
    expectOneLineFailure(run, out);
    expect(run.stderr).toMatch(/E_OUTPUT_NOT_WRITABLE cannot write the outputs: permission denied \(EACCES\)/);
    // The outputs as they were; beside them, what a read-only folder kept the run from removing.
    const outputs = (m: Map<string, string>) => new Map([...m].filter(([name]) => !name.startsWith('.perfdb')));
    expect(outputs(fingerprint(out))).toEqual(before);
    // What the failed run could not remove (its temporary folder, its lock), the next run clears.
    expect((await asNobody(['--prompts', '128..1024:128'])).status).toBe(0);
    expect(fingerprint(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
  }, 120_000);
});

describe('signals, pipes and pseudo file systems', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('ends promptly on %s while waiting for standard input, the previous outputs untouched', async (signal, code) => {
    const out = join(dir, `sig-${signal}`);
    const input = join(dir, 'sig.csv');
    writeFileSync(input, VALID);
    expect((await generate(['--input', input, '--out', out, NO_PLOTS])).status).toBe(0);
    const before = fingerprint(out);
    const child = spawn(process.execPath, [LAUNCH, 'generate', NO_PLOTS, '--input', '-', '--out', out], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.write(`${HEADER}\n${ROWS[0]}\n`); // and then nothing: the run waits for the rest
    // Until the run holds the output folder (its temporary folder is there, its signal handlers set), however slow the start.
    for (let waited = 0; waited < 10_000 && !readdirSync(out).some((n) => n.startsWith('.perfdb-tmp-')); waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const sent = Date.now();
    child.kill(signal);
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(status).toBe(code);
    expect(stderr).toMatch(new RegExp(`interrupted by ${signal}; .* is unchanged`));
    expect(fingerprint(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
  }, 20_000);

  it('refuses a folder on standard input (`--input - < dir`) as a folder, not as an empty file', () => {
    const folder = join(dir, 'stdin-folder');
    mkdirSync(folder, { recursive: true });
    const run = spawnSync('bash', ['-c', `node ${JSON.stringify(LAUNCH)} generate ${NO_PLOTS} --input - --out ${JSON.stringify(join(dir, 'o-stdin-folder'))} < ${JSON.stringify(folder)}`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('<stdin>: E_IS_DIRECTORY --input - reads standard input, which is a folder here; expected CSV text; hint: pipe the CSV in (`cat runs.csv | npm run generate -- --input -`), or pass --input FILE\n');
    expect(existsSync(join(dir, 'o-stdin-folder', 'perf_db.csv'))).toBe(false);
  });

  it('exits 0 with nothing on stderr when the reader of standard output stops early', () => {
    const run = spawnSync('bash', ['-c', `node ${JSON.stringify(LAUNCH)} generate ${NO_PLOTS} --out ${JSON.stringify(join(dir, 'epipe'))} | true; echo "status=\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('status=0');
    expect(run.stderr).toBe('');
  });

  it.skipIf(!existsSync('/dev/full'))('exits 1 in one line when standard output is a full device, for every command', () => {
    const out = join(dir, 'full-stdout');
    const commands = [
      `generate ${NO_PLOTS} --prompts 128..1024:128 --out ${JSON.stringify(out)}`,
      `query --db ${JSON.stringify(out)} --model m --hardware h --tp 2 --prompt 300 --batch 1 --tokens 128`,
      `report-diff ${JSON.stringify(join(out, 'quality-report.json'))} ${JSON.stringify(join(out, 'quality-report.json'))}`,
    ];
    writeFileSync(join(dir, 'full.csv'), VALID);
    commands[0] = `${commands[0]} --input ${JSON.stringify(join(dir, 'full.csv'))}`;
    for (const command of commands) {
      const run = spawnSync('bash', ['-c', `node ${JSON.stringify(LAUNCH)} ${command} > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status, command).toBe(1);
      expect(run.stderr.trim().split('\n'), command).toEqual([expect.stringMatching(/^E_OUTPUT_NOT_WRITABLE standard output cannot be written: ENOSPC; hint: /)]);
    }
    // The files the run wrote are in place: only its summary line had nowhere to go.
    expect(existsSync(join(out, 'perf_db.csv'))).toBe(true);
  });

  it('refuses a FIFO or a device where query and report-diff read a file, at once and in one line', () => {
    const db = join(dir, 'fifo-db');
    mkdirSync(db, { recursive: true });
    spawnSync('mkfifo', [join(db, 'fits.json')]);
    const pipe = join(dir, 'report.fifo');
    spawnSync('mkfifo', [pipe]);
    const runs = [
      ['query', '--db', db, '--model', 'm', '--hardware', 'h', '--tp', '1', '--prompt', '1', '--batch', '1', '--tokens', '1'],
      ['report-diff', pipe, join(ROOT, 'data', 'generated', 'quality-report.json')],
      ['report-diff', join(ROOT, 'data', 'generated', 'quality-report.json'), '/dev/zero'],
    ].map((args) => spawnSync(process.execPath, [LAUNCH, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 }));
    for (const run of runs) {
      expectOneLineFailure(run);
      expect(run.stderr).toMatch(/E_NOT_REGULAR_FILE .* is a (named pipe \(FIFO\)|character device), not a regular file/);
    }
  });

  it('ends in one line, E_OUT_OF_RESOURCES, wherever a low limit of open files stops a run with worker threads and plots', () => {
    const input = join(dir, 'limits.csv');
    writeFileSync(input, VALID);
    // From 19 descriptors up, Node itself starts; where the project's run then meets the limit moves with it (the input, a worker's start, a plot).
    let failed = 0;
    for (const limit of [19, 22, 24, 28, 33, 36]) {
      const out = join(dir, `limits-${limit}`);
      const command = `ulimit -n ${limit} && exec "$0" "$@"`;
      const run = spawnSync('bash', ['-c', command, process.execPath, join(ROOT, 'dist', 'bin', 'generate.js'), '--input', input, '--out', out, '--prompts', '1..4096', '--concurrency', '2', '--worker-min-rows', '0'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      if (run.status === 0) continue; // the limit was enough for this run
      failed++;
      expectOneLineFailure(run);
      expect(run.stderr, `ulimit -n ${limit}`).toMatch(/^(\S+: )?E_OUT_OF_RESOURCES the system has no more /);
    }
    expect(failed).toBeGreaterThanOrEqual(3);
  });

  it('ends in one line, E_OUTPUT_NOT_WRITABLE with EFBIG, under a file-size limit, leaving the previous outputs as they were', () => {
    const input = join(dir, 'fsize.csv');
    writeFileSync(input, VALID);
    const out = join(dir, 'fsize');
    const args = [join(ROOT, 'dist', 'bin', 'generate.js'), '--input', input, '--out', out, NO_PLOTS];
    expect(spawnSync(process.execPath, [...args, '--prompts', '1..64'], { cwd: ROOT }).status).toBe(0);
    const before = fingerprint(out);
    // 100 blocks of 512 bytes: perf_db.csv of 1..65536 prompts is megabytes.
    const run = spawnSync('bash', ['-c', 'ulimit -f 100 && exec "$0" "$@"', process.execPath, ...args, '--prompts', '1..65536'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/E_OUTPUT_NOT_WRITABLE cannot write the outputs: .* \(EFBIG\); hint: raise the file-size limit \(ulimit -f\)/);
    expect(fingerprint(out)).toEqual(before);
  });

  it('ends at once, in one line, for an --out under /proc', async () => {
    if (!existsSync('/proc/self')) return;
    const started = Date.now();
    const run = await generate([NO_PLOTS, '--out', '/proc/perfdb-nope/out']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expectOneLineFailure(run, '/proc/perfdb-nope');
    expect(run.stderr).toContain('E_OUTPUT_NOT_WRITABLE');
  });
});
