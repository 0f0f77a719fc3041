import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeError } from './file-errors.js';
import { takeLock } from './lock.js';
import { displayPath } from './paths.js';

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
      throw writeError(error, shown);
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
      throw writeError(error, shown);
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


function rmSyncQuiet(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Exiting anyway: a leftover temporary folder is harmless and ignored by the next run.
  }
}

