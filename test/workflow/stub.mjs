// Stands in for `gh` and `npm` on the workflow harness's PATH: records every
// call in $STUB_LOG (one JSON line: tool, args, and the --input file's
// content), answers the GitHub API calls the comment step makes from
// $STUB_COMMENTS, and runs `npm run -s report:diff` for real with this
// project's launcher. Any call it does not expect exits 64, so a changed
// command line shows up as a failing step.
//   node stub.mjs gh|npm ARGS...
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [tool, ...args] = process.argv.slice(2);
const env = process.env;

function record(extra = {}) {
  appendFileSync(env.STUB_LOG, `${JSON.stringify({ tool, args, ...extra })}\n`);
}

function refuse(why) {
  record({ refused: why });
  process.stderr.write(`${tool} stub: ${why}: ${args.join(' ')}\n`);
  process.exit(64);
}

function option(name) {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

function gh() {
  if (!env.GH_TOKEN) {
    record({ refused: 'no GH_TOKEN' });
    process.stderr.write('gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.\n');
    process.exit(4);
  }
  if (args[0] !== 'api') refuse('only gh api is expected');
  const method = option('--method') ?? option('-X') ?? 'GET';
  const endpoint = args.slice(1).find((a, i, rest) => !a.startsWith('-') && !['--method', '-X', '--jq', '--input'].includes(rest[i - 1] ?? ''));
  const input = option('--input');
  const body = input === undefined ? undefined : JSON.parse(readFileSync(input, 'utf8'));
  const repo = env.GITHUB_REPOSITORY;
  const comments = env.STUB_COMMENTS && existsSync(env.STUB_COMMENTS) ? JSON.parse(readFileSync(env.STUB_COMMENTS, 'utf8')) : [];
  record({ method, endpoint, input: body });
  if (method === 'GET' && endpoint === `repos/${repo}/issues/${env.PR_NUMBER}/comments`) {
    const jq = option('--jq');
    if (jq === undefined) return process.stdout.write(JSON.stringify(comments));
    const result = spawnSync('jq', ['-r', jq], { input: JSON.stringify(comments), encoding: 'utf8' });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return process.exit(result.status ?? 1);
  }
  const patch = new RegExp(`^repos/${repo}/issues/comments/(\\d+)$`).exec(endpoint ?? '');
  if (method === 'PATCH' && patch !== null) {
    if (!comments.some((c) => String(c.id) === patch[1])) refuse('no such comment');
    return process.stdout.write(JSON.stringify({ id: Number(patch[1]), body: body?.body }));
  }
  if (method === 'POST' && endpoint === `repos/${repo}/issues/${env.PR_NUMBER}/comments`) {
    return process.stdout.write(JSON.stringify({ id: 9999, body: body?.body }));
  }
  refuse('unexpected API call');
}

const GENERATE = ['--prompts', '128..8192', '--step', '64'];

function npm() {
  record();
  const line = args.join(' ');
  if (['ci', 'run typecheck', 'test', 'run data:fetch'].includes(line)) return;
  if (args[0] === 'run' && args[1] === 'generate' && args[2] === '--') {
    const rest = args.slice(3);
    if (rest.slice(0, 4).join(' ') !== GENERATE.join(' ')) refuse('generate with other options than the README command');
    if (rest[4] === '--check' && rest.length === 5) {
      if (env.STUB_STALE !== '1') return;
      process.stderr.write('data/generated is stale: quality-report.json differs\n');
      process.exit(1);
    }
    if (rest[4] === '--out' && rest.length === 6) {
      mkdirSync(rest[5], { recursive: true });
      copyFileSync(env.STUB_REGENERATED, join(rest[5], 'quality-report.json'));
      writeFileSync(join(rest[5], 'perf_db.csv'), 'model,hardware\n');
      return;
    }
    refuse('unexpected generate options');
  }
  if (args.slice(0, 4).join(' ') === 'run -s report:diff --') {
    const result = spawnSync(process.execPath, [join(env.STUB_PROJECT, 'scripts', 'launch.mjs'), 'report-diff', ...args.slice(4)], { stdio: 'inherit' });
    process.exit(result.status ?? 1);
  }
  refuse('unexpected npm command');
}

if (tool === 'gh') gh();
else if (tool === 'npm') npm();
else refuse('unknown tool');
