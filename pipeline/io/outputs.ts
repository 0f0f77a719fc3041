import { stringify } from 'csv-stringify/sync';
import type { WriteStream } from 'node:fs';
import type { RejectedRow } from '../types.js';
import { openDirect } from './direct-file.js';
import { outputPathError } from './file-errors.js';
import { checkNoForeignFiles } from './foreign.js';
import { checkOwnedKinds } from './output-folder.js';
import { OWNED } from './owned.js';
import { displayPath } from './paths.js';
import { OutputTransaction } from './transaction.js';

export { OWNED } from './owned.js';

/**
 * Runs `work` against a new output transaction in `outDir` and commits what
 * it wrote, all or nothing: on any failure the temporary folder goes and the
 * previous outputs stay; on SIGINT or SIGTERM the same, then the process
 * exits (130 / 143) saying that `shownDir` is unchanged.
 */
export async function withOutput<T>(outDir: string, shownDir: string, work: (out: OutputTransaction) => Promise<T>): Promise<T> {
  checkOwnedKinds(outDir, OWNED.filter((n) => n !== 'plots'), ['plots']);
  checkNoForeignFiles(outDir);
  const transaction = await OutputTransaction.begin(outDir);
  const onSignal = (signal: NodeJS.Signals) => {
    transaction.abort();
    process.stderr.write(`interrupted by ${signal}; ${displayPath(shownDir)} is unchanged\n`);
    process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.once(s, onSignal);
  try {
    const value = await work(transaction);
    transaction.commit(OWNED);
    return value;
  } catch (error) {
    transaction.abort();
    throw outputPathError(error, displayPath(outDir));
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/** An output file as a sink (saying when each chunk is out of the caller's hands) and a close that waits for the last byte. */
export interface FileSink {
  sink: (chunk: string | Uint8Array, written?: () => void) => void | Promise<void>;
  close: () => Promise<void>;
  /** Gives up on the file when the run fails before its close: lets go of it, never throws. */
  abort: () => Promise<void>;
}

/**
 * perf_db.csv as a sink with back-pressure, and a close that waits for the
 * last byte. A write error (a full disk) is kept, not thrown at the event
 * loop: the next write or the close rejects with it. With `direct`, the file
 * is written around the page cache where the system allows it
 * (io/direct-file.ts): for the large files, whose pages cost the most.
 */
export async function csvOutput(out: OutputTransaction, name = 'perf_db.csv', direct = false): Promise<FileSink> {
  const file = direct ? await openDirect(await out.path(name)) : null;
  if (file !== null) {
    return {
      sink: (chunk, written) => file.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, written),
      close: () => file.close(),
      abort: () => file.abort(),
    };
  }
  const stream: WriteStream = await out.stream(name);
  let failed: Error | null = null;
  const waiting = new Set<(error: Error) => void>();
  stream.on('error', (error) => {
    failed = error;
    for (const reject of waiting) reject(error);
  });
  const wait = (event: 'drain' | 'finish', start: () => void) =>
    new Promise<void>((resolve, reject) => {
      if (failed !== null) return reject(failed);
      waiting.add(reject);
      stream.once(event, () => {
        waiting.delete(reject);
        resolve();
      });
      start();
    });
  return {
    sink: (chunk: string | Uint8Array, written?: () => void): void | Promise<void> => {
      if (failed !== null) return Promise.reject(failed);
      // Once the stream's write of a chunk is done it holds the chunk no longer: the caller may fill it again.
      const done = written === undefined ? undefined : (error?: Error | null) => error == null && written();
      return stream.write(chunk, done) ? undefined : wait('drain', () => undefined);
    },
    close: () => wait('finish', () => stream.end()),
    abort: async () => void stream.destroy(),
  };
}

/** rejected.csv: the rows set aside under --on-invalid skip, when there are any. */
export async function writeRejected(out: OutputTransaction, rejected: readonly RejectedRow[]): Promise<void> {
  if (rejected.length === 0) return;
  const rows = rejected.map((r) => [r.file, r.line, r.column ?? '', r.code, r.reason]);
  await out.write('rejected.csv', stringify(rows, { header: true, columns: ['file', 'line', 'column', 'code', 'reason'] }));
}
