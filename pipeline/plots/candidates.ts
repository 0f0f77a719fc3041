/**
 * The grid points a chart's line may be drawn at, found by x without listing the grid: on
 * batch_tokens, x = prompt × batch, so the points at x are the batches b dividing x with x / b a
 * grid prompt, and the x of the grid in order are a merge of one ascending run per batch. A grid
 * of 3 million rows costs what its few hundred drawn points cost, not a pass over every point.
 * One x at a time (`nearest`) needs no merge: a binary search per run gives the grid's nearest x,
 * and beyond a decode-model tail's end only the largest batch's run is searched.
 */
import { configKey } from '../core/keys.js';
import { dependsOnTokens, xOf, type Predictor } from '../fit/predict.js';

export interface LineCandidates {
  /** The first point of the grid at x (prompts outer, batches inner, as emitted) that the line may use at token size t: kept, and not a measured row. */
  first(x: number, t: number): [number, number] | undefined;
  /** The x the line may use at token size t, distinct, ascending from `from` (descending with `down`), `from` included. */
  walk(from: number, t: number, down?: boolean): Generator<number>;
  /** The first x walk(from, t) gives (undefined: none), found with less work: for one x at a time. */
  nearest(from: number, t: number): number | undefined;
}

/**
 * The candidates of a line. Where a value depends on the configuration, not on x alone (`shaped`
 * has a decode-model tail), only the largest batch is kept wherever it reaches: picking whichever
 * point comes first would zigzag between batch sizes.
 */
export function lineCandidates(prompts: readonly number[], batches: readonly number[], shaped: Predictor | null, key: Predictor, measured: ReadonlySet<string>): LineCandidates {
  const bMax = Math.max(...batches);
  const reach = Math.min(...prompts) * bMax;
  const kept = (p: number, b: number, t: number): boolean => !(b !== bMax && xOf(key, p, b) >= reach && shaped !== null && dependsOnTokens(shaped, p, b)) && !measured.has(configKey(p, b, t));
  const ascending = (values: readonly number[]) => [...new Set(values)].sort((a, b) => a - b);
  const [ps, bs] = [ascending(prompts), ascending(batches)];
  // Grid order: each value's first position in the grid's own lists.
  const promptAt = new Map<number, number>();
  prompts.forEach((p, i) => promptAt.has(p) || promptAt.set(p, i));
  const batchAt = new Map<number, number>();
  batches.forEach((b, i) => batchAt.has(b) || batchAt.set(b, i));
  const inGridOrder = (points: [number, number][]) => points.sort((u, v) => (promptAt.get(u[0]) as number) - (promptAt.get(v[0]) as number) || (batchAt.get(u[1]) as number) - (batchAt.get(v[1]) as number));
  const first = (x: number, t: number): [number, number] | undefined => {
    const points: [number, number][] = [];
    if (key.key === 'batch_tokens') {
      for (const b of bs) if (x % b === 0 && promptAt.has(x / b)) points.push([x / b, b]);
    } else if (batchAt.has(x)) for (const p of ps) points.push([p, x]);
    return inGridOrder(points).find(([p, b]) => kept(p, b, t));
  };
  /** Whether first(x, t) finds a point: the same test, with no list made or sorted. */
  const usable = (x: number, t: number): boolean => {
    if (key.key !== 'batch_tokens') return batchAt.has(x) && ps.some((p) => kept(p, x, t));
    for (const b of bs) if (x % b === 0 && promptAt.has(x / b) && kept(x / b, b, t)) return true;
    return false;
  };
  const runs: Run[] = key.key === 'batch_tokens' ? bs.map((b) => ({ values: ps, factor: b })) : [{ values: bs, factor: 1 }];
  const gridNearest = nearestOfGrid(runs, ps, bs);
  function* walk(from: number, t: number, down = false): Generator<number> {
    let last: number | undefined;
    for (const x of merged(runs, from, down)) {
      if (x === last) continue;
      last = x;
      if (usable(x, t)) yield x;
    }
  }
  // From where every x lies beyond a decode-model tail's end (or the decode method applies
  // everywhere), only the largest batch is kept: only its run can hold the next x.
  const byTokens = key.key === 'batch_tokens' && shaped !== null && shaped.key === 'batch_tokens';
  const largestOnly = (from: number): boolean => byTokens && from >= reach && ((shaped as Predictor).model !== null || ((shaped as Predictor).tokenDependent.upper && from > (shaped as Predictor).range[1]));
  const nearest = (from: number, t: number): number | undefined => {
    if (largestOnly(from)) {
      for (let i = entry({ values: ps, factor: bMax }, from, false); i < ps.length; i++) if (usable((ps[i] as number) * bMax, t)) return (ps[i] as number) * bMax;
      return undefined;
    }
    // Elsewhere the grid's nearest x is almost always one the line may use; where it is not, the merge walks on.
    const x = gridNearest(from);
    if (x === undefined || usable(x, t)) return x;
    const next = walk(x, t).next();
    return next.done === true ? undefined : next.value;
  };
  return { first, walk, nearest };
}

/**
 * The grid's smallest x at or past `from`: one search in the grid's distinct x (shared by the
 * lines of every group on this grid, worked out at the first call) where there are many runs.
 */
function nearestOfGrid(runs: readonly Run[], ps: readonly number[], bs: readonly number[]): (from: number) => number | undefined {
  let union: Float64Array | null = null;
  return (from) => {
    if (runs.length === 1) {
      const only = runs[0] as Run;
      const i = entry(only, from, false);
      return i < only.values.length ? xAt(only, i) : undefined;
    }
    union ??= distinctProducts(ps, bs);
    const i = entry({ values: union, factor: 1 }, from, false);
    return i < union.length ? union[i] : undefined;
  };
}

/** An ascending run of the grid's x: values[i] × factor (the prompts times one batch, or the batches). */
interface Run {
  values: ArrayLike<number>;
  factor: number;
}

/** Products up to this are found by marking them in a byte array (sizes are whole numbers), larger ones by sorting. */
const MARKED_PRODUCTS = 1 << 24;

function markedProducts(ps: readonly number[], bs: readonly number[]): Float64Array | null {
  const largest = (ps[ps.length - 1] ?? 0) * (bs[bs.length - 1] ?? 0);
  if (largest > MARKED_PRODUCTS || !ps.every(Number.isInteger) || !bs.every(Number.isInteger) || (ps[0] ?? 0) < 0 || (bs[0] ?? 0) < 0) return null;
  const seen = new Uint8Array(largest + 1);
  let count = 0;
  for (const b of bs) {
    for (const p of ps) {
      const x = p * b;
      if (seen[x] === 0) {
        seen[x] = 1;
        count++;
      }
    }
  }
  const out = new Float64Array(count);
  for (let x = 0, n = 0; n < count; x++) if (seen[x] === 1) out[n++] = x;
  return out;
}

function sortedProducts(ps: readonly number[], bs: readonly number[]): Float64Array {
  const all = new Float64Array(ps.length * bs.length);
  let n = 0;
  for (const b of bs) for (const p of ps) all[n++] = p * b;
  all.sort();
  let kept = 0;
  for (let i = 0; i < n; i++) if (kept === 0 || all[i] !== all[kept - 1]) all[kept++] = all[i] as number;
  return all.slice(0, kept);
}

/** The last few grids' distinct products p × b, ascending, by the grid's ascending prompts and batches. */
const PRODUCTS = new Map<string, Float64Array>();
const PRODUCTS_KEPT = 4;

/** Every distinct p × b of ascending distinct `ps` and `bs`, ascending: the x of the runs' merge, each once. */
function distinctProducts(ps: readonly number[], bs: readonly number[]): Float64Array {
  const key = `${ps.join(',')};${bs.join(',')}`;
  const known = PRODUCTS.get(key);
  if (known !== undefined) return known;
  const products = markedProducts(ps, bs) ?? sortedProducts(ps, bs);
  if (PRODUCTS.size >= PRODUCTS_KEPT) PRODUCTS.delete(PRODUCTS.keys().next().value as string);
  PRODUCTS.set(key, products);
  return products;
}

function xAt(run: Run, i: number): number {
  return (run.values[i] as number) * run.factor;
}

/** Where a walk from `from` enters the run: the first position at or past it going up, the last at or before it going down (-1 if none). */
function entry(run: Run, from: number, down: boolean): number {
  let [lo, hi] = [0, run.values.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = xAt(run, mid);
    if (down ? x <= from : x < from) lo = mid + 1;
    else hi = mid;
  }
  return down ? lo - 1 : lo;
}

/** The values of ascending `runs` from `from` on (inclusive), ascending, or descending from it with `down`: a heap merge, each run entered by binary search. */
function* merged(runs: readonly Run[], from: number, down: boolean): Generator<number> {
  const heap = new Heap(down);
  runs.forEach((run, r) => {
    const i = entry(run, from, down);
    if (i >= 0 && i < run.values.length) heap.push({ x: xAt(run, i), r, i });
  });
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
    yield top.x;
    const run = runs[top.r] as Run;
    const i = down ? top.i - 1 : top.i + 1;
    if (i >= 0 && i < run.values.length) heap.push({ x: xAt(run, i), r: top.r, i });
  }
}

interface Entry {
  x: number;
  /** Its run and position there. */
  r: number;
  i: number;
}

/** A binary heap of entries by x: the smallest on top, or the largest with `largest`. */
class Heap {
  private readonly items: Entry[] = [];
  constructor(private readonly largest: boolean) {}

  private before(a: number, b: number): boolean {
    const [u, v] = [this.items[a] as Entry, this.items[b] as Entry];
    return this.largest ? u.x > v.x : u.x < v.x;
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b] as Entry, this.items[a] as Entry];
  }

  push(entry: Entry): void {
    this.items.push(entry);
    for (let i = this.items.length - 1; i > 0 && this.before(i, (i - 1) >> 1); i = (i - 1) >> 1) this.swap(i, (i - 1) >> 1);
  }

  pop(): Entry | undefined {
    const top = this.items[0];
    const end = this.items.pop();
    if (this.items.length === 0 || end === undefined) return top;
    this.items[0] = end;
    for (let i = 0; ; ) {
      let m = i;
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < this.items.length && this.before(c, m)) m = c;
      if (m === i) return top;
      this.swap(i, m);
      i = m;
    }
  }
}
