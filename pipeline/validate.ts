import type { Configuration, ConfigKeySizes, MonotonicitySummary, MonotonicityViolation, SizeColumn } from './types.js';

/** How many violations are kept in full; the rest are only counted. */
export const KEEP_VIOLATIONS = 20;

type Checked = MonotonicityViolation['metric'];

/**
 * Streaming monotonicity check over one group's rows in output order
 * (prompt_size, batch_size, token_size ascending). A violation is a drop of:
 * prompt_time as prompt_size grows (fixed batch, token) or as batch_size grows
 * (fixed prompt, token); token_time as batch_size grows (fixed prompt, token);
 * e2e_time as token_size grows (fixed prompt, batch). Each row is compared with
 * the nearest smaller size along each axis.
 */
export class MonotonicityChecker {
  private readonly group: string;
  private count = 0;
  private readonly first: MonotonicityViolation[] = [];
  /** Last prompt_time per (batch, token), across prompts. */
  private readonly byBatchToken = new Map<number, Map<number, Sample>>();
  /** Last (prompt_time, token_time) per token within the current prompt. */
  private byToken = new Map<number, Sample>();
  private prompt = -1;
  private previous: Sample | null = null;

  constructor(group: string) {
    this.group = group;
  }

  observe(p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number): void {
    const sample: Sample = { p, b, t, promptTime, tokenTime, e2eTime };
    if (p !== this.prompt) {
      this.prompt = p;
      this.byToken = new Map();
      this.previous = null;
    }
    let tokens = this.byBatchToken.get(b);
    if (tokens === undefined) this.byBatchToken.set(b, (tokens = new Map()));
    const alongPrompt = tokens.get(t);
    if (alongPrompt !== undefined && promptTime < alongPrompt.promptTime) this.add('prompt_time', 'prompt_size', alongPrompt, sample);
    tokens.set(t, sample);

    const alongBatch = this.byToken.get(t);
    if (alongBatch !== undefined) {
      if (promptTime < alongBatch.promptTime) this.add('prompt_time', 'batch_size', alongBatch, sample);
      if (tokenTime < alongBatch.tokenTime) this.add('token_time', 'batch_size', alongBatch, sample);
    }
    this.byToken.set(t, sample);

    const before = this.previous;
    if (before !== null && before.b === b && e2eTime < before.e2eTime) this.add('e2e_time', 'token_size', before, sample);
    this.previous = sample;
  }

  summary(): MonotonicitySummary {
    return { count: this.count, first: [...this.first] };
  }

  private add(metric: Checked, along: SizeColumn, from: Sample, to: Sample): void {
    this.count++;
    if (this.first.length >= KEEP_VIOLATIONS) return;
    const key = metric === 'prompt_time' ? 'promptTime' : metric === 'token_time' ? 'tokenTime' : 'e2eTime';
    const fromValue = from[key];
    const toValue = to[key];
    this.first.push({
      group: this.group,
      metric,
      along,
      from: { ...sizes(from), value: fromValue },
      to: { ...sizes(to), value: toValue },
      drop: (fromValue - toValue) / fromValue,
    });
  }
}

interface Sample {
  p: number;
  b: number;
  t: number;
  promptTime: number;
  tokenTime: number;
  e2eTime: number;
}

function sizes(s: Sample): ConfigKeySizes {
  return { prompt_size: s.p, batch_size: s.b, token_size: s.t };
}

/**
 * The same check on one group's measured medians (configurations in output
 * order). Configurations without e2e_time skip the e2e check.
 */
export function checkMeasured(group: string, configurations: readonly Configuration[]): MonotonicitySummary {
  const checker = new MonotonicityChecker(group);
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
