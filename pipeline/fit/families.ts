import type { SeriesCopy } from '../checks/measured.js';
import { compareStrings } from '../core/keys.js';

/**
 * Families of groups for one metric: groups whose series of that metric are
 * exact or scaled copies of one another (SERIES_COPY) are one family, so that
 * pooled figures count the evidence once. Returns each group's family
 * representative: the family's first group id in code-unit order.
 */
export function familyOf(groups: readonly string[], copies: readonly SeriesCopy[], metric: string): Map<string, string> {
  const parent = new Map(groups.map((g) => [g, g]));
  const root = (g: string): string => {
    let r = g;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    return r;
  };
  for (const c of copies) {
    if (c.metric !== metric || !parent.has(c.group) || !parent.has(c.of)) continue;
    const [a, b] = [root(c.group), root(c.of)].sort(compareStrings) as [string, string];
    parent.set(b, a);
  }
  return new Map(groups.map((g) => [g, root(g)]));
}
