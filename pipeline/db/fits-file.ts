import { readFile } from 'node:fs/promises';
import { PerfDbError } from '../core/errors.js';
import type { RunOptions } from '../options/types.js';
import type { MetricFit, PipelineResult } from '../types.js';
import type { FitsFile } from './types.js';

export const FITS_VERSION = 2;

/** The fits of a run, for fits.json (knots, tails and bands at full precision, so that lookups are exact). */
export function fitsFile(result: Pick<PipelineResult, 'groups' | 'trust'>, options: Pick<RunOptions, 'extrapolate' | 'maxExtrapolation'>): FitsFile {
  const bands = (metric: 'prompt_time' | 'token_time') => result.trust.metrics[metric]?.bands ?? null;
  return {
    fitsVersion: FITS_VERSION,
    extrapolate: { ...options.extrapolate },
    maxExtrapolation: options.maxExtrapolation?.factor ?? null,
    coverage: result.trust.coverage,
    bands: { prompt_time: bands('prompt_time'), token_time: bands('token_time') },
    groups: result.groups.map(({ fit: g }) => ({
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
