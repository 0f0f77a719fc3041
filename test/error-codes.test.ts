/**
 * Every error code the project can raise is listed once (core/error-codes.ts)
 * and is asserted by a test: by a test file, or by the README's
 * troubleshooting table, whose every row test/catalogue.test.ts runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../pipeline/core/error-codes.js';
import { ROOT } from './helpers.js';

const CODES = Object.keys(ERROR_CODES);
const tests = readdirSync(join(ROOT, 'test'))
  .filter((n) => n.endsWith('.test.ts') && n !== 'error-codes.test.ts')
  .map((n) => readFileSync(join(ROOT, 'test', n), 'utf8'))
  .join('\n');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const table = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Where the data comes from'));

describe('error codes', () => {
  it.each(CODES)('%s is asserted by a test or by a troubleshooting row', (code) => {
    const inTests = new RegExp(`\\b${code}\\b`).test(tests);
    const inTable = table.includes(`\`${code}\``);
    expect(inTests || inTable).toBe(true);
  });

  it('lists every code the sources raise, the launcher included', () => {
    const raised = new Set<string>();
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (/\.(ts|mjs)$/.test(entry.name) && entry.name !== 'error-codes.ts') for (const m of readFileSync(path, 'utf8').matchAll(/'(E_[A-Z0-9_]+)'/g)) raised.add(m[1] as string);
      }
    };
    visit(join(ROOT, 'pipeline'));
    visit(join(ROOT, 'scripts'));
    expect([...raised].filter((c) => !CODES.includes(c))).toEqual([]);
    expect(raised.size).toBeGreaterThan(40);
  });
});
