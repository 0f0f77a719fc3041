import { quoteValue } from '../core/errors.js';

export interface Lookalike {
  group: string;
  field: 'model' | 'hardware';
  name: string;
  other: string;
  otherGroup: string;
  /** What alone tells the two names apart. */
  differs: 'surrounding spaces' | 'Unicode normalisation' | 'invisible characters' | 'spaces, invisible characters or Unicode normalisation';
}

/**
 * Model and hardware names that differ only by surrounding spaces, by
 * invisible characters (Unicode format characters: zero-width spaces and
 * joiners, byte-order marks, direction marks) or by Unicode normalisation (é
 * as one code point or as e plus an accent): to a reader the same name, to
 * the pipeline two groups. Each group with such a
 * name is listed once per field, against the first group holding the other
 * spelling.
 */
export function findLookalikes(groups: readonly { id: string; model: string; hardware: string }[]): Lookalike[] {
  const out: Lookalike[] = [];
  for (const field of ['model', 'hardware'] as const) {
    const byKey = new Map<string, { name: string; group: string }[]>();
    for (const g of groups) {
      const key = seen(g[field]);
      const list = byKey.get(key) ?? [];
      if (!list.some((e) => e.name === g[field])) list.push({ name: g[field], group: g.id });
      byKey.set(key, list);
    }
    for (const g of groups) {
      const spellings = byKey.get(seen(g[field])) ?? [];
      const other = spellings.find((e) => e.name !== g[field]);
      if (other === undefined) continue;
      out.push({ group: g.id, field, name: g[field], other: other.name, otherGroup: other.group, differs: difference(g[field], other.name) });
    }
  }
  return out;
}

/** A name as a reader sees it: without format characters and surrounding spaces, normalised. */
const INVISIBLE = /\p{Cf}/gu;
const seen = (name: string) => name.replace(INVISIBLE, '').trim().normalize('NFC');

function difference(a: string, b: string): Lookalike['differs'] {
  // Before trim(): it also strips a byte-order mark, which is an invisible character, not a space.
  if (a.replace(INVISIBLE, '') === b.replace(INVISIBLE, '')) return 'invisible characters';
  if (a.trim() === b.trim()) return 'surrounding spaces';
  if (a.normalize('NFC') === b.normalize('NFC')) return 'Unicode normalisation';
  return 'spaces, invisible characters or Unicode normalisation';
}

export function lookalikeMessage(l: Lookalike): string {
  return `${l.field} ${quoteValue(l.name)} differs from ${quoteValue(l.other)} (group ${l.otherGroup}) only by ${l.differs}: the two are kept apart as different ${l.field === 'model' ? 'models' : 'hardware'}; write the name one way if they are the same`;
}
