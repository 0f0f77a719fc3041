/**
 * The layout the README draws, held against the code: small files, short
 * functions, and imports that only point down (scripts -> run/options ->
 * stages -> primitives; no stage imports another stage; each primitive
 * folder imports only the folders below it). A types.ts file holds no code,
 * so importing its types (import type) is not an arrow.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const MAX_FILE_LINES = 250;
const MAX_FUNCTION_LINES = 60;

/** What each folder of pipeline/ may import, besides itself and pipeline/types.ts. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  read: ['core'],
  checks: ['core'],
  fit: ['core', 'checks'],
  emit: ['core', 'fit', 'checks', 'io'],
  report: ['core', 'checks', 'fit'],
  plots: ['core', 'fit', 'report', 'io'],
  page: ['core', 'fit', 'report', 'plots', 'io'],
  diff: ['core', 'report'],
  db: ['core', 'fit', 'io'],
  io: ['core'],
  stages: ['core', 'read', 'checks', 'fit', 'emit', 'report', 'io', 'db'],
  options: ['core', 'db'],
  '.': ['core', 'read', 'checks', 'fit', 'emit', 'report', 'plots', 'page', 'diff', 'db', 'io', 'stages', 'options'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

const FILES = [...sources(join(ROOT, 'pipeline')), ...sources(join(ROOT, 'scripts'))];
const rel = (path: string) => relative(ROOT, path);

/** pipeline/<folder>/x.ts -> folder; pipeline/x.ts -> '.'; anything else -> null. */
function folderOf(path: string): string | null {
  const parts = relative(join(ROOT, 'pipeline'), path).split('/');
  if (parts[0] === '..') return null;
  return parts.length === 1 ? '.' : (parts[0] as string);
}

function imports(path: string): { target: string; typeOnly: boolean }[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const statement of file.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || statement.moduleSpecifier === undefined) continue;
    const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.')) continue;
    const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly;
    out.push({ target: resolve(dirname(path), spec).replace(/\.js$/, '.ts'), typeOnly });
  }
  return out;
}

describe('the layout', () => {
  it.each(FILES.map(rel))('%s is at most 250 lines', (name) => {
    const lines = readFileSync(join(ROOT, name), 'utf8').split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(MAX_FILE_LINES);
  });

  it('has no function longer than 60 lines', () => {
    const long: string[] = [];
    for (const path of FILES.filter((f) => f.endsWith('.ts'))) {
      const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
          const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
          const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > MAX_FUNCTION_LINES) long.push(`${rel(path)}:${start + 1} (${end - start + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    expect(long).toEqual([]);
  });

  it('imports only downward: each pipeline folder from the folders below it, scripts never from a stage', () => {
    const wrong: string[] = [];
    for (const path of FILES) {
      const from = folderOf(path);
      for (const { target, typeOnly } of imports(path)) {
        const to = folderOf(target);
        if (to === null) continue;
        // types.ts files hold no code: their types may be imported from anywhere.
        const sharedTypes = typeOnly && target.endsWith('/types.ts');
        if (from === null) {
          if (to === 'stages') wrong.push(`${rel(path)} -> ${rel(target)}`);
          continue;
        }
        if (sharedTypes || to === from || (ALLOWED[from] ?? []).includes(to)) continue;
        wrong.push(`${rel(path)} -> ${rel(target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no stage importing another stage', () => {
    const stages = FILES.filter((f) => folderOf(f) === 'stages');
    const wrong = stages.flatMap((path) => imports(path).filter(({ target }) => folderOf(target) === 'stages' && target !== path).map(({ target }) => `${rel(path)} -> ${rel(target)}`));
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const graph = new Map(FILES.map((f) => [f, imports(f).filter((i) => !i.typeOnly).map((i) => i.target)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].map(rel).join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const f of FILES) visit(f, []);
    expect(cycles).toEqual([]);
  });
});

describe('the README', () => {
  it('draws every folder of pipeline/ in its layout, and no folder that does not exist', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The pipeline'), readme.indexOf('## Troubleshooting'));
    const block = /```\nscripts\/[\s\S]*?```/.exec(section)?.[0] ?? '';
    const drawn = [...block.matchAll(/^ {2}([a-z]+)\/ /gm)].map((m) => m[1]).sort();
    const folders = readdirSync(join(ROOT, 'pipeline'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(drawn).toEqual(folders);
  });
});
