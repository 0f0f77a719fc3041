import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import type { IngestSource } from '../stages/ingest.js';

/** How a path is shown in messages: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/** Opens an input file as an ingest source, with one-line errors for a missing, folder or unreadable path. */
export async function openInput(path: string): Promise<IngestSource> {
  const file = displayPath(path);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(error, file);
  }
  if (info.isDirectory()) {
    throw new PerfDbError('E_IS_DIRECTORY', 'the input is a folder; expected a CSV file', {
      file,
      hint: `pass the CSV files inside it, e.g. --input ${join(file, '*.csv')}`,
    });
  }
  try {
    await (await open(path, 'r')).close();
  } catch (error) {
    throw fileError(error, file);
  }
  return { file, chunks: readChunks(path, file) };
}

async function* readChunks(path: string, file: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
  } catch (error) {
    throw fileError(error, file);
  }
}

function fileError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new PerfDbError('E_FILE_NOT_FOUND', 'the input file does not exist', { file, hint: 'check the path, or run `npm run data:fetch` for the default data' });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PerfDbError('E_UNREADABLE', 'the input file cannot be read (permission denied)', { file, hint: 'check the file permissions' });
  }
  if (code === 'EISDIR') {
    return new PerfDbError('E_IS_DIRECTORY', 'the input is a folder; expected a CSV file', { file, hint: 'pass the CSV files inside it' });
  }
  return error;
}

/** The `*.csv` files of a folder, sorted by name. */
export async function listCsv(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.toLowerCase().endsWith('.csv'))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * All-or-nothing output: files are written into a temporary folder inside the
 * output folder and renamed into place only by `commit()`. A lock file keeps
 * two runs from writing the same output folder at once. `abort()` (on any
 * failure or signal) removes the temporary folder and leaves the previous
 * outputs as they were.
 */
export class OutputTransaction {
  readonly outDir: string;
  private readonly tempDir: string;
  private readonly lockPath: string;
  private readonly names = new Set<string>();
  private done = false;

  private constructor(outDir: string, tempDir: string, lockPath: string) {
    this.outDir = outDir;
    this.tempDir = tempDir;
    this.lockPath = lockPath;
  }

  static async begin(outDir: string): Promise<OutputTransaction> {
    const shown = displayPath(outDir);
    try {
      await mkdir(outDir, { recursive: true });
    } catch (error) {
      throw outputError(error, shown);
    }
    const lockPath = join(outDir, '.perfdb.lock');
    await takeLock(lockPath, shown);
    try {
      // Holding the lock, any temporary folder here is a killed run's leftover.
      for (const name of await readdir(outDir)) {
        if (name.startsWith('.perfdb-tmp-')) await rm(join(outDir, name), { recursive: true, force: true });
      }
      const tempDir = await mkdtemp(join(outDir, '.perfdb-tmp-'));
      return new OutputTransaction(outDir, tempDir, lockPath);
    } catch (error) {
      await rm(lockPath, { force: true });
      throw outputError(error, shown);
    }
  }

  /** A stream to a new output file (a path relative to the output folder). */
  async stream(name: string): Promise<WriteStream> {
    const path = await this.prepare(name);
    return createWriteStream(path, { highWaterMark: 1 << 20 });
  }

  /** A folder for intermediate files that are never committed. */
  async scratch(): Promise<string> {
    if (this.done) throw new Error('OutputTransaction already finished');
    const path = join(this.tempDir, '.scratch');
    await mkdir(path, { recursive: true });
    return path;
  }

  async write(name: string, content: string | Uint8Array): Promise<void> {
    await writeFile(await this.prepare(name), content);
  }

  /**
   * Puts the new outputs in place and removes the temporary folder and the
   * lock. `owned` names the top-level files and folders this run owns: each
   * is replaced whole by what this run wrote, or removed when this run wrote
   * none (a folder's old files are moved aside first, then deleted). The
   * renames are synchronous, so no signal handler can run between them.
   */
  async commit(owned: readonly string[]): Promise<void> {
    const written = new Set([...this.names].map((name) => name.split('/')[0] as string));
    const aside = join(this.tempDir, '.previous');
    mkdirSync(aside, { recursive: true });
    for (const name of owned) {
      const target = join(this.outDir, name);
      const folder = existsSync(target) && statSync(target).isDirectory();
      if ((folder || !written.has(name)) && existsSync(target)) renameSync(target, join(aside, name));
    }
    for (const name of [...written].sort()) renameSync(join(this.tempDir, name), join(this.outDir, name));
    this.done = true;
    await this.cleanUp();
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.cleanUp();
  }

  /** Synchronous best effort for a process that is about to exit. */
  abortSync(): void {
    if (this.done) return;
    this.done = true;
    rmSyncQuiet(this.tempDir);
    rmSyncQuiet(this.lockPath);
  }

  private async prepare(name: string): Promise<string> {
    if (this.done) throw new Error('OutputTransaction already finished');
    this.names.add(name);
    const path = join(this.tempDir, name);
    await mkdir(join(path, '..'), { recursive: true });
    return path;
  }

  private async cleanUp(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
    await rm(this.lockPath, { force: true });
  }
}


function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

/** A file's text, or null when it does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    ignoreMissing(error);
    return null;
  }
}

/**
 * Compares the `owned` files and folders of two output folders byte for byte.
 * Returns the paths (relative to the folders) that differ, exist in only one,
 * sorted.
 */
export async function compareTrees(fresh: string, committed: string, owned: readonly string[]): Promise<string[]> {
  const list = async (root: string) => {
    const files: string[] = [];
    const visit = async (rel: string) => {
      const info = await stat(join(root, rel)).catch(() => null);
      if (info === null) return;
      if (!info.isDirectory()) files.push(rel);
      else for (const name of await readdir(join(root, rel))) await visit(`${rel}/${name}`);
    };
    for (const name of owned) await visit(name);
    return files;
  };
  const [a, b] = await Promise.all([list(fresh), list(committed)]);
  const stale: string[] = [];
  for (const name of [...new Set([...a, ...b])].sort()) {
    if (!(await sameBytes(join(fresh, name), join(committed, name)))) stale.push(name);
  }
  return stale;
}

/** Whether two files hold the same bytes (false when either is missing); reads both in 4 MiB blocks. */
export async function sameBytes(pathA: string, pathB: string): Promise<boolean> {
  const [a, b] = await Promise.all([open(pathA, 'r').catch(() => null), open(pathB, 'r').catch(() => null)]);
  try {
    if (a === null || b === null) return false;
    if ((await a.stat()).size !== (await b.stat()).size) return false;
    const size = 1 << 22;
    const [bufA, bufB] = [Buffer.alloc(size), Buffer.alloc(size)];
    for (;;) {
      const [{ bytesRead: n }, { bytesRead: m }] = await Promise.all([a.read(bufA, 0, size, null), b.read(bufB, 0, size, null)]);
      if (n !== m || !bufA.subarray(0, n).equals(bufB.subarray(0, m))) return false;
      if (n === 0) return true;
    }
  } finally {
    await a?.close();
    await b?.close();
  }
}

function rmSyncQuiet(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Exiting anyway: a leftover temporary folder is harmless and ignored by the next run.
  }
}

async function takeLock(lockPath: string, shownDir: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid} ${startTime(process.pid) ?? ''}`.trimEnd() + '\n', { flag: 'wx' });
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw outputError(error, shownDir);
    }
    const [pidText, started] = (await readFile(lockPath, 'utf8').catch(() => '')).trim().split(' ');
    const holder = Number.parseInt(pidText ?? '', 10);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder, started)) {
      throw new PerfDbError('E_LOCKED', `another run (process ${holder}) is writing this output folder`, {
        file: displayPath(lockPath),
        hint: 'wait for it to finish, or pass a different --out',
      });
    }
    // The process that held the lock is gone: the lock is stale.
    await rm(lockPath, { force: true });
  }
  throw new PerfDbError('E_LOCKED', 'the output folder lock could not be taken', { file: displayPath(lockPath), hint: 'remove the lock file if no run is active' });
}

/**
 * Whether the process that wrote a lock still runs. Where the lock recorded
 * the process's start time (Linux), a live process with that PID but another
 * start time is a later process that reused the PID: the lock is stale.
 */
function isAlive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (started === undefined || started === '') return true;
  const now = startTime(pid);
  return now === null || now === started;
}

/** A process's start time in clock ticks since boot (field 22 of /proc/PID/stat); null where unknown. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function outputError(error: unknown, shownDir: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new PerfDbError('E_OUTPUT_NOT_WRITABLE', `the output folder cannot be written (${code})`, {
      file: shownDir,
      hint: 'check the permissions of --out, or pass another folder',
    });
  }
  return error;
}

