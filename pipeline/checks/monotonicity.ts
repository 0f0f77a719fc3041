import type { Configuration, MonotonicitySummary, MonotonicityViolation, SizeColumn } from '../types.js';

/** How many violations are kept in full; the rest are only counted. */
export const KEEP_VIOLATIONS = 20;
/** A fall smaller than this, relative, is floating-point rounding (a few ulp), not a violation. */
export const ROUNDING = 1e-12;

/** Whether `value` falls below `before` by more than rounding. */
function falls(before: number, value: number): boolean {
  return before - value > ROUNDING * Math.abs(before);
}

type Checked = MonotonicityViolation['metric'];

/** Slots and token sizes a checker has room for before its arrays are first doubled. */
const INITIAL = 64;

/** A copy of `a` twice as long, its first half `a`'s. */
function doubled<T extends Float64Array | Uint8Array>(a: T): T {
  const out = new (a.constructor as new (length: number) => T)(a.length * 2);
  out.set(a);
  return out;
}

/**
 * Streaming monotonicity check over one group's rows in output order
 * (prompt_size, batch_size, token_size ascending). A violation is a drop of:
 * prompt_time as prompt_size grows (fixed batch, token) or as batch_size grows
 * (fixed prompt, token); token_time as batch_size grows (fixed prompt, token);
 * e2e_time as token_size grows (fixed prompt, batch). Each row is compared with
 * the nearest smaller size along each axis. A fall of less than ROUNDING
 * (relative) is floating-point rounding and does not count.
 */
export class MonotonicityChecker {
  private readonly group: string;
  private count = 0;
  private readonly first: MonotonicityViolation[] = [];
  /** Slot of each (batch, token) pair: batch -> token index -> slot (-1: none yet). */
  private readonly slots = new Map<number, number[]>();
  /**
   * Per slot: the last row seen at that (batch, token), i.e. at the nearest
   * smaller prompt, and whether it was extrapolated. Typed arrays grown by
   * doubling, as the per-token ones below: their element kind never changes,
   * so the code compiled for one group's check runs every other group's.
   */
  private slotCount = 0;
  private slotPrompt = new Float64Array(INITIAL);
  private slotPromptTime = new Float64Array(INITIAL);
  private slotExtrapolated = new Uint8Array(INITIAL);
  /** Each token size's index, in the order first seen, and the size at each index. */
  private readonly tokenIndex = new Map<number, number>();
  private readonly tokenOf: number[] = [];
  /** The previous row's token index: rows come token size by token size, so the next is most often the one after it, or the first. */
  private prevTi = -1;
  /** Per token index: the last row seen at that token; same prompt means nearest smaller batch. */
  private tokPrompt = new Float64Array(INITIAL);
  private tokBatch = new Float64Array(INITIAL);
  private tokPromptTime = new Float64Array(INITIAL);
  private tokTokenTime = new Float64Array(INITIAL);
  private tokExtrapolated = new Uint8Array(INITIAL);
  /** The previous row, for the e2e check along token_size. */
  private prevP = -1;
  private prevB = -1;
  private prevT = -1;
  private prevE2e = 0;

  private readonly keep: number;

  /** `keep`: how many violations to keep in full (the rest are only counted). */
  constructor(group: string, keep = KEEP_VIOLATIONS) {
    this.group = group;
    this.keep = keep;
  }

  /** Violations along prompt_size or batch_size between two extrapolated rows (a tail that falls). */
  private betweenExtrapolated = 0;

  private lastBatch = NaN;
  private lastByToken: number[] | undefined;

  /** False while seeding: rows update the state but are not checked themselves. */
  private counting = true;

  /**
   * A row before the part of the group this checker sees (the previous
   * slice's, which its own checker checked): it only sets the state the next
   * rows are compared with.
   */
  seed(p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number, extrapolated = false): void {
    this.counting = false;
    try {
      this.observe(p, b, t, promptTime, tokenTime, e2eTime, extrapolated);
    } finally {
      this.counting = true;
    }
  }

  /** One row, in output order; `extrapolated` marks a row beyond the measured range. */
  observe(p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number, extrapolated = false): void {
    const ti = this.tokenIndexOf(t);
    // Rows come batch by batch: the batch's slots are looked up once for all its token sizes.
    let byToken = this.lastByToken;
    if (b !== this.lastBatch || byToken === undefined) {
      byToken = this.slots.get(b);
      if (byToken === undefined) this.slots.set(b, (byToken = []));
      this.lastBatch = b;
      this.lastByToken = byToken;
    }
    while (byToken.length <= ti) byToken.push(-1);
    let slot = byToken[ti] as number;
    if (slot < 0) {
      if (this.slotCount === this.slotPrompt.length) this.growSlots();
      byToken[ti] = slot = this.slotCount++;
    } else {
      const before = this.slotPromptTime[slot] as number;
      if (falls(before, promptTime)) {
        this.add('prompt_time', 'prompt_size', this.slotPrompt[slot] as number, b, t, before, p, b, t, promptTime);
        if (extrapolated && this.slotExtrapolated[slot] === 1 && this.counting) this.betweenExtrapolated++;
      }
    }
    this.slotPrompt[slot] = p;
    this.slotPromptTime[slot] = promptTime;
    this.slotExtrapolated[slot] = extrapolated ? 1 : 0;

    if (this.tokPrompt[ti] === p) {
      const b0 = this.tokBatch[ti] as number;
      const pt0 = this.tokPromptTime[ti] as number;
      const tt0 = this.tokTokenTime[ti] as number;
      const both = extrapolated && this.tokExtrapolated[ti] === 1;
      if (falls(pt0, promptTime)) {
        this.add('prompt_time', 'batch_size', p, b0, t, pt0, p, b, t, promptTime);
        if (both && this.counting) this.betweenExtrapolated++;
      }
      if (falls(tt0, tokenTime)) {
        this.add('token_time', 'batch_size', p, b0, t, tt0, p, b, t, tokenTime);
        if (both && this.counting) this.betweenExtrapolated++;
      }
    }
    this.tokExtrapolated[ti] = extrapolated ? 1 : 0;
    this.tokPrompt[ti] = p;
    this.tokBatch[ti] = b;
    this.tokPromptTime[ti] = promptTime;
    this.tokTokenTime[ti] = tokenTime;

    if (this.prevP === p && this.prevB === b && falls(this.prevE2e, e2eTime)) {
      this.add('e2e_time', 'token_size', p, b, this.prevT, this.prevE2e, p, b, t, e2eTime);
    }
    this.prevP = p;
    this.prevB = b;
    this.prevT = t;
    this.prevE2e = e2eTime;
  }

  /** The index of token size t, a new one (with no last row) when first seen. */
  private tokenIndexOf(t: number): number {
    const { tokenOf } = this;
    const next = this.prevTi + 1;
    let ti = next < tokenOf.length && tokenOf[next] === t ? next : tokenOf.length > 0 && tokenOf[0] === t ? 0 : this.tokenIndex.get(t);
    if (ti === undefined) {
      this.tokenIndex.set(t, (ti = tokenOf.length));
      tokenOf.push(t);
      if (ti === this.tokPrompt.length) this.growTokens();
      // No row at this token yet: no prompt matches -1.
      this.tokPrompt[ti] = -1;
    }
    this.prevTi = ti;
    return ti;
  }

  private growSlots(): void {
    this.slotPrompt = doubled(this.slotPrompt);
    this.slotPromptTime = doubled(this.slotPromptTime);
    this.slotExtrapolated = doubled(this.slotExtrapolated);
  }

  private growTokens(): void {
    this.tokPrompt = doubled(this.tokPrompt);
    this.tokBatch = doubled(this.tokBatch);
    this.tokPromptTime = doubled(this.tokPromptTime);
    this.tokTokenTime = doubled(this.tokTokenTime);
    this.tokExtrapolated = doubled(this.tokExtrapolated);
  }

  summary(): MonotonicitySummary {
    return { count: this.count, first: [...this.first], betweenExtrapolated: this.betweenExtrapolated };
  }

  /**
   * A fall from (p0, b0, t0) with value v0 to (p, b, t) with value v: counted,
   * and kept in full among the first few. Plain numbers, not arrays: a group
   * may have thousands of falls, and only the first few are kept.
   */
  private add(metric: Checked, along: SizeColumn, p0: number, b0: number, t0: number, v0: number, p: number, b: number, t: number, v: number): void {
    if (!this.counting) return;
    this.count++;
    if (this.first.length >= this.keep) return;
    const from = { prompt_size: p0, batch_size: b0, token_size: t0, value: v0 };
    const to = { prompt_size: p, batch_size: b, token_size: t, value: v };
    this.first.push({ group: this.group, metric, along, from, to, drop: (v0 - v) / v0 });
  }
}

/**
 * The same check on one group's measured medians (configurations in output
 * order). Configurations without e2e_time skip the e2e check.
 */
export function checkMeasured(group: string, configurations: readonly Configuration[], keep = KEEP_VIOLATIONS): MonotonicitySummary {
  const checker = new MonotonicityChecker(group, keep);
  for (const c of configurations) {
    checker.observe(
      c.prompt_size,
      c.batch_size,
      c.token_size,
      c.metrics.prompt_time?.median ?? NaN,
      c.metrics.token_time?.median ?? NaN,
      c.metrics.e2e_time?.median ?? NaN,
    );
  }
  return checker.summary();
}
