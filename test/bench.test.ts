import { describe, expect, it } from 'vitest';
import { runCommand } from './helpers.js';

describe('npm run bench', () => {
  it('stops in one line without GNU time (E_NO_GNU_TIME), before running anything', async () => {
    const run = await runCommand('bench', ['--runs', '1'], { PERFDB_GNU_TIME: '/nonexistent/time' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('E_NO_GNU_TIME /nonexistent/time is missing; the benchmark reads peak RSS from GNU time; hint: apt-get install time, or set PERFDB_GNU_TIME to its path\n');
    expect(run.stdout).toBe('');
  });
});
