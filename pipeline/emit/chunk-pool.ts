/**
 * Chunks whose bytes have been written, given back to be filled again: a
 * new chunk costs its allocation, the zeroing and the first touch of every
 * page, and its collection where it was written (about half a millisecond a
 * MiB). Only chunks of `size` bytes are kept, at most `most` of them.
 *
 * With `shared`, every chunk of the writers that use the pool is shared
 * memory: a worker hands its chunks to the writing thread and gets them back
 * without transferring them. A transfer detaches the sender's buffer, and
 * once any buffer of a thread has been detached, V8's optimised code checks
 * every typed-array access of that thread for it: the rows' loops ran about
 * 5% slower for it.
 */
export class ChunkPool {
  private readonly spare: ArrayBufferLike[] = [];

  constructor(
    readonly size: number,
    private readonly most: number,
    private readonly shared = false,
  ) {}

  give(buffer: ArrayBufferLike): void {
    if (buffer.byteLength === this.size && this.spare.length < this.most && buffer instanceof SharedArrayBuffer === this.shared) this.spare.push(buffer);
  }

  take(): Uint8Array | undefined {
    const buffer = this.spare.pop();
    return buffer === undefined ? undefined : new Uint8Array(buffer);
  }

  /** A new chunk of `size` bytes (any size), in shared memory when the pool is. */
  fresh(size: number): Uint8Array | undefined {
    return this.shared ? new Uint8Array(new SharedArrayBuffer(size)) : undefined;
  }
}
