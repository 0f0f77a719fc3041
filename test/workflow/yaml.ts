/**
 * A reader for the subset of YAML that workflow files use: block mappings and
 * sequences, `|` literal block scalars, plain and quoted scalars, `[a, b]` and
 * `{}` flow collections, comments. Anything else (anchors, tags, `>` folding,
 * multi-line flow) throws rather than being misread.
 */

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export type YamlValue = Value;

/** Parses a YAML document of the subset above. */
export function parseYaml(text: string): Value {
  const reader = new Reader(text.replace(/\r\n/g, '\n').split('\n'));
  const first = reader.peek();
  if (first === null) return null;
  const value = reader.block();
  const rest = reader.peek();
  if (rest !== null) throw new Error(`yaml: line ${rest.no}: unexpected indentation`);
  return value;
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

class Reader {
  private i = 0;
  constructor(private readonly lines: string[]) {}

  /** The next line that is neither blank nor only a comment, not consumed. */
  peek(): Line | null {
    while (this.i < this.lines.length) {
      const raw = this.lines[this.i] as string;
      const text = stripComment(raw).trim();
      if (text !== '') {
        if (raw.startsWith('\t')) throw new Error(`yaml: line ${this.i + 1}: tab indentation`);
        return { no: this.i + 1, indent: raw.length - raw.trimStart().length, text };
      }
      this.i++;
    }
    return null;
  }

  /** The mapping or sequence that starts on the next line. */
  block(): Value {
    const line = this.peek();
    if (line === null) return null;
    return isItem(line.text) ? this.sequence(line.indent) : this.mapping(line.indent);
  }

  private mapping(indent: number): Value {
    const out: Record<string, Value> = {};
    for (let line = this.peek(); line !== null && line.indent === indent && !isItem(line.text); line = this.peek()) {
      const match = /^([^\s'"{[][^:]*?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/.exec(line.text);
      if (match === null) throw new Error(`yaml: line ${line.no}: expected "key: value", got ${JSON.stringify(line.text)}`);
      const key = scalar(match[1] as string);
      if (typeof key !== 'string' || key in out) throw new Error(`yaml: line ${line.no}: bad or repeated key ${JSON.stringify(match[1])}`);
      this.i++;
      out[key] = this.value(match[2] ?? '', indent, line.no);
    }
    const next = this.peek();
    if (next !== null && next.indent > indent) throw new Error(`yaml: line ${next.no}: unexpected indentation`);
    return out;
  }

  private sequence(indent: number): Value[] {
    const out: Value[] = [];
    for (let line = this.peek(); line !== null && line.indent === indent && isItem(line.text); line = this.peek()) {
      const rest = line.text.slice(1).trimStart();
      if (/^([^\s'"{[][^:]*?|"[^"]*"|'[^']*'):(\s|$)/.test(rest)) {
        // "- key: value" opens a mapping whose keys sit where "key" does.
        const column = (this.lines[this.i] as string).indexOf(rest);
        this.lines[this.i] = ' '.repeat(column) + (this.lines[this.i] as string).slice(column);
        out.push(this.mapping(column));
      } else {
        this.i++;
        out.push(this.value(rest, indent, line.no));
      }
    }
    return out;
  }

  /** What follows "key:" or "- ": a scalar, a block scalar, or a nested block on the next lines. */
  private value(text: string, indent: number, no: number): Value {
    if (/^\|[-+]?$/.test(text)) return this.literal(indent, text.slice(1));
    if (/^[>&*!]/.test(text)) throw new Error(`yaml: line ${no}: unsupported ${JSON.stringify(text)}`);
    if (text !== '') return scalar(text);
    const next = this.peek();
    if (next === null) return null;
    if (next.indent > indent) return this.block();
    return next.indent === indent && isItem(next.text) ? this.sequence(indent) : null;
  }

  /** A `|` block: the lines indented deeper than the key, less the first line's indentation. */
  private literal(indent: number, chomp: string): string {
    const body: string[] = [];
    let base = -1;
    while (this.i < this.lines.length) {
      const raw = this.lines[this.i] as string;
      const depth = raw.length - raw.trimStart().length;
      if (raw.trim() !== '' && depth <= indent) break;
      if (raw.trim() !== '' && base < 0) base = depth;
      body.push(raw.trim() === '' ? '' : raw.slice(base));
      this.i++;
    }
    const text = body.join('\n');
    if (chomp === '+') return `${text}\n`;
    const stripped = text.replace(/\n+$/, '');
    return chomp === '-' ? stripped : `${stripped}\n`;
  }
}

function isItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** The line without a trailing `# comment` (a `#` after a space, outside quotes). */
export function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote !== '') {
      // '' inside single quotes is a quote, not the end.
      if (c === "'" && quote === "'" && line[i + 1] === "'") i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:[{,-]/.test(line[i - 1] as string)) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** A scalar on one line: quoted, a flow collection, or plain (numbers, booleans and null typed). */
function scalar(text: string): Value {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new Error(`yaml: unterminated ${text}`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('[') || text.startsWith('{')) return flow(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** `[a, b]`, `{}` or `{a: b}` on one line, not nested. */
function flow(text: string): Value {
  const open = text[0] as string;
  const close = open === '[' ? ']' : '}';
  if (!text.endsWith(close)) throw new Error(`yaml: unsupported flow collection ${text}`);
  const inner = text.slice(1, -1).trim();
  if (/[[\]{}]/.test(inner)) throw new Error(`yaml: nested flow collection ${text}`);
  const items = inner === '' ? [] : inner.split(',').map((s) => s.trim());
  if (open === '[') return items.map(scalar);
  const out: Record<string, Value> = {};
  for (const item of items) {
    const at = item.indexOf(':');
    if (at < 0) throw new Error(`yaml: flow mapping entry without a colon: ${item}`);
    out[item.slice(0, at).trim()] = scalar(item.slice(at + 1).trim());
  }
  return out;
}
