// Runs a compiled CLI script from dist/, first making sure dist/ was built
// from exactly the sources in the tree: the build records a sha256 over every
// source file's path and bytes (not their times, which cp -p, tar and rsync
// keep), and the launcher compares it at each start. The bytes are read only
// when a source's size, mtime, ctime or inode differs from what was recorded
// beside the hash (dist/.stats.json): a write always moves ctime, even one
// that sets an old mtime, so an unchanged tree costs one stat per file. A stale,
// missing or partial dist/ is rebuilt; where that is not possible (no
// compiler, a read-only folder) the launcher says so in one line. The build
// also bundles each command into one file in dist/bin/, which is what runs.
//   node scripts/launch.mjs <script> [args...]   e.g. generate --prompts 128..8192
//   node scripts/launch.mjs --build               compile
//   node scripts/launch.mjs --ensure              compile only when dist/ is stale
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const manifestPath = join(dist, '.build.json');
const statsPath = join(dist, '.stats.json');
const SOURCES = ['pipeline', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** One line on stderr in the project's error format, then exit. */
function fail(code, message, hint, exitCode = 1) {
  process.stderr.write(`${code} ${message}; hint: ${hint}\n`);
  process.exit(exitCode);
}

/** Every source file under the SOURCES entries, as sorted paths relative to the root. */
function sourceFiles() {
  const files = [];
  const visit = (path, isDirectory) => {
    if (isDirectory) for (const entry of readdirSync(path, { withFileTypes: true })) visit(join(path, entry.name), entry.isDirectory());
    else if (/\.(ts|mts|mjs|json)$/.test(path)) files.push(relative(root, path));
  };
  for (const entry of SOURCES) {
    const path = join(root, entry);
    if (existsSync(path)) visit(path, statSync(path).isDirectory());
  }
  return files.sort();
}

/** A file's identity without reading it: size, mtime, ctime and inode (ctime moves on every write, even one that sets an old mtime). */
function statKey(path) {
  const s = statSync(path, { bigint: true });
  return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
}

/** sha256 over each source's path and bytes, with each file's statKey taken before it was read. */
function sourceHash(files = sourceFiles()) {
  const hash = createHash('sha256');
  const stats = {};
  for (const file of files) {
    stats[file] = statKey(join(root, file));
    hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  }
  return { hash: hash.digest('hex'), stats };
}

/**
 * The sources' hash, read from dist/.stats.json when every source still has
 * the statKey recorded there (same files, none written since: no byte is
 * read), computed otherwise and recorded for the next start where dist/ is
 * writable.
 */
function currentHash() {
  const files = sourceFiles();
  let cached = null;
  try {
    cached = JSON.parse(readFileSync(statsPath, 'utf8'));
  } catch {
    // No record, or a damaged one: hash the bytes.
  }
  if (cached !== null && typeof cached.sources === 'string' && sameStats(files, cached.stats)) return { hash: cached.sources, stats: cached.stats };
  const computed = sourceHash(files);
  if (existsSync(dist)) recordStats(computed);
  return computed;
}

function sameStats(files, stats) {
  if (stats === null || typeof stats !== 'object' || Object.keys(stats).length !== files.length) return false;
  try {
    return files.every((file) => stats[file] === statKey(join(root, file)));
  } catch {
    return false;
  }
}

/** Best effort: a read-only dist/ only means the next start hashes again. */
function recordStats({ hash, stats }, dir = dist) {
  try {
    writeFileSync(join(dir, '.stats.json'), `${JSON.stringify({ sources: hash, stats })}\n`);
  } catch {
    // Not writable: nothing is lost but time.
  }
}

/** Every .js file under a folder, relative to it. */
function outputs(dir, sub = '') {
  return readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? outputs(dir, join(sub, e.name)) : e.name.endsWith('.js') ? [join(sub, e.name)] : []));
}

/** Why dist/ cannot be used as it is, or null when it was built from these very sources and is whole. */
function staleness(hash) {
  if (!existsSync(manifestPath)) return 'dist/ has not been built';
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return 'dist/.build.json is unreadable';
  }
  if (manifest.sources !== hash) return 'the sources changed since dist/ was built';
  const missing = (manifest.files ?? []).find((f) => !existsSync(join(dist, f)));
  return missing === undefined ? null : `dist/${missing} is missing`;
}

/** Compiles into a fresh folder beside dist/ and swaps it in, so that a failed build leaves dist/ as it was. */
function build({ hash, stats }, why) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) fail('E_NOT_INSTALLED', `the TypeScript compiler is missing, and ${why}`, 'run `npm ci` first');
  let temp;
  try {
    temp = mkdtempSync(join(root, '.dist-build-'));
  } catch (error) {
    fail('E_STALE_BUILD', `${why}, and no build folder can be made next to it (${error.code ?? error.message})`, 'run `npm run build` where the project folder is writable');
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', temp, '--incremental', 'false'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    rmSync(temp, { recursive: true, force: true });
    fail('E_BUILD_FAILED', `the TypeScript build failed (${why})`, 'fix the type errors printed above, then run `npm run build`');
  }
  bundle(temp);
  // mkdtemp makes the folder private; dist/ is read by whoever runs the project.
  chmodSync(temp, 0o755);
  writeFileSync(join(temp, '.build.json'), `${JSON.stringify({ sources: hash, files: outputs(temp).sort() })}\n`);
  recordStats({ hash, stats }, temp);
  try {
    rmSync(dist, { recursive: true, force: true });
    renameSync(temp, dist);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    fail('E_STALE_BUILD', `${why}, and dist/ cannot be replaced (${error.code ?? error.message})`, 'make dist/ writable, or run `npm run build` as its owner');
  }
}

/** The commands bundled into one file each (dist/bin/), with the two worker threads they start; bench is not (it starts itself as a worker). */
const BUNDLED = ['generate', 'query', 'report-diff', 'fetch-data', 'schema'];
const WORKERS = ['pipeline/emit/worker.js', 'pipeline/plot-worker.js'];

/**
 * Bundles each command of the compiled tree into one file in bin/ (esbuild),
 * the workers beside them under the names the commands start them by:
 * loading one file instead of some 150 modules takes a tenth of a second off
 * every start. The packages a command loads only now and then (the schema
 * validators) and the chart libraries (whose bundles the report page inlines
 * as text) stay outside. Without esbuild the commands run unbundled.
 */
function bundle(temp) {
  const esbuild = join(root, 'node_modules', 'esbuild', 'bin', 'esbuild');
  if (!existsSync(esbuild)) return;
  const entries = [...BUNDLED.map((s) => join(temp, 'scripts', `${s}.js`)), ...WORKERS.map((w) => join(temp, w))];
  const banner = "import { createRequire as __perfdbRequire } from 'node:module'; const require = __perfdbRequire(import.meta.url);";
  const args = [...entries, '--bundle', '--platform=node', '--format=esm', '--target=node20', `--outdir=${join(temp, 'bin')}`, '--entry-names=[name]', '--external:@sinclair/typebox', '--external:ajv', '--external:vega', '--external:vega-lite', '--external:vega-embed', '--log-level=warning', `--banner:js=${banner}`];
  const result = spawnSync(esbuild, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    rmSync(temp, { recursive: true, force: true });
    fail('E_BUILD_FAILED', 'bundling the compiled commands failed', 'see the esbuild message above; `npm ci` reinstalls esbuild');
  }
}

/** The commands: the scripts package.json runs through this launcher. */
function commands() {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
  return Object.values(scripts).flatMap((line) => /launch\.mjs ([a-z][a-z-]*)/.exec(String(line))?.slice(1) ?? []).sort();
}

const script = process.argv[2];
const sources = script === '--build' ? sourceHash() : currentHash();
const why = script === '--build' ? 'a build was asked for' : staleness(sources.hash);
// A build records the hash of the bytes it compiles, never one taken from the record.
if (why !== null) build(script === '--build' ? sources : sourceHash(), why);
if (script !== '--build' && script !== '--ensure') {
  const known = commands();
  if (script === undefined || !known.includes(script)) {
    fail('E_USAGE', `unknown script ${JSON.stringify(script ?? '')}`, `one of ${known.join(', ')}, e.g. \`npm run generate -- --help\``, 2);
  }
  process.argv.splice(2, 1);
  const bundled = join(dist, 'bin', `${script}.js`);
  await import(pathToFileURL(existsSync(bundled) ? bundled : join(dist, 'scripts', `${script}.js`)).href);
}
