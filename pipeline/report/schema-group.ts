/** The shape of one group's section of the quality report. */
import { Type } from '@sinclair/typebox';
import {
  BySource,
  Clamp,
  Count,
  Enum,
  ExcludedConfiguration,
  FitKey,
  FitQuality,
  Finding,
  MethodName,
  Metric,
  Name,
  NonNegative,
  NonNegativeOrNull,
  NumberOrNull,
  Obj,
  OrNull,
  PowerState,
  Size,
  Sizes,
  Spread,
  Status,
  Violation,
} from './schema-parts.js';

const Model = OrNull(Obj({ kind: Enum(['decode', 'prefill']), coef: Type.Array(NonNegative) }, 'The hardware model (fit/models.ts): token_time = a + b B + c B (P + T/2), prompt_time = a + b P B + c P^2 B.'));
const GroupTails = OrNull(Obj({ upper: Enum(['line', 'proportional', 'model', 'clamp']), lower: Enum(['line', 'proportional', 'model', 'clamp']) }, 'The tails this group uses; null: the method\'s own extrapolation (SplitwiseSim).'));

const Outlier = Obj({ ...Sizes, metric: Metric, value: Type.Number(), median: Type.Number(), z: NumberOrNull, relative: NonNegativeOrNull });

const Anomalies = Obj({
  monotonicity: Obj({ count: Count, list: Type.Array(Violation) }),
  e2e: Obj({
    checked: Count,
    inconsistent: Count,
    worst: Type.Array(Obj({ ...Sizes, measured: Type.Number(), expected: Type.Number(), relative: NumberOrNull }), { maxItems: 5 }),
  }),
  copies: Type.Array(Obj({ metric: Metric, of: Name, factor: Type.Number() })),
  power: Obj({ peak_power: PowerState, average_power: PowerState }),
});

const TokenKeys = OrNull(
  Obj(
    {
      method: MethodName,
      byKey: Type.Array(
        Type.Object(
          {
            key: FitKey,
            knots: Count,
            linear: NonNegativeOrNull,
            pchip: Type.Optional(NonNegativeOrNull),
            isotonic: Type.Optional(NonNegativeOrNull),
            loglog: Type.Optional(NonNegativeOrNull),
          },
          { additionalProperties: false },
        ),
      ),
    },
    "token_time's leave-one-out mean error keyed by batch_tokens and by batch_size, for linear and the method in use; null when token_time was not fitted.",
  ),
);

const Predictions = Obj(
  {
    points: Type.Array(Obj({ prompt_size: Size, batch_size: Size }), { minItems: 1 }),
    prompt_time: Type.Array(NumberOrNull, { minItems: 1 }),
    token_time: Type.Array(NumberOrNull, { minItems: 1 }),
  },
  'The emitted value of each studied metric at the probe (prompt_size, batch_size) points; each list is as long as points.',
);

const Coverage = Obj({
  batchTokensRange: Type.Tuple([Size, Size]),
  rows: Count,
  bySource: BySource,
  maxExtrapolation: OrNull(Obj({ factor: NonNegative, prompt_size: Size, batch_size: Size })),
  skippedBeyondMax: Count,
});

const EmittedChecks = Obj({
  monotonicity: Obj({ count: Count, betweenExtrapolated: Count, first: Type.Array(Violation, { maxItems: 5 }) }),
  belowMinimum: Count,
  beyondValidated: Count,
  differsFromSplitwise: Count,
  replaced: Type.Array(ExcludedConfiguration),
  clamped: Obj({ prompt_time: Clamp, token_time: Clamp, peak_power: Clamp, average_power: Clamp }),
});

const Plots = Type.Object(
  {
    prompt_time: Type.Optional(Name),
    token_time: Type.Optional(Name),
    peak_power: Type.Optional(Name),
    average_power: Type.Optional(Name),
  },
  { additionalProperties: false, description: 'SVG file per plotted metric, relative to the report; empty when run with --no-plots.' },
);

export const GroupSection = Obj({
  group: Name,
  model: Name,
  hardware: Name,
  tensor_parallel: Size,
  status: Status,
  inputs: Obj({ rowsKept: Count, duplicatesDropped: Count }),
  repetitions: Obj({
    configurations: Count,
    perConfiguration: Obj({ min: Size, median: Type.Number({ minimum: 1 }), max: Size }),
    spread: Obj({ prompt_time: Spread, token_time: Spread }),
  }),
  outliers: Obj({ count: Count, list: Type.Array(Outlier, { maxItems: 20, description: 'The first 20 outlying repetitions; z and relative are null where infinite (a zero MAD or median).' }) }),
  anomalies: Anomalies,
  measured: Type.Array(Obj({ ...Sizes, count: Size, prompt_time: NumberOrNull, token_time: NumberOrNull, e2e_time: NumberOrNull }), {
    description: 'One entry per measured configuration: the medians over its repetitions; null where the column was absent.',
  }),
  fitQuality: Obj({ prompt_time: FitQuality, token_time: FitQuality }),
  tokenKeys: TokenKeys,
  excluded: Type.Array(ExcludedConfiguration),
  broken: Type.Array(Obj({ prompt_size: Size, batch_size: Size, token_size: Size }), { description: 'Configurations with a broken measurement, left out of the backtests and the hardware models.' }),
  models: Obj({ prompt_time: Model, token_time: Model }),
  tails: Obj({ prompt_time: GroupTails, token_time: GroupTails }),
  predictions: Predictions,
  coverage: Coverage,
  emittedChecks: EmittedChecks,
  plots: Plots,
  findings: Type.Array(Finding),
});
