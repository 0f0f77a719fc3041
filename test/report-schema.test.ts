import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaJson } from '../pipeline/report/schema-file.js';
import { SCHEMA_VERSION } from '../pipeline/report/numbers.js';
import { QualityReportSchema as schema } from '../pipeline/report/schema.js';
import { cleanUp, FIXTURES, generate, ROOT, scratch } from './helpers.js';

// The options report-diff.ts compiles the schema with: union types are how it says "may be null".
const validate = new Ajv({ allowUnionTypes: true }).compile(schema);

type Json = Record<string, unknown>;

function errorsOf(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

let dir: string;
let fresh: Json;

beforeAll(async () => {
  dir = await scratch('perfdb-schema-');
  const run = await generate(['--input', join(FIXTURES, 'golden', 'input.csv'), '--out', dir, '--prompts', '100..300', '--step', '100', '--batches', '1,2', '--tokens', '10', '--no-plots']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  fresh = JSON.parse(await readFile(join(dir, 'quality-report.json'), 'utf8')) as Json;
});

afterAll(() => cleanUp(dir));

describe('quality-report.schema.json', () => {
  it('is the report schema of pipeline/report/schema.ts written out (`npm run schema`)', async () => {
    const file = await readFile(join(ROOT, 'pipeline', 'report', 'quality-report.schema.json'), 'utf8');
    expect(file).toBe(schemaJson());
  });

  it('accepts the committed data/generated/quality-report.json', async () => {
    const committed: unknown = JSON.parse(await readFile(join(ROOT, 'data', 'generated', 'quality-report.json'), 'utf8'));
    expect(errorsOf(committed)).toEqual([]);
  });

  it('accepts a report just written by the generate CLI from the golden fixture', () => {
    expect(errorsOf(fresh)).toEqual([]);
    expect((fresh.groups as unknown[]).length).toBe(2);
  });

  /** Each edit breaks one rule of the schema; the report must then fail validation. */
  const breakages: [string, (r: Json) => void, RegExp][] = [
    ['a wrong schemaVersion', (r) => (r.schemaVersion = SCHEMA_VERSION + 1), /^\/schemaVersion must be equal to constant/],
    ['schemaVersion as a string', (r) => (r.schemaVersion = String(SCHEMA_VERSION)), /^\/schemaVersion must be number/],
    ['a missing top-level key', (r) => delete r.summary, /must have required property 'summary'/],
    ['a missing group key', (r) => delete group(r).predictions, /^\/groups\/0 must have required property 'predictions'/],
    ['a missing key in a measured entry', (r) => delete (group(r).measured as Json[])[0]?.prompt_time, /^\/groups\/0\/measured\/0 must have required property 'prompt_time'/],
    ['an unknown key in a fixed structure', (r) => ((r.output as Json).extra = 1), /^\/output must NOT have additional properties/],
    ['an unknown status', (r) => ((r.summary as Json).status = 'bad'), /^\/summary\/status must be equal to one of the allowed values/],
    ['an unknown severity', (r) => ((group(r).findings as Json[])[0]!.severity = 'error'), /^\/groups\/0\/findings\/0\/severity must be equal to one of the allowed values/],
    ['an unknown source', (r) => ((r.output as Json).bySource = { measured: 1, interpolated: 2, predicted: 3 }), /^\/output\/bySource must have required property 'extrapolated'/],
    ['a row count that is not an integer', (r) => ((r.output as Json).rows = 1.5), /^\/output\/rows must be integer/],
    ['a negative count', (r) => ((r.inputs as Json).rowsKept = -1), /^\/inputs\/rowsKept must be >= 0/],
    ['a prediction that is a string', (r) => ((group(r).predictions as Json).prompt_time = ['1']), /^\/groups\/0\/predictions\/prompt_time\/0 must be number,null/],
    ['a finding code in lower case', (r) => ((group(r).findings as Json[])[0]!.code = 'high_spread'), /^\/groups\/0\/findings\/0\/code must be equal to one of the allowed values/],
    ['a finding code that the report does not make', (r) => ((group(r).findings as Json[])[0]!.code = 'NO_SUCH_FINDING'), /^\/groups\/0\/findings\/0\/code must be equal to one of the allowed values/],
  ];

  it.each(breakages)('rejects %s', (_name, edit, expected) => {
    const report = structuredClone(fresh);
    edit(report);
    const errors = errorsOf(report);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(expected);
  });
});

function group(report: Json): Json {
  return (report.groups as Json[])[0] as Json;
}
