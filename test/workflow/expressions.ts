/**
 * GitHub Actions expressions, the part workflows here use: literals, context
 * paths (`github.event.pull_request.number`), `!`, `==`, `!=`, `&&`, `||`,
 * parentheses and the functions the caller supplies (`success()`, ...).
 * Comparison of two strings ignores case, as GitHub's does; `&&` and `||`
 * return an operand, not a boolean. An unknown function throws.
 */

export type ExprValue = string | number | boolean | null | object;

export interface ExprContext {
  /** Top-level contexts: github, steps, needs, runner, env, ... */
  contexts: Record<string, unknown>;
  functions: Record<string, (...args: ExprValue[]) => ExprValue>;
}

const TOKEN = /\s*(?:(\|\||&&|==|!=|[!(),])|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)\b|([A-Za-z_][\w.-]*))/y;

type Token = { op: string } | { str: string } | { num: number } | { name: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) throw new Error(`expression: cannot read ${JSON.stringify(text.slice(at))} in ${JSON.stringify(text)}`);
    if (m[1] !== undefined) out.push({ op: m[1] });
    else if (m[2] !== undefined) out.push({ str: m[2].replace(/''/g, "'") });
    else if (m[3] !== undefined) out.push({ num: Number(m[3]) });
    else out.push({ name: m[4] as string });
  }
  return out;
}

export function truthy(v: ExprValue | undefined): boolean {
  return !(v === false || v === null || v === undefined || v === 0 || v === '' || Number.isNaN(v));
}

function toNumber(v: ExprValue): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return typeof v === 'number' ? v : Number.NaN;
}

function equal(a: ExprValue, b: ExprValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && typeof a !== 'object') return a === b;
  if (typeof a === 'object' && a !== null) return a === b;
  return toNumber(a) === toNumber(b);
}

function lookup(root: unknown, path: string): ExprValue {
  let value: unknown = root;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !(key in value)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return (value ?? null) as ExprValue;
}

/** Evaluates an expression without its `${{ }}`. */
export function evaluate(text: string, context: ExprContext): ExprValue {
  const parser = new Parser(text, context);
  const value = parser.or();
  parser.end();
  return value;
}

/** Precedence, lowest first: ||, &&, == and !=, !, then literals, paths, calls and parentheses. */
class Parser {
  private readonly tokens: Token[];
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly context: ExprContext,
  ) {
    this.tokens = tokenize(text);
  }

  end(): void {
    if (this.i !== this.tokens.length) throw new Error(`expression: trailing tokens in ${JSON.stringify(this.text)}`);
  }

  or(): ExprValue {
    let left = this.and();
    while (this.take('||')) {
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  private and(): ExprValue {
    let left = this.compare();
    while (this.take('&&')) {
      const right = this.compare();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  private compare(): ExprValue {
    const left = this.unary();
    if (this.take('==')) return equal(left, this.unary());
    if (this.take('!=')) return !equal(left, this.unary());
    return left;
  }

  private unary(): ExprValue {
    return this.take('!') ? !truthy(this.unary()) : this.primary();
  }

  private primary(): ExprValue {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new Error(`expression: ends early: ${JSON.stringify(this.text)}`);
    if ('str' in t) return t.str;
    if ('num' in t) return t.num;
    if ('op' in t) {
      if (t.op !== '(') throw new Error(`expression: unexpected ${t.op} in ${JSON.stringify(this.text)}`);
      const value = this.or();
      if (!this.take(')')) throw new Error(`expression: expected ) in ${JSON.stringify(this.text)}`);
      return value;
    }
    if (t.name === 'true' || t.name === 'false') return t.name === 'true';
    if (t.name === 'null') return null;
    return this.take('(') ? this.call(t.name) : lookup(this.context.contexts, t.name);
  }

  private call(name: string): ExprValue {
    const args: ExprValue[] = [];
    while (!this.take(')')) {
      if (args.length > 0 && !this.take(',')) throw new Error(`expression: expected , in ${JSON.stringify(this.text)}`);
      args.push(this.or());
    }
    const fn = this.context.functions[name];
    if (fn === undefined) throw new Error(`expression: the harness has no function ${name}()`);
    return fn(...args);
  }

  /** Consumes the operator when it comes next. */
  private take(op: string): boolean {
    const t = this.tokens[this.i];
    if (t === undefined || !('op' in t) || t.op !== op) return false;
    this.i++;
    return true;
  }
}

/** The text with every `${{ expr }}` replaced by its value ('' for null). */
export function interpolate(text: string, context: ExprContext): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr, context);
    return v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

const STATUS = /\b(success|failure|cancelled|always)\(\s*\)/;

/** Whether an `if:` holds; without a status function it means `success() && (...)`, as on GitHub. */
export function condition(text: string | undefined, context: ExprContext): boolean {
  if (text === undefined) return truthy(evaluate('success()', context));
  const bare = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  return truthy(evaluate(STATUS.test(bare) ? bare : `success() && (${bare})`, context));
}
