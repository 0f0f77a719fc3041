/**
 * The shape of fits.json as a JSON Schema (TypeBox), and the checks a schema
 * cannot state: knots that rise, a range that is the span of its knots, and
 * values within the limits a run accepts (core/limits.ts), inside which every
 * prediction is a finite number. A lookup answers only from a file that
 * passes both; anything else is one line naming the first fault.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PerfDbError } from '../core/errors.js';
import { MAX_TIME_MS, MIN_TIME_MS } from '../core/limits.js';
import type { ConfigModel } from '../fit/models.js';
import type { TailSpec } from '../fit/tails.js';
import type { FitsFile, FitsGroup } from './types.js';

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
  fits.groups.forEach((g, i) => checkGroup(g, `/groups/${i}`, file));
  checkBands(fits, file);
  return fits;
}

/**
 * A group's knots rise and hold times; its range is the span of its
 * batch_tokens knots, as fitGroup writes it (prompt_time's, which token_time's
 * share unless it is keyed on batch_size): a lookup tells interpolated from
 * extrapolated by the range, and each fit by its own knots.
 */
function checkGroup(g: FitsGroup, at: string, file: string): void {
  const [lo, hi] = g.range;
  if (!(lo <= hi)) throw badFits(file, `${at}/range: [${lo}, ${hi}] is reversed`);
  if (g.fits.prompt_time.key !== 'batch_tokens') throw badFits(file, `${at}/fits/prompt_time/key: ${g.fits.prompt_time.key}, but prompt_time is fitted on batch_tokens (only token_time may be keyed on batch_size)`);
  for (const metric of ['prompt_time', 'token_time'] as const) {
    const fit = g.fits[metric];
    const { x, y } = fit.knots;
    const where = `${at}/fits/${metric}`;
    if (x.length !== y.length) throw badFits(file, `${where}/knots: ${x.length} x but ${y.length} y`);
    const fall = x.findIndex((v, k) => k > 0 && !(v > (x[k - 1] as number)));
    if (fall !== -1) throw badFits(file, `${where}/knots/x/${fall}: ${x[fall]} does not rise above ${x[fall - 1]}; knots must be strictly increasing`);
    y.forEach((v, k) => checkTime(v, `${where}/knots/y/${k}`, file));
    const [first, last] = [x[0] as number, x[x.length - 1] as number];
    if (fit.key === 'batch_tokens' && (first !== lo || last !== hi)) throw badFits(file, `${at}/range: [${lo}, ${hi}] is not the span of the ${metric} knots, ${first}..${last}; the range is the measured batch_tokens range, first knot to last`);
    checkModel(fit.model ?? null, `${where}/model`, file);
    for (const side of ['upper', 'lower'] as const) if (fit.tails) checkTail(fit.tails[side], `${where}/tails/${side}`, file);
  }
}

/** A time within the limits ingest accepts: the medians of accepted times, and a tail's end value and floor, lie within them too. */
function checkTime(v: number, at: string, file: string): void {
  if (!(v > 0)) throw badFits(file, `${at}: ${v} is not a positive time`);
  if (v < MIN_TIME_MS || v > MAX_TIME_MS) throw badFits(file, `${at}: ${v} ms is outside the times a run accepts, ${MIN_TIME_MS} to ${MAX_TIME_MS} ms`);
}

/**
 * A model's coefficients are non-negative (NNLS) and at most the largest time:
 * every feature is at least 1, so a larger one would put the model above every
 * median it was fitted to. Within that, its value at any query's sizes (up to
 * MAX_SIZE) stays below 1e36 ms.
 */
function checkModel(model: ConfigModel | null, at: string, file: string): void {
  const bad = model === null ? -1 : model.coef.findIndex((c) => !(c >= 0 && c <= MAX_TIME_MS));
  if (model !== null && bad !== -1) throw badFits(file, `${at}/coef/${bad}: ${model.coef[bad]} is outside 0 to ${MAX_TIME_MS}; a model's coefficients are non-negative and at most the largest time a run accepts, in ms per unit of their term`);
}

/** A tail starts at an end value and floor that are times, rises by at most the largest time per unit of x (knots are whole sizes apart), and follows a bounded model. */
function checkTail(tail: TailSpec, at: string, file: string): void {
  checkTime(tail.y, `${at}/y`, file);
  checkTime(tail.floor, `${at}/floor`, file);
  if (!(Math.abs(tail.slope) <= MAX_TIME_MS)) throw badFits(file, `${at}/slope: ${tail.slope} is steeper than ${MAX_TIME_MS} ms per unit of x, the most two knots' times can differ by`);
  checkModel(tail.model, `${at}/model`, file);
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
