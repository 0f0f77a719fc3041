/**
 * The shape of fits.json as a JSON Schema (TypeBox), and the checks a schema
 * cannot state: knots that rise, ranges that hold their knots. A lookup
 * answers only from a file that passes both; anything else is one line
 * naming the first fault.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PerfDbError } from '../core/errors.js';
import type { FitsFile } from './types.js';

const Obj = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { additionalProperties: true });
const Finite = Type.Number({ minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE });
const Positive = Type.Number({ exclusiveMinimum: 0, maximum: Number.MAX_VALUE });
const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Words = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Model = Obj({ kind: Words(['decode', 'prefill']), coef: Type.Tuple([Finite, Finite, Finite]) });
const Tail = Obj({
  kind: Words(['line', 'proportional', 'model', 'clamp']),
  side: Words(['upper', 'lower']),
  x: Positive,
  y: Finite,
  slope: Finite,
  floor: Finite,
  model: OrNull(Model),
  anchor: OrNull(Finite),
});
const Knots = Obj({ x: Type.Array(Positive, { minItems: 2 }), y: Type.Array(Finite, { minItems: 2 }) });
const Fit = Obj({
  method: Words(['linear', 'pchip', 'isotonic', 'loglog', 'decode']),
  key: Words(['batch_tokens', 'batch_size']),
  knots: Knots,
  model: Type.Optional(OrNull(Model)),
  tails: Type.Optional(OrNull(Obj({ upper: Tail, lower: Tail }))),
});
// γ as the calibration clips it (fit/calibration.ts growthExponent).
const Band = OrNull(Obj({ gamma: Type.Number({ minimum: 0, maximum: 2 }), q: OrNull(Type.Number({ minimum: 0, maximum: Number.MAX_VALUE })), maxFactor: Type.Number({ minimum: 1, maximum: Number.MAX_VALUE }), residuals: Type.Integer({ minimum: 0 }) }));
const Bands = OrNull(Obj({ interior: Band, upper: Band, lower: Band }));
const Policy = Words(['auto', 'linear', 'line', 'proportional', 'model', 'clamp', 'error']);

export const FitsSchema = Obj({
  fitsVersion: Type.Integer(),
  rows: Type.Integer({ minimum: 0 }),
  extrapolate: Obj({ prompt_time: Policy, token_time: Policy }),
  maxExtrapolation: OrNull(Type.Number({ minimum: 1, maximum: Number.MAX_VALUE })),
  coverage: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  bands: Obj({ prompt_time: Bands, token_time: Bands }),
  groups: Type.Array(
    Obj({
      model: Type.String({ minLength: 1 }),
      hardware: Type.String({ minLength: 1 }),
      tensor_parallel: Type.Integer({ minimum: 1 }),
      id: Type.String(),
      range: Type.Tuple([Positive, Positive]),
      fits: Obj({ prompt_time: Fit, token_time: Fit }),
    }),
  ),
});

/** Checks a parsed fits.json; the first fault as E_BAD_DATABASE naming where it is. */
export function checkFits(value: unknown, file: string): FitsFile {
  const first = Value.Errors(FitsSchema, value).First();
  if (first !== undefined) throw badFits(file, `${first.path || '/'}: ${first.message}${first.value === undefined ? '' : ` (got ${shown(first.value)})`}`);
  const fits = value as FitsFile;
  fits.groups.forEach((g, i) => {
    const [lo, hi] = g.range;
    if (!(lo <= hi)) throw badFits(file, `/groups/${i}/range: [${lo}, ${hi}] is reversed`);
    for (const metric of ['prompt_time', 'token_time'] as const) {
      const { x, y } = g.fits[metric].knots;
      const at = `/groups/${i}/fits/${metric}/knots`;
      if (x.length !== y.length) throw badFits(file, `${at}: ${x.length} x but ${y.length} y`);
      const fall = x.findIndex((v, k) => k > 0 && !(v > (x[k - 1] as number)));
      if (fall !== -1) throw badFits(file, `${at}/x/${fall}: ${x[fall]} does not rise above ${x[fall - 1]}; knots must be strictly increasing`);
      const bad = y.findIndex((v) => !(v > 0));
      if (bad !== -1) throw badFits(file, `${at}/y/${bad}: ${y[bad]} is not a positive time`);
    }
  });
  checkBands(fits, file);
  return fits;
}

/** A band must give a finite half-width up to the largest factor it covers: a lookup never prints Infinity. */
function checkBands(fits: FitsFile, file: string): void {
  for (const metric of ['prompt_time', 'token_time'] as const) {
    const bands = fits.bands[metric];
    for (const region of ['interior', 'upper', 'lower'] as const) {
      const band = bands?.[region] ?? null;
      if (band === null || band.q === null) continue;
      const widest = band.q * band.maxFactor ** band.gamma;
      if (!Number.isFinite(widest)) throw badFits(file, `/bands/${metric}/${region}: q ${band.q} and gamma ${band.gamma} give an infinite half-width at factor ${band.maxFactor}`);
    }
  }
}

function badFits(file: string, what: string): PerfDbError {
  return new PerfDbError('E_BAD_DATABASE', `fits.json is not a valid fits file: ${what}`, { file, hint: 'the file is damaged or was edited; regenerate it with `npm run generate`' });
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
