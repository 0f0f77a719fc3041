/**
 * The quality report's shape, as a JSON Schema built with TypeBox. It is the
 * one source of truth: report/types.ts takes the TypeScript types from it,
 * report diffs validate against it, and pipeline/report/quality-report.schema.json
 * is this object written out (`npm run schema`; a test keeps the file in step).
 */
import { Type } from '@sinclair/typebox';
import { SCHEMA_VERSION } from './numbers.js';
import { GroupSection } from './schema-group.js';
import { TrustSection } from './schema-trust.js';
import { BySource, Code, Count, Finding, MethodChoice, FitKey, Name, NonNegative, NonNegativeOrNull, Obj, Policy, Status } from './schema-parts.js';

const Inputs = Obj({
  files: Type.Array(
    Obj({
      file: Name,
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      bytes: Count,
      rowsRead: Count,
      rowsRejected: Count,
      unknownColumns: Type.Array(Type.String()),
      missingOptionalColumns: Type.Array(Type.String()),
    }),
  ),
  rowsRead: Count,
  rowsRejected: Count,
  rejectedByCode: Type.Record(Code, Type.Integer({ minimum: 1 })),
  rejected: Type.Array(Obj({ file: Type.String(), line: Type.Integer({ minimum: 1 }), code: Code, reason: Type.String() }), { maxItems: 20, description: 'The first 20 rejected rows.' }),
  rejectedGroups: Type.Array(Obj({ group: Name, rows: Type.Integer({ minimum: 1 }) }), { description: 'Groups seen only in rejected rows (as written in them): not in the database.' }),
  duplicatesDropped: Count,
  rowsKept: Count,
});

const Thresholds = Obj({
  outlierZ: NonNegative,
  outlierMinRelative: NonNegative,
  e2eTolerance: NonNegative,
  monotoneWarnDrop: NonNegative,
  monotoneFailDrop: NonNegative,
  spreadWarnCv: NonNegative,
  looWarnMape: NonNegative,
  looWarnMaxApe: NonNegative,
  extrapolationWarnFactor: NonNegative,
});

const Summary = Obj({
  status: Status,
  severityRule: Obj({ fail: Name, warn: Name, quirk: Name, info: Name }, "What each finding severity means; a group's status is the worst severity among its findings (info: ok, quirk: quirks), the overall status the worst group's."),
  groups: Type.Array(Obj({ group: Name, status: Status, fail: Count, warn: Count, quirk: Count, info: Count })),
  looMape: Obj({ prompt_time: NonNegativeOrNull, token_time: NonNegativeOrNull }, 'Mean over groups of the leave-one-out mean error, per studied metric; null when no group could be scored.'),
  topFindings: Type.Array(Finding, { maxItems: 10 }),
});

export const QualityReportSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    significantDigits: Type.Integer({ minimum: 1 }),
    command: Name,
    grid: Obj({ prompts: Name, batches: Name, tokens: Name }),
    method: Obj(
      {
        methods: Obj({ prompt_time: MethodChoice, token_time: MethodChoice, peak_power: MethodChoice, average_power: MethodChoice }),
        tokenKey: FitKey,
        extrapolate: Obj({ prompt_time: Policy, token_time: Policy, peak_power: Policy, average_power: Policy }),
        coverage: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
        maxExtrapolation: NonNegativeOrNull,
        excludeAnomalies: Type.Boolean(),
        uncertainty: Type.Boolean(),
      },
      'How the fits were made (the generate options that change them).',
    ),
    thresholds: Thresholds,
    inputs: Inputs,
    output: Obj({ file: Name, rows: Count, bySource: BySource, charts: Obj({ groups: Count, of: Count }, 'Charts are drawn for the first `groups` of the `of` groups, in group order.') }),
    trust: TrustSection,
    summary: Summary,
    groups: Type.Array(GroupSection),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://perfdb.local/quality-report.schema.json',
    title: 'perfdb quality report',
    description: 'data/generated/quality-report.json as built by the report stage (pipeline/stages/report.ts). Numbers are rounded to significantDigits; a non-finite number (an infinite ratio) is written as null.',
    additionalProperties: false,
  },
);

