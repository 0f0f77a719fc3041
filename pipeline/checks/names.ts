import { quoteValue } from '../core/errors.js';

export interface Lookalike {
  group: string;
  field: 'model' | 'hardware';
  name: string;
  other: string;
  otherGroup: string;
  /** What alone tells the two names apart. */
  differs: 'surrounding spaces' | 'Unicode normalisation' | 'spaces and Unicode normalisation';
}

/**
 * Model and hardware names that differ only by surrounding spaces or by
 * Unicode normalisation (é as one code point or as e plus an accent): to a
 * reader the same name, to the pipeline two groups. Each group with such a
 * name is listed once per field, against the first group holding the other
 * spelling.
 */
export function findLookalikes(groups: readonly { id: string; model: string; hardware: string }[]): Lookalike[] {
  const out: Lookalike[] = [];
  for (const field of ['model', 'hardware'] as const) {
    const byKey = new Map<string, { name: string; group: string }[]>();
    for (const g of groups) {
      const key = g[field].trim().normalize('NFC');
      const list = byKey.get(key) ?? [];
      if (!list.some((e) => e.name === g[field])) list.push({ name: g[field], group: g.id });
      byKey.set(key, list);
    }
    for (const g of groups) {
      const spellings = byKey.get(g[field].trim().normalize('NFC')) ?? [];
      const other = spellings.find((e) => e.name !== g[field]);
      if (other === undefined) continue;
      out.push({ group: g.id, field, name: g[field], other: other.name, otherGroup: other.group, differs: difference(g[field], other.name) });
    }
  }
  return out;
}

function difference(a: string, b: string): Lookalike['differs'] {
  if (a.trim() === b.trim()) return 'surrounding spaces';
  if (a.normalize('NFC') === b.normalize('NFC')) return 'Unicode normalisation';
  return 'spaces and Unicode normalisation';
}

export function lookalikeMessage(l: Lookalike): string {
  return `${l.field} ${quoteValue(l.name)} differs from ${quoteValue(l.other)} (group ${l.otherGroup}) only by ${l.differs}: the two are kept apart as different ${l.field === 'model' ? 'models' : 'hardware'}; write the name one way if they are the same`;
}
