import { PerfDbError } from '../core/errors.js';

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
  if (code === 'EACCES' || code === 'EPERM') return new PerfDbError('E_UNREADABLE', `the ${role} cannot be read (permission denied)`, { file, hint: 'check the file permissions' });
  if (code === 'EISDIR') return new PerfDbError('E_IS_DIRECTORY', `${article} is a folder; expected a ${role === 'input file' ? 'CSV' : 'JSON'} file`, { file, hint: 'pass the file inside it' });
  return error;
}

/** A file system error on writing into the output folder as E_OUTPUT_NOT_WRITABLE, naming the folder and the cause. */
export function writeError(error: unknown, shownDir: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new PerfDbError('E_OUTPUT_NOT_WRITABLE', `the output folder cannot be written (${code})`, { file: shownDir, hint: 'check the permissions of --out, or pass another folder' });
  }
  return error;
}
