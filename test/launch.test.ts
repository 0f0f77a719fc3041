/**
 * scripts/launch.mjs, the start of every npm command: it runs dist/ only when
 * dist/ was built from exactly the sources in the tree, rebuilds otherwise,
 * and fails in one line where it cannot. Each case runs in a copy of the
 * project (sources, configs, node_modules linked) so that the real dist/ is
 * never touched.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

let copy: string;
/** dist/ as the first test builds it from the untouched sources: restored where a test needs a fresh one after others edited the sources (a build takes ten seconds). */
let pristine: string | undefined;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'perfdb-launch-'));
  chmodSync(copy, 0o755);
  for (const entry of ['pipeline', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
  if (pristine !== undefined) rmSync(pristine, { recursive: true, force: true });
});

/** Puts back the dist/ built from the untouched sources (built here when the first test did not run, as with -t). */
function restoreDist(): void {
  rmSync(join(copy, 'dist'), { recursive: true, force: true });
  if (pristine === undefined) return keepPristine(help());
  cpSync(pristine, join(copy, 'dist'), { recursive: true });
}

/** Keeps a copy of the dist/ the run built. */
function keepPristine(run: SpawnSyncReturns<string>): void {
  expect(run.status, run.stderr).toBe(0);
  pristine = mkdtempSync(join(tmpdir(), 'perfdb-launch-dist-'));
  cpSync(join(copy, 'dist'), pristine, { recursive: true });
}

/** `node scripts/launch.mjs ...args` in the copy; as the user nobody when `unprivileged` (root writes anywhere). */
function launch(args: string[], unprivileged = false): SpawnSyncReturns<string> {
  const asNobody = unprivileged && process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const [command, ...rest] = [...asNobody, process.execPath, join(copy, 'scripts', 'launch.mjs'), ...args];
  return spawnSync(command as string, rest, { cwd: copy, encoding: 'utf8', timeout: 60_000 });
}

const help = () => launch(['generate', '--help']);
const oneLine = (run: SpawnSyncReturns<string>) => run.stderr.trim().split('\n');

describe('scripts/launch.mjs', () => {
  it('builds a missing dist/ and runs the command', () => {
    const run = help();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Builds data/generated/perf_db.csv');
    expect(existsSync(join(copy, 'dist', '.build.json'))).toBe(true);
    keepPristine(run);
  });

  it('bundles each command and the workers it starts into dist/bin/, and runs the bundle', () => {
    expect(help().status).toBe(0);
    const listed = (JSON.parse(readFileSync(join(copy, 'dist', '.build.json'), 'utf8')) as { files: string[] }).files;
    for (const name of ['generate', 'query', 'report-diff', 'fetch-data', 'schema', 'worker', 'plot-worker']) expect(listed).toContain(`bin/${name}.js`);
    // The bundle is what runs: a bundle that fails says so.
    const bundle = join(copy, 'dist', 'bin', 'generate.js');
    const text = readFileSync(bundle, 'utf8');
    writeFileSync(bundle, `throw new Error('the bundle ran');\n${text}`);
    try {
      expect(help().stderr).toContain('the bundle ran');
    } finally {
      writeFileSync(bundle, text);
    }
    expect(help().status).toBe(0);
  });

  it('rebuilds a partial dist/ (one compiled file missing)', () => {
    rmSync(join(copy, 'dist', 'pipeline', 'core', 'keys.js'));
    expect(help().status).toBe(0);
    expect(existsSync(join(copy, 'dist', 'pipeline', 'core', 'keys.js'))).toBe(true);
  });

  it('rebuilds after `rm -rf dist/*`, which leaves dist/.build.json behind', () => {
    for (const name of ['pipeline', 'scripts']) rmSync(join(copy, 'dist', name), { recursive: true });
    expect(help().status).toBe(0);
    expect(existsSync(join(copy, 'dist', 'scripts', 'generate.js'))).toBe(true);
  });

  it('runs an edited source even when the edit kept an old timestamp (cp -p, tar, rsync -a)', () => {
    const source = join(copy, 'scripts', 'generate.ts');
    const before = readFileSync(source, 'utf8');
    writeFileSync(source, before.replace('Builds data/generated/perf_db.csv', 'Builds THE EDITED perf_db.csv'));
    const old = new Date('2001-01-01T00:00:00Z');
    utimesSync(source, old, old);
    const run = help();
    writeFileSync(source, before);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Builds THE EDITED perf_db.csv');
  });

  it('records each source\'s size, times and inode beside the hash, and hashes again when the record is damaged', () => {
    // The sources are as they were (the edit above was undone): their dist/ is fresh, and the launcher records their stats at its start.
    restoreDist();
    const marker = join(copy, 'dist', 'marker');
    writeFileSync(marker, '');
    expect(help().status).toBe(0);
    expect(existsSync(marker)).toBe(true);
    const record = JSON.parse(readFileSync(join(copy, 'dist', '.stats.json'), 'utf8')) as { sources: string; stats: Record<string, string> };
    expect(record.sources).toBe((JSON.parse(readFileSync(join(copy, 'dist', '.build.json'), 'utf8')) as { sources: string }).sources);
    expect(record.stats['scripts/generate.ts']).toMatch(/^\d+:\d+:\d+:\d+$/);
    // A record that claims the current stats for a different hash would skip the bytes: the launcher must then rebuild, which proves it trusted the record.
    // A rebuild replaces dist/ as a whole, so a marker file in it tells whether one happened.
    writeFileSync(join(copy, 'dist', '.stats.json'), JSON.stringify({ ...record, sources: 'f'.repeat(64) }));
    writeFileSync(marker, '');
    expect(help().status).toBe(0);
    expect(existsSync(marker)).toBe(false);
    writeFileSync(join(copy, 'dist', '.stats.json'), '{ not json');
    writeFileSync(marker, '');
    expect(help().status).toBe(0);
    expect(existsSync(marker)).toBe(true);
  }, 180_000);

  it('stops in one line, dist/ untouched, when the sources do not compile', () => {
    const source = join(copy, 'pipeline', 'core', 'keys.ts');
    const before = readFileSync(source, 'utf8');
    const built = readFileSync(join(copy, 'dist', '.build.json'), 'utf8');
    writeFileSync(source, `${before}\nexport const broken: number = 'not a number';\n`);
    const run = help();
    writeFileSync(source, before);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^E_BUILD_FAILED the TypeScript build failed \(the sources changed since dist\/ was built\); hint: /);
    expect(readFileSync(join(copy, 'dist', '.build.json'), 'utf8')).toBe(built);
  });

  it('runs a fresh dist/ that it cannot write, and refuses a stale one in one line', () => {
    expect(help().status).toBe(0); // fresh again after the edits above
    const readOnly = process.getuid?.() !== 0;
    const source = join(copy, 'scripts', 'cli.ts');
    const before = readFileSync(source, 'utf8');
    if (readOnly) chmodSync(copy, 0o555);
    try {
      const fresh = launch(['generate', '--help'], true);
      expect(fresh.status).toBe(0);
      chmodSync(copy, 0o755);
      writeFileSync(source, `${before}\n`);
      if (readOnly) chmodSync(copy, 0o555);
      const stale = launch(['generate', '--help'], true);
      expect(stale.status).toBe(1);
      expect(oneLine(stale)).toHaveLength(1);
      expect(stale.stderr).toMatch(/^E_STALE_BUILD the sources changed since dist\/ was built, and .*; hint: run `npm run build`/);
      expect(stale.stderr).not.toMatch(/\n\s+at /);
    } finally {
      chmodSync(copy, 0o755);
      // The same bytes again: dist/ is fresh for the tests after this one.
      writeFileSync(source, before);
    }
  });

  it('says to run npm ci when there is neither a dist/ nor a compiler (E_NOT_INSTALLED)', () => {
    const bare = mkdtempSync(join(tmpdir(), 'perfdb-launch-bare-'));
    try {
      for (const entry of ['pipeline', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, entry), join(bare, entry), { recursive: true });
      const run = spawnSync(process.execPath, [join(bare, 'scripts', 'launch.mjs'), 'generate'], { cwd: bare, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(oneLine(run)).toEqual(['E_NOT_INSTALLED the TypeScript compiler is missing, and dist/ has not been built; hint: run `npm ci` first']);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('names the commands when asked for an unknown one (exit 2)', () => {
    const run = launch(['genrate']);
    expect(run.status).toBe(2);
    expect(oneLine(run)).toEqual(['E_USAGE unknown script "genrate"; hint: one of bench, fetch-data, generate, query, report-diff, schema, e.g. `npm run generate -- --help`']);
  });
});
