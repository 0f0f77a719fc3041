/** The shape of the report's trust section (report/trust.ts). */
import { Type } from '@sinclair/typebox';
import { Count, Enum, Name, NonNegative, NonNegativeOrNull, Obj, OrNull, Size } from './schema-parts.js';

const Tail = Enum(['line', 'proportional', 'model', 'clamp']);
const TailOrOwn = Enum(['own', 'line', 'proportional', 'model', 'clamp']);

const Band = OrNull(
  Obj(
    { gamma: NonNegative, q: NonNegativeOrNull, maxFactor: NonNegative, residuals: Count },
    'err(f) = q · f^gamma up to maxFactor (interior: q); q null when there are too few residuals for the coverage.',
  ),
);
const Coverage = Type.Array(Obj({ nominal: NonNegative, achieved: NonNegativeOrNull, residuals: Count }), {
  description: 'Leave-one-family-out: the fraction of each family\'s backtest residuals inside the interval calibrated on the other families.',
});

const Side = Obj({
  chosen: Tail,
  used: TailOrOwn,
  meanError: NonNegativeOrNull,
  byK: Type.Array(NonNegativeOrNull),
  band: Band,
  coverage: Coverage,
  candidates: Type.Array(Obj({ tail: TailOrOwn, error: NonNegativeOrNull, byK: Type.Array(NonNegativeOrNull), families: Count })),
});

const MetricTrust = Obj({
  metric: Enum(['prompt_time', 'token_time']),
  families: Count,
  interior: Obj({ meanError: NonNegativeOrNull, band: Band, coverage: Coverage }),
  upper: Side,
  lower: Side,
});

export const TrustSection = Obj(
  {
    coverage: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    rows: Obj({
      total: Count,
      measured: Count,
      interpolated: Count,
      extrapolated: Count,
      beyondValidated: Count,
      belowMinimum: Count,
      fallingTail: Count,
      differsFromSplitwise: Count,
    }),
    largestFactor: OrNull(Obj({ group: Name, factor: NonNegative, prompt_size: Size, batch_size: Size })),
    metrics: Type.Array(MetricTrust),
    measureNext: Type.Array(Obj({ group: Name, prompt_size: Size, batch_size: Size, token_size: Size, rows: Count, before: NonNegative, after: NonNegative }), { maxItems: 5 }),
    offCross: OrNull(Obj({ crossPrompt: Size, points: Type.Array(Obj({ prompt_size: Size, batch_size: Size })) })),
  },
  'How much of the database is predicted and how far it can be trusted: backtests, calibrated intervals, what to measure next.',
);
