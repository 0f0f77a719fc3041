import { describe, expect, it } from 'vitest';
import { runOptions } from '../pipeline/options/defaults.js';
import { round } from '../pipeline/report/numbers.js';
import { buildReport } from '../pipeline/stages/report.js';
import { pipelineRun, source } from './helpers.js';


const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time';

async function report(text: string) {
  const result = await pipelineRun([source(text)], { onInvalid: 'skip', concurrency: 1 }, () => undefined);
  return buildReport(result, { ...runOptions(), command: 'npm run generate --', gridText: { prompts: 'measured', batches: 'measured', tokens: 'measured' } });
}

describe('buildReport()', () => {
  it('does not list a group that kept some of its rows', async () => {
    const r = await report(`${HEADER}\nok,h,1,128,1,16,10,5\nok,h,1,256,1,16,20,6\npart,h,2,128,1,16,x,5\npart,h,2,256,1,16,20,5\npart,h,2,512,1,16,30,5\n`);
    expect(r.inputs.rowsRejected).toBe(1);
    expect(r.inputs.rejectedGroups).toEqual([]);
    expect(r.groups.map((g) => g.group)).toEqual(['ok/h/tp=1', 'part/h/tp=2']);
  });

  it('reports a group with no row kept as a fail finding at the top', async () => {
    const r = await report(`${HEADER}\nok,h,1,128,1,16,10,5\nok,h,1,256,1,16,20,6\nbad,h,2,128,1,16,x,5\nbad,h,2,256,1,16,,5\n`);
    expect(r.inputs.rejectedGroups).toEqual([{ group: 'bad/h/tp=2', rows: 2 }]);
    expect(r.summary.status).toBe('fail');
    expect(r.summary.topFindings[0]).toEqual({ severity: 'fail', code: 'GROUP_ALL_REJECTED', group: 'bad/h/tp=2', message: 'every one of its 2 rows was rejected; the group is not in the database' });
  });

  it.each([
    [123.4567891, 123.457],
    [0.000123456789, 0.000123457],
    [-98765.4321, -98765.4],
    [0, 0],
  ])('round(%d) keeps 6 significant digits: %d', (value, expected) => {
    expect(round(value)).toBe(expected);
  });
});
