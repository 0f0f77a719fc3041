/**
 * perf_db.csv written around the page cache (O_DIRECT), where the
 * system allows it. Writing a file through the page cache costs the kernel a
 * new page for every 4 KiB, and on some machines (virtual machines that hand
 * freed memory back to their host) a new page costs a fault on the host too:
 * 2.7 GB written that way took 2.6 to 11 s of system time here, against
 * 0.3 to 0.4 s written directly. The bytes are copied into two aligned
 * staging buffers and each full one is written at its offset while the next
 * fills; the last, partial one is written padded to the block and the file
 * cut to its length. Wherever direct writes are refused (no O_DIRECT, a file
 * system without it, an alignment it will not take), the file is written
 * through the page cache as any other, from where the direct writes stopped.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes per staging buffer: a multiple of every block size in use (4 KiB). */
export const STAGE_BYTES = 1 << 20;
/** The largest block or memory alignment a direct write may need. */
const ALIGN = 4096;

/** An open output file: write in order, then close; the first error rejects every call after it. */
export interface OutputFile {
  /** Queues `bytes`; `copied` is called once they are out of the caller's buffer. Resolves when there is room for more. */
  write(bytes: Uint8Array, copied?: () => void): Promise<void>;
  close(): Promise<void>;
  /** Gives up on the file (the run failed): waits for the write under way, closes it, never throws. */
  abort(): Promise<void>;
}

/**
 * Opens `path` (created or emptied) for direct writes; null where the system
 * refuses them at once (then write it as usual). `openFile` is for tests.
 */
export async function openDirect(path: string, openFile: typeof open = open): Promise<OutputFile | null> {
  const flag = (constants as Record<string, number | undefined>).O_DIRECT;
  if (flag === undefined) return null;
  let handle: FileHandle;
  try {
    handle = await openFile(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | flag, 0o666);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EINVAL') return null;
    throw error;
  }
  let stages: [Uint8Array, Uint8Array] | null;
  try {
    stages = await alignedStages(handle);
  } catch (error) {
    // A probe that failed otherwise than by refusing (a full disk): the file is let go of, and the run fails.
    await handle.close().catch(() => undefined);
    throw error;
  }
  if (stages === null) {
    await handle.close();
    return null;
  }
  return new DirectFile(path, handle, stages, openFile);
}

/**
 * Two staging buffers, one after the other in one allocation, whose first
 * bytes the file takes for a direct write: the memory's address cannot be
 * read, so one block is written (at offset 0, cut away after) from each
 * 16-byte step until one is taken; null when none is. The second starts a
 * multiple of the block after the first, so it is aligned as well.
 */
async function alignedStages(handle: FileHandle): Promise<[Uint8Array, Uint8Array] | null> {
  const raw = new Uint8Array(2 * STAGE_BYTES + ALIGN);
  for (let at = 0; at < ALIGN; at += 16) {
    try {
      await handle.write(raw, at, ALIGN, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EINVAL') continue;
      throw error;
    }
    await handle.truncate(0);
    return [raw.subarray(at, at + STAGE_BYTES), raw.subarray(at + STAGE_BYTES, at + 2 * STAGE_BYTES)];
  }
  return null;
}

class DirectFile implements OutputFile {
  private current = 0;
  private fill = 0;
  /** The file offset of the stage being filled: every stage before it is written or being written. */
  private position = 0;
  /** The write of the other stage, while it lasts. */
  private inflight: Promise<void> | null = null;
  /** Calls queued behind a wait for room, in order, and how many there are. */
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private failed: Error | null = null;
  private closed = false;
  /** The same file opened as usual, once a direct write was refused (or cut short). */
  private buffered: FileHandle | null = null;

  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly stages: [Uint8Array, Uint8Array],
    private readonly openFile: typeof open,
  ) {}

  write(bytes: Uint8Array, copied?: () => void): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed: nothing more can be written to it`));
    if (this.pending === 0) {
      const room = this.put(bytes, 0);
      if (room === null) {
        copied?.();
        return Promise.resolve();
      }
      this.pending++;
      this.queue = this.rest(bytes, room, copied);
    } else {
      this.pending++;
      this.queue = this.queue.catch(() => undefined).then(() => this.rest(bytes, 0, copied));
    }
    return this.queue;
  }

  async close(): Promise<void> {
    if (this.closed) throw new Error(`${this.path} is closed already`);
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.inflight;
    const length = this.position + this.fill;
    try {
      if (this.failed === null && this.fill > 0) await this.flush(Math.ceil(this.fill / ALIGN) * ALIGN);
      if (this.failed !== null) throw this.failed;
      await this.handle.truncate(length);
    } finally {
      await this.release();
    }
  }

  /** Closes both handles, the second even when the first fails; the first failure is thrown after both (unless one is thrown already). */
  private async release(): Promise<void> {
    const results = await Promise.allSettled([this.handle.close(), this.buffered?.close()]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failed ??= new Error(`the writing of ${this.path} was given up`);
    await this.inflight;
    await this.release().catch(() => undefined);
  }

  /**
   * Copies bytes from `from` into the stages; returns null when all are in,
   * or the offset of the first byte not yet copied when the stages are full
   * (the other stage's write is still going).
   */
  private put(bytes: Uint8Array, from: number): number | null {
    while (from < bytes.length) {
      if (this.fill === STAGE_BYTES) {
        if (this.inflight !== null) return from;
        void this.flush(STAGE_BYTES);
      }
      const stage = this.stages[this.current] as Uint8Array;
      const n = Math.min(bytes.length - from, STAGE_BYTES - this.fill);
      stage.set(n === bytes.length ? bytes : bytes.subarray(from, from + n), this.fill);
      this.fill += n;
      from += n;
    }
    return null;
  }

  /** Copies `bytes` from `from` as room is made (the calls before it done). */
  private async rest(bytes: Uint8Array, from: number, copied?: () => void): Promise<void> {
    try {
      if (this.failed !== null) throw this.failed;
      let next = this.put(bytes, from);
      while (next !== null) {
        await this.inflight;
        if (this.failed !== null) throw this.failed;
        next = this.put(bytes, next);
      }
      copied?.();
    } finally {
      this.pending--;
    }
  }

  /** Starts writing the current stage's first `length` bytes at its offset, and moves on to the other stage. */
  private flush(length: number): Promise<void> {
    const stage = this.stages[this.current] as Uint8Array;
    const position = this.position;
    const written = this.fill;
    this.inflight = this.writeAt(stage, length, written, position).then(
      () => {
        this.inflight = null;
      },
      (error: Error) => {
        this.failed ??= error;
        this.inflight = null;
      },
    );
    this.current = 1 - this.current;
    this.fill = 0;
    this.position += written;
    return this.inflight;
  }

  /**
   * Writes `length` bytes of `stage` at `position`, of which the first
   * `meant` are the file's (the rest pads the last block). A refused or
   * short direct write goes on through the page cache from where it stopped.
   */
  private async writeAt(stage: Uint8Array, length: number, meant: number, position: number): Promise<void> {
    let done = 0;
    if (this.buffered === null) {
      try {
        done = (await this.handle.write(stage, 0, length, position)).bytesWritten;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      }
      if (done >= meant) return;
      this.buffered = await this.openFile(this.path, constants.O_WRONLY);
    }
    while (done < meant) {
      const { bytesWritten } = await this.buffered.write(stage, done, meant - done, position + done);
      if (bytesWritten === 0) throw Object.assign(new Error(`no byte of ${this.path} could be written at ${position + done}`), { code: 'EIO' });
      done += bytesWritten;
    }
  }
}
