import { readFile } from 'node:fs/promises';
import { PerfDbError } from '../core/errors.js';
import type { ExtrapolationPolicy, GroupFit, MetricFit } from '../types.js';
import type { FitsFile } from './types.js';

export const FITS_VERSION = 1;

/** The fits of a run, for fits.json (knots at full precision, so predictions are exact). */
export function fitsFile(groups: readonly GroupFit[], extrapolate: ExtrapolationPolicy, maxExtrapolation: number | null = null): FitsFile {
  return {
    fitsVersion: FITS_VERSION,
    extrapolate,
    maxExtrapolation,
    groups: groups.map((g) => ({
      model: g.model,
      hardware: g.hardware,
      tensor_parallel: g.tensor_parallel,
      id: g.id,
      range: g.range,
      fits: { prompt_time: g.fits.prompt_time as MetricFit, token_time: g.fits.token_time as MetricFit },
    })),
  };
}

/** Reads fits.json; a file of another version is refused. */
export async function readFits(path: string): Promise<FitsFile> {
  let fits: FitsFile;
  try {
    fits = JSON.parse(await readFile(path, 'utf8')) as FitsFile;
  } catch (error) {
    throw new PerfDbError('E_NO_DATABASE', `cannot read ${path}: ${(error as Error).message}`, { file: path, hint: 'run `npm run generate` first' });
  }
  if (fits.fitsVersion !== FITS_VERSION) {
    throw new PerfDbError('E_SCHEMA_VERSION', `fits.json has version ${fits.fitsVersion}; expected ${FITS_VERSION}`, { file: path, hint: 'regenerate with `npm run generate`' });
  }
  return fits;
}
