import { stringify } from 'csv-stringify/sync';
import type { WriteStream } from 'node:fs';
import type { RejectedRow } from '../types.js';
import { displayPath } from './paths.js';
import { OutputTransaction } from './transaction.js';

/** Files and folders a generate run owns in the output folder; anything else there is left alone. */
export const OWNED = ['perf_db.csv', 'fits.json', 'quality-report.json', 'quality-report.md', 'quality-report.html', 'rejected.csv', 'plots'] as const;

/**
 * Runs `work` against a new output transaction in `outDir` and commits what
 * it wrote, all or nothing: on any failure the temporary folder goes and the
 * previous outputs stay; on SIGINT or SIGTERM the same, then the process
 * exits (130 / 143) saying that `shownDir` is unchanged.
 */
export async function withOutput<T>(outDir: string, shownDir: string, work: (out: OutputTransaction) => Promise<T>): Promise<T> {
  const transaction = await OutputTransaction.begin(outDir);
  const onSignal = (signal: NodeJS.Signals) => {
    transaction.abortSync();
    process.stderr.write(`interrupted by ${signal}; ${displayPath(shownDir)} is unchanged\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const value = await work(transaction);
    await transaction.commit(OWNED);
    return value;
  } catch (error) {
    await transaction.abort();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** perf_db.csv as a sink with back-pressure, and a close that waits for the last byte. */
export async function csvOutput(out: OutputTransaction, name = 'perf_db.csv') {
  const stream: WriteStream = await out.stream(name);
  return {
    sink: (chunk: string | Uint8Array) => (stream.write(chunk) ? undefined : new Promise<void>((done) => stream.once('drain', done))),
    close: () => new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done()))),
  };
}

/** rejected.csv: the rows set aside under --on-invalid skip, when there are any. */
export async function writeRejected(out: OutputTransaction, rejected: readonly RejectedRow[]): Promise<void> {
  if (rejected.length === 0) return;
  const rows = rejected.map((r) => [r.file, r.line, r.column ?? '', r.code, r.reason]);
  await out.write('rejected.csv', stringify(rows, { header: true, columns: ['file', 'line', 'column', 'code', 'reason'] }));
}
