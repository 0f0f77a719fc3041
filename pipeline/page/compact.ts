/**
 * The report page's chart data, compact: each layer's rows as columns, a
 * field holding one value in every row written once (the layer's name, its
 * segment), so that no key or repeated string is written per row. The page's
 * script (script.ts) turns them back into rows, and spells out each TipCode.
 */
import type { TopLevelSpec } from 'vega-lite';
import { TIP_BASES, TIP_SOURCES } from './tips.js';
import type { PageGroup } from './groups.js';

type Value = unknown;
/** A layer's rows: `k` the fields equal in every row, `c` the others, one array each (null where a row has none). */
export interface CompactRows {
  n: number;
  k: Record<string, Value>;
  c: Record<string, Value[]>;
}

/** What #perfdb-charts holds: the codes of the tips, and per group per chart its metric, unit and spec. */
export function chartData(groups: readonly PageGroup[]): unknown {
  return {
    codes: { sources: TIP_SOURCES, bases: TIP_BASES },
    groups: groups.map((g) => g.charts.map((c) => ({ metric: c.metric, unit: c.unit, spec: compactSpec(c.spec) }))),
  };
}

/** The spec with each layer's `data.values` as CompactRows under `data.compact`; a new object. */
export function compactSpec(spec: TopLevelSpec): unknown {
  const layers = (spec as { layer?: { data?: { values?: Record<string, Value>[] } }[] }).layer ?? [];
  return {
    ...spec,
    layer: layers.map((l) => (l.data?.values === undefined ? l : { ...l, data: { compact: compactRows(l.data.values) } })),
  };
}

export function compactRows(rows: readonly Record<string, Value>[]): CompactRows {
  const fields: string[] = [];
  for (const row of rows) for (const f of Object.keys(row)) if (!fields.includes(f)) fields.push(f);
  const k: Record<string, Value> = {};
  const c: Record<string, Value[]> = {};
  for (const f of fields) {
    const first = rows[0]?.[f];
    const same = typeof first !== 'object' && rows.every((r) => f in r && r[f] === first);
    if (same) k[f] = first;
    else c[f] = rows.map((r) => (f in r ? r[f] : null));
  }
  return { n: rows.length, k, c };
}
