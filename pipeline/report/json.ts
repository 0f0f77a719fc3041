/**
 * quality-report.json in pieces: the very bytes of
 * `JSON.stringify(report, null, 2) + '\n'`, with the `groups` array written
 * one group at a time, so that a report of thousands of groups is never one
 * string of tens of megabytes.
 */
export function* reportJson(report: object, streamed = 'groups'): Generator<string, void, undefined> {
  const entries = Object.entries(report).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i] as [string, unknown];
    const comma = i < entries.length - 1 ? ',' : '';
    if (key === streamed && Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (let j = 0; j < value.length; j++) yield `    ${indent(JSON.stringify(value[j] ?? null, null, 2), '    ')}${j < value.length - 1 ? ',' : ''}\n`;
      yield `  ]${comma}\n`;
    } else {
      yield `  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`;
    }
  }
  yield '}\n';
}

/** JSON.stringify's lines under a deeper parent: every line after the first indented (strings never hold a raw newline). */
function indent(json: string, by: string): string {
  return json.replace(/\n/g, `\n${by}`);
}
