/**
 * The SVG text primitives of the renderer: numbers written with at most DECIMALS decimals (so the
 * bytes never depend on floating-point noise below a hundredth of a pixel), text escaped for XML,
 * elements from attribute lists in the order given.
 */

/** Decimals of every coordinate and size written: a hundredth of a pixel. */
export const DECIMALS = 2;
const FACTOR = 10 ** DECIMALS;

/** `v` rounded to DECIMALS decimals, shortest digits, never `-0`. */
export function num(v: number): string {
  const r = Math.round(v * FACTOR) / FACTOR;
  return Object.is(r, -0) ? '0' : String(r);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value escaped for XML; characters XML 1.0 forbids (C0 controls other than tab and newlines) are dropped. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

export type Attributes = Readonly<Record<string, string | number | undefined>>;

/** ` name="value"` for each attribute defined; numbers through num(). */
function attributes(attrs: Attributes): string {
  let out = '';
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/** An element: self-closing without children, else its children's markup inside. */
export function element(tag: string, attrs: Attributes, children: readonly string[] = []): string {
  return children.length === 0 ? `<${tag}${attributes(attrs)}/>` : `<${tag}${attributes(attrs)}>${children.join('')}</${tag}>`;
}

/** A text element holding `text`, escaped. */
export function textElement(text: string, attrs: Attributes): string {
  return `<text${attributes(attrs)}>${escapeXml(text)}</text>`;
}

/** An SVG path's data from points: `M x,y L x,y ...`. */
export function pathData(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${num(x)},${num(y)}`).join('');
}
