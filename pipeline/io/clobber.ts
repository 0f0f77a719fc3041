import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PerfDbError } from '../core/errors.js';
import { tempOwner } from './owned.js';
import { displayPath } from './paths.js';

/**
 * Refuses outputs that would destroy or pollute their inputs: an input that
 * is one of the files the run owns in --out (it would be overwritten) or lies
 * in an earlier run's temporary folder there (it would be removed), and
 * an --out that is the folder of the default inputs (the next run would read
 * its perf_db.csv back as measurements). Paths are compared after resolving
 * symbolic links, so a link to data/raw is data/raw.
 */
export function checkOutputsSpareInputs(inputs: readonly string[], out: string, owned: readonly string[], rawDir: string): void {
  const outReal = real(out);
  if (outReal === real(rawDir)) {
    throw new PerfDbError('E_INPUT_IN_OUTPUT', '--out is the raw data folder: the next run would read the generated perf_db.csv back as measurements', {
      file: displayPath(out),
      hint: 'write the outputs elsewhere, e.g. the default data/generated',
    });
  }
  for (const input of inputs) {
    const rel = relative(outReal, real(input));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    const top = rel.split(sep)[0] as string;
    if (tempOwner(top) !== null) {
      throw new PerfDbError('E_INPUT_IN_OUTPUT', `the input is inside ${top} in --out, the temporary folder of an earlier run, which a run removes once that run is gone`, {
        file: displayPath(input),
        hint: `copy the input out of ${displayPath(out)} first, or pass another --out`,
      });
    }
    if (owned.includes(top)) {
      throw new PerfDbError('E_INPUT_IN_OUTPUT', `the input is ${top === rel ? '' : 'inside '}${top} in --out, which this run replaces`, {
        file: displayPath(input),
        hint: `copy the input out of ${displayPath(out)} first, or pass another --out`,
      });
    }
  }
}

/** A path with its symbolic links resolved, as far as it exists (the rest appended). */
function real(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(real(parent), basename(absolute));
  }
}
