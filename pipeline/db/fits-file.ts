import { readFile } from 'node:fs/promises';
import { refuseNonRegular } from '../io/regular.js';
import { PerfDbError } from '../core/errors.js';
import type { RunOptions } from '../options/types.js';
import type { MetricFit, PipelineResult } from '../types.js';
import type { FitsFile } from './types.js';

export const FITS_VERSION = 3;

/** The fits of a run, for fits.json (knots, tails and bands at full precision, so that lookups are exact). */
export function fitsFile(result: Pick<PipelineResult, 'groups' | 'trust' | 'rows'>, options: Pick<RunOptions, 'extrapolate' | 'maxExtrapolation'>): FitsFile {
  const bands = (metric: 'prompt_time' | 'token_time') => result.trust.metrics[metric]?.bands ?? null;
  return {
    fitsVersion: FITS_VERSION,
    rows: result.rows,
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

/** Reads fits.json: missing is E_NO_DATABASE, another version E_SCHEMA_VERSION, anything malformed E_BAD_DATABASE. */
export async function readFits(path: string): Promise<FitsFile> {
  let text: string;
  await refuseNonRegular(path, path, 'fits.json');
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new PerfDbError('E_NO_DATABASE', `fits.json ${what}`, { file: path, hint: 'run `npm run generate` first, or pass --db the folder it wrote' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PerfDbError('E_BAD_DATABASE', `fits.json is not JSON: ${(error as Error).message}`, { file: path, hint: 'the file is damaged or truncated; regenerate it with `npm run generate`' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PerfDbError('E_BAD_DATABASE', `fits.json holds ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not a fits file`, { file: path, hint: 'the file is damaged; regenerate it with `npm run generate`' });
  }
  const version = (value as { fitsVersion?: unknown }).fitsVersion;
  if (version !== FITS_VERSION) {
    throw new PerfDbError('E_SCHEMA_VERSION', `fits.json has version ${JSON.stringify(version) ?? 'none'}; expected ${FITS_VERSION}`, { file: path, hint: 'regenerate with `npm run generate`' });
  }
  // The schema checker (TypeBox, some 900 modules) is loaded only by a lookup, never by a generate run.
  const { checkFits } = await import('./fits-schema.js');
  return checkFits(value, path);
}
