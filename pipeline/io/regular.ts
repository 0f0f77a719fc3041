import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PerfDbError } from '../core/errors.js';

/**
 * Refuses a path that exists but is not a regular file or a folder (a FIFO,
 * a device, a socket): reading it could wait for ever, or never end. Anything
 * else (missing, unreadable) is left to the read that follows, which says so.
 */
export async function refuseNonRegular(path: string, file: string, what: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch {
    return;
  }
  if (info.isFile() || info.isDirectory()) return;
  throw new PerfDbError('E_NOT_REGULAR_FILE', `${what} is ${kindOf(info)}, not a regular file; reading it could wait for ever`, { file, hint: 'pass the file itself, as generate wrote it' });
}

/** What a path that is not a regular file is, in words. */
export function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a file';
}

