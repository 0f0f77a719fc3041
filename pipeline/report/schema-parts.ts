/**
 * The building blocks of the quality report's shape. Each is a JSON Schema
 * (TypeBox) and, through Static, the TypeScript type of the same thing: the
 * report's types and its schema cannot drift apart.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FINDING_CODES } from './findings.js';

const strict = { additionalProperties: false } as const;

/** A plain object whose every property is required and no other is allowed. */
export const Obj = <T extends Record<string, TSchema>>(properties: T, description?: string) => Type.Object(properties, { ...strict, ...(description === undefined ? {} : { description }) });
/** One of a few words: a JSON Schema `enum` (so that a validator names the allowed values). */
export const Enum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ enum: [...values] });

/** The schema or null, written as JSON Schema does it: `type: [t, "null"]`, or null added to an enum. */
export function OrNull<T extends TSchema>(schema: T) {
  const plain = { ...schema } as Record<string, unknown>;
  const nullable = Array.isArray(plain.enum) ? { ...plain, enum: [...(plain.enum as unknown[]), null] } : { ...plain, type: [plain.type, 'null'] };
  return Type.Unsafe<Static<T> | null>(nullable);
}

export const Count = Type.Integer({ minimum: 0 });
export const Size = Type.Integer({ minimum: 1 });
export const NonNegative = Type.Number({ minimum: 0 });
export const NumberOrNull = OrNull(Type.Number());
export const NonNegativeOrNull = OrNull(NonNegative);
export const Name = Type.String({ minLength: 1 });
export const Code = Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' });
/** A group's status, best to worst: the worst severity among its findings (info counts as ok, quirk as quirks). */
export const Status = Enum(['ok', 'quirks', 'warn', 'fail']);
/** A finding's severity, mildest first (the rule: pipeline/report/findings.ts, SEVERITY_RULE). */
export const Severity = Enum(['info', 'quirk', 'warn', 'fail']);
export const Metric = Enum(['peak_power', 'average_power', 'prompt_time', 'token_time', 'e2e_time']);
export const TimeMetric = Enum(['prompt_time', 'token_time', 'e2e_time']);
export const SizeColumn = Enum(['prompt_size', 'batch_size', 'token_size']);
export const PowerState = Enum(['recorded', 'not recorded', 'partly recorded', 'absent']);
export const MethodName = Enum(['linear', 'pchip', 'isotonic', 'loglog', 'decode']);
export const InterpolatorName = Enum(['linear', 'pchip', 'isotonic', 'loglog']);
export const MethodChoice = Enum(['linear', 'pchip', 'isotonic', 'loglog', 'decode', 'auto']);
export const FitKey = Enum(['batch_tokens', 'batch_size']);
export const Policy = Enum(['auto', 'linear', 'line', 'proportional', 'model', 'clamp', 'error']);

export const Sizes = { prompt_size: Size, batch_size: Size, token_size: Size };
export const BySource = Obj({ measured: Count, interpolated: Count, extrapolated: Count });

export const FindingCode = Enum(FINDING_CODES);
export const Finding = Obj({ severity: Severity, code: FindingCode, group: Name, message: Name });

export const SizedValue = Obj({ ...Sizes, value: Type.Number() });
export const Violation = Obj({ metric: TimeMetric, along: SizeColumn, from: SizedValue, to: SizedValue, drop: Type.Number() }, 'A size grew and a time fell: drop = (from - to) / from.');

export const Spread = Obj({
  medianCv: NonNegativeOrNull,
  maxCv: NonNegativeOrNull,
  maxRatio: NonNegativeOrNull,
  worst: Type.Array(Obj({ ...Sizes, cv: Type.Number(), ratio: NumberOrNull }), { maxItems: 3 }),
});

export const Candidate = Obj({ method: InterpolatorName, applicable: Type.Boolean(), mape: NonNegativeOrNull, maxApe: NonNegativeOrNull, monotone: OrNull(Type.Boolean()) });

export const FitQuality = OrNull(
  Obj(
    {
      method: MethodName,
      key: FitKey,
      knots: Count,
      mape: NonNegativeOrNull,
      maxApe: NonNegativeOrNull,
      worstX: OrNull(NonNegative),
      candidates: OrNull(Type.Array(Candidate)),
    },
    'Leave-one-out over the interior knots; mape, maxApe and worstX are null when there is no interior knot. The whole entry is null when the metric was not fitted. candidates: every method\'s score when the method was chosen with auto, else null.',
  ),
);

export const Clamp = Obj({
  points: Count,
  rows: Count,
  first: OrNull(Obj({ prompt_size: Size, batch_size: Size, linear: Type.Number(), clampedTo: Type.Number() })),
});

export const ExcludedConfiguration = Obj({ ...Sizes, rule: Name }, 'A measured configuration left out of the fit (--exclude-anomalies) and the rule that caught it.');
