import { PerfDbError, resourceError } from '../core/errors.js';
import { dirname } from 'node:path';
import { displayPath, fileInTheWay } from './paths.js';

/** What a file is, for the words of its errors. */
export type FileRole = 'input file' | 'report file';

/**
 * A file system error on reading a file as the project's one-line error:
 * missing, a folder, or unreadable. Any other error is returned as it is (a
 * bug, or a fault the caller handles).
 */
export function readError(error: unknown, file: string, role: FileRole = 'input file'): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const article = role === 'input file' ? 'the input' : 'the report path';
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    const hint = role === 'input file' ? 'check the path, or run `npm run data:fetch` for the default data' : 'pass the quality-report.json written by `npm run generate`, e.g. data/generated/quality-report.json';
    return new PerfDbError('E_FILE_NOT_FOUND', `the ${role} does not exist`, { file, hint });
  }
  if (code === 'EMFILE' || code === 'ENFILE') return resourceError(error) as PerfDbError;
  if (code === 'EACCES' || code === 'EPERM') return new PerfDbError('E_UNREADABLE', `the ${role} cannot be read (permission denied)`, { file, hint: 'check the file permissions' });
  if (code === 'EISDIR') return new PerfDbError('E_IS_DIRECTORY', `${article} is a folder; expected a ${role === 'input file' ? 'CSV' : 'JSON'} file`, { file, hint: 'pass the file inside it' });
  // A loop of links, a name too long, a failing device: still a path the user gave, not a bug.
  if (isFileSystemError(error)) return new PerfDbError('E_UNREADABLE', `the ${role} cannot be read: ${CAUSES[code as string]} (${code})`, { file, hint: 'check the path and what it leads to' });
  return error;
}

/** What each file system error means, for the one-line message. */
const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (an immutable or protected file?)',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file grew past the largest the file system or the file-size limit (ulimit -f) allows',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder stands where a file should be written',
  EEXIST: 'something else already stands there',
  ENOENT: 'a folder on the way does not exist (or vanished)',
  ELOOP: 'too many symbolic links',
  EIO: 'an input/output error of the device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the path is too long',
  EBUSY: 'the file is busy',
  EXDEV: 'the temporary folder is on another device',
};

/** Whether an error is a file system error this mapping knows. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in CAUSES && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * A file system error while writing outputs as E_OUTPUT_NOT_WRITABLE naming
 * the path that failed (the error's own, else `shown`) and the cause; any
 * other error is returned as it is.
 */
export function outputPathError(error: unknown, shown: string): unknown {
  if (!isFileSystemError(error)) return error;
  // Too many open files is the process's limit, not the folder's permissions.
  if (error.code === 'EMFILE' || error.code === 'ENFILE') return resourceError(error) as PerfDbError;
  const code = error.code as string;
  const path = typeof error.path === 'string' ? displayPath(error.path) : shown;
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'free some space, or pass an --out on another disk'
      : code === 'EFBIG'
        ? 'raise the file-size limit (ulimit -f), or pass an --out on a file system that holds larger files (FAT32 stops at 4 GiB)'
        : 'check the permissions of --out and its files, or pass another folder';
  return new PerfDbError('E_OUTPUT_NOT_WRITABLE', `cannot write the outputs: ${CAUSES[code]} (${code})`, { file: path, hint });
}

/** The output folder's errors as E_OUTPUT_NOT_WRITABLE (the same mapping, naming the folder). */
export function writeError(error: unknown, shownDir: string): unknown {
  return outputPathError(error, shownDir);
}

/**
 * A file system error on writing one output file named by an option (report:diff's
 * --out) as E_OUTPUT_NOT_WRITABLE saying what stands in the way: a folder
 * where the file goes, a file where a folder is on the way, a folder that does
 * not exist, or the cause; an error without a code is returned as it is (a bug).
 */
export function fileWriteError(error: unknown, target: string, option: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return error;
  const shown = displayPath(target);
  const fail = (message: string, hint: string) => new PerfDbError('E_OUTPUT_NOT_WRITABLE', message, { file: shown, hint });
  if (code === 'EISDIR') return fail(`${option} is a folder; expected the Markdown file to write`, `name a file in it, e.g. ${option} ${shown}/report-diff.md`);
  const blocker = fileInTheWay(dirname(target));
  if (code === 'ENOTDIR' && blocker !== null) return fail(`${displayPath(blocker)} is a file, not a folder`, `give ${option} a path under a folder`);
  if (code === 'ENOENT') return fail(`the folder ${displayPath(dirname(target))} does not exist`, `make it first (mkdir -p), or pass another ${option}`);
  return fail(`cannot write the file: ${CAUSES[code] ?? 'the system refused'} (${code})`, `check the permissions of ${option} and its folder`);
}
