import type { Answer } from '../pipeline/db/types.js';

/** A number for people: `digits` significant digits, never in exponent form for the sizes a time takes (1e-6 to 1e21 ms). */
export function significant(value: number, digits = 4): string {
  return String(Number(value.toPrecision(digits)));
}

/** A relative half-width as a percentage with two significant digits: 0.0906 -> 9.1%. */
function percent(err: number): string {
  return `${significant(err * 100, 2)}%`;
}

/** A time with its interval: the range value × (1 ± err), never below 0, and the half-width. */
function withInterval(value: number, err: number | null, coverage: number): string {
  if (err === null) return `${significant(value)} ms`;
  const lower = Math.max(0, value * (1 - err));
  const wide = err >= 1 ? ', wider than the value itself' : '';
  return `${significant(value)} ms  (${significant(lower)} to ${significant(value * (1 + err))} ms: ±${percent(err)}${wide}, ${significant(coverage * 100, 3)}% interval)`;
}

/** Where the configuration lies and what that means for trusting the answer: one note per fact. */
function notes(a: Answer): string[] {
  const out: string[] = [];
  const range = `${a.range[0]}..${a.range[1]}`;
  if (a.beyond !== null) {
    out.push(`extrapolated: batch_tokens ${significant(a.factor, 3)}x ${a.beyond} the measured range ${range}`);
    if (a.validatedFactor === null) out.push(`not validated: no backtest ${a.beyond} the range, no interval`);
    else if (a.factor > a.validatedFactor * (1 + 1e-12)) out.push(`not validated: beyond the ${significant(a.validatedFactor, 3)}x the backtests reached, no interval`);
    else out.push(`within the ${significant(a.validatedFactor, 3)}x the backtests validated`);
  }
  for (const h of a.held) out.push(h.at === 'floor' ? `${h.metric} floored at the group's smallest measured median (${significant(h.value)} ms): the tail never goes below it` : `${h.metric} held at the measured end's value (${significant(h.value)} ms): the tail never ${a.beyond === 'below' ? 'rises above' : 'falls below'} it`);
  if (a.clamped.length > 0) out.push(`clamped (${a.clamped.join(', ')}): the line gave an impossible value, so the nearest measured end's value is used`);
  return out;
}

/** The answer of `npm run query` as text: times with 4 significant digits, intervals, source and notes. */
export function answerText(a: Answer): string {
  return [
    `prompt_time ${withInterval(a.prompt_time, a.prompt_time_err, a.coverage)}`,
    `token_time  ${withInterval(a.token_time, a.token_time_err, a.coverage)}`,
    `e2e_time    ${significant(a.e2e_time)} ms`,
    `source      ${a.source} (${a.from === 'row' ? 'a row of perf_db.csv' : 'predicted by the fit; not a row of perf_db.csv'})`,
    ...notes(a).map((n) => `note        ${n}`),
    '',
  ].join('\n');
}
