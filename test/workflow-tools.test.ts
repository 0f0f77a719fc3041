/** The workflow harness's own parts: the YAML subset reader, GitHub expressions and GITHUB_OUTPUT. */
import { describe, expect, it } from 'vitest';
import { condition, evaluate, interpolate, type ExprContext } from './workflow/expressions.js';
import { parseOutputs } from './workflow/runner.js';
import { parseYaml, stripComment } from './workflow/yaml.js';

describe('parseYaml()', () => {
  it.each([
    ['a mapping with typed plain scalars', 'a: 1\nb: true\nc: null\nd: text here\ne: 1.5', { a: 1, b: true, c: null, d: 'text here', e: 1.5 }],
    ['nested mappings, a key with no value', 'on:\n  pull_request:\n  push:\n    branches: [main]', { on: { pull_request: null, push: { branches: ['main'] } } }],
    ['a sequence of mappings', 'steps:\n  - uses: x@1 # v1\n    with:\n      k: v\n  - run: npm test', { steps: [{ uses: 'x@1', with: { k: 'v' } }, { run: 'npm test' }] }],
    ['a sequence at the key\'s indentation', 'k:\n- a\n- b', { k: ['a', 'b'] }],
    ['quoted scalars keep # and colons', `a: "x # y: z"\nb: 'it''s # here'`, { a: 'x # y: z', b: "it's # here" }],
    ['an expression as a plain scalar', "c: ${{ github.event_name == 'pull_request' }}", { c: "${{ github.event_name == 'pull_request' }}" }],
    ['flow collections', 'p: {}\nq: {contents: read}\nr: []', { p: {}, q: { contents: 'read' }, r: [] }],
    ['a literal block keeps lines, indentation and # as text', 'run: |\n  echo a\n    # not a comment\n\n  exit 1\nnext: 2', { run: 'echo a\n  # not a comment\n\nexit 1\n', next: 2 }],
    ['literal block chomping', 'a: |-\n  x\n\nb: |+\n  y\n\n', { a: 'x', b: 'y\n\n\n' }],
    ['comments and blank lines between entries', '# top\na: 1\n\n  # indented comment\nb: 2 # trailing', { a: 1, b: 2 }],
  ])('reads %s', (_, text, expected) => {
    expect(parseYaml(text)).toEqual(expected);
  });

  it.each([
    ['an anchor', 'a: &x 1'],
    ['a folded block', 'a: >\n  x'],
    ['a repeated key', 'a: 1\na: 2'],
    ['a deeper line after a scalar', 'a: 1\n  b: 2'],
    ['tab indentation', 'a:\n\tb: 1'],
    ['a nested flow collection', 'a: [[1]]'],
  ])('refuses %s rather than misread it', (_, text) => {
    expect(() => parseYaml(text)).toThrow(/yaml/);
  });

  it('stripComment() cuts at a # after a space outside quotes, not inside a word or quotes', () => {
    expect(stripComment('uses: a/b@c # v1.2.3')).toBe('uses: a/b@c');
    expect(stripComment("name: Fail on the diff's checks # x")).toBe("name: Fail on the diff's checks");
    expect(stripComment('key: a#b')).toBe('key: a#b');
  });
});

const context = (contexts: Record<string, unknown>, failed = false): ExprContext => ({
  contexts,
  functions: { success: () => !failed, failure: () => failed, cancelled: () => false, always: () => true },
});

describe('evaluate()', () => {
  const ctx = context({ github: { event_name: 'pull_request', event: { pull_request: { number: 7 } } }, steps: { check: { outcome: 'failure', outputs: {} } } });
  it.each([
    ["github.event_name == 'pull_request'", true],
    ["github.event_name == 'PULL_REQUEST'", true],
    ["github.event_name != 'push'", true],
    ['github.event.pull_request.number', 7],
    ['github.event.missing.deep', null],
    ["github.event.pull_request.number || 'x'", 7],
    ["github.nothing || 'fallback'", 'fallback'],
    ["steps.check.outcome == 'failure' && 'yes'", 'yes'],
    ["!(steps.check.outcome == 'failure')", false],
    ["!steps.nothing.outputs.status == true", true],
    // A missing output is null, which compares as 0, like '0': the workflow tests `written` first.
    ["steps.check.outputs.status != '0'", false],
    ["steps.check.outputs.status == ''", true],
    ["'it''s'", "it's"],
    ['1 == true', true],
  ])('%s is %j', (text, expected) => {
    expect(evaluate(text, ctx)).toEqual(expected);
  });

  it('throws on a function it does not know and on text it cannot read', () => {
    expect(() => evaluate("hashFiles('x')", ctx)).toThrow(/no function hashFiles/);
    expect(() => evaluate('a ==', ctx)).toThrow(/ends early/);
    expect(() => evaluate('a b', ctx)).toThrow(/trailing/);
  });

  it('interpolate() replaces each ${{ }} and writes null as empty', () => {
    expect(interpolate('n=${{ github.event.pull_request.number }} x=${{ github.none }}', ctx)).toBe('n=7 x=');
  });

  it('condition() adds success() unless a status function is named, as GitHub does', () => {
    const failed = context({ github: { event_name: 'push' } }, true);
    expect(condition(undefined, failed)).toBe(false);
    expect(condition("github.event_name == 'push'", failed)).toBe(false);
    expect(condition("${{ !cancelled() && github.event_name == 'push' }}", failed)).toBe(true);
    expect(condition('failure()', failed)).toBe(true);
    expect(condition("github.event_name == 'push'", context({ github: { event_name: 'push' } }))).toBe(true);
  });
});

describe('parseOutputs()', () => {
  it('reads key=value and heredoc lines as GitHub does', () => {
    expect(parseOutputs('status=1\nwritten=true\nbody<<EOF\na=b\nc\nEOF\n')).toEqual({ status: '1', written: 'true', body: 'a=b\nc' });
  });

  it('refuses a line it cannot read and a heredoc without its end', () => {
    expect(() => parseOutputs('nonsense\n')).toThrow(/cannot read/);
    expect(() => parseOutputs('x<<EOF\na\n')).toThrow(/no closing EOF/);
  });
});
