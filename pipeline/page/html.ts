/** Making text safe inside the report page: element text and attributes, JSON data and inlined scripts. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content or a quoted attribute value: names from the data must never become markup. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as
 * \u escapes (so that no `</script>` or `<!--` in a name ends the element)
 * and the line separators U+2028 and U+2029 too. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A library's code for an inline `<script>`: a `</script` inside it (only possible in
 * a string, regular expression or comment) written `<\/script`, which means the same
 * there; its source-map comment dropped, since the map is not beside the page.
 */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
}
