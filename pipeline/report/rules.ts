/**
 * The rules that turn a group's facts into findings, one function per topic,
 * in the order the report lists them. Each rule states its threshold.
 */
import { lookalikeMessage } from '../checks/names.js';
import { configKey } from '../core/keys.js';
import { describeConfig as at, pct } from '../core/format.js';
import type { FittedMetric, MonotonicityViolation } from '../types.js';
import type { ClampSummary } from '../emit/types.js';
import type { GroupFacts } from './facts.js';
import { finding, type Finding } from './findings.js';
import { round, STUDIED, THRESHOLDS } from './numbers.js';

export function groupRules(facts: GroupFacts): Finding[] {
  return [...repetitionFindings(facts), ...measuredFindings(facts), ...fitFindings(facts), ...brokenEndFindings(facts), ...emittedFindings(facts)];
}

function repetitionFindings({ result, spread, outliers }: GroupFacts): Finding[] {
  const id = result.fit.id;
  const out: Finding[] = [];
  for (const metric of STUDIED) {
    const s = spread[metric as 'prompt_time'];
    const w = s.worst[0];
    if (s.maxCv !== null && round(s.maxCv) > THRESHOLDS.spreadWarnCv && w !== undefined) {
      out.push(finding('HIGH_SPREAD', 'quirk', id, `${metric} repetitions disagree: coefficient of variation ${pct(round(w.cv))} at ${at(w)} (max/min ${round(w.ratio)})`));
    }
  }
  if (outliers.length > 0) {
    const o = [...outliers].sort((a, b) => b.relative - a.relative)[0] as (typeof outliers)[number];
    out.push(finding('OUTLIERS', 'info', id, `${outliers.length} repetitions lie far from their configuration's median; the largest: ${o.metric} ${round(o.value)} vs median ${round(o.median)} (${pct(o.relative)}) at ${at(o)}`));
  }
  return out;
}

function measuredFindings({ result, e2e, copies, lookalikes, power }: GroupFacts): Finding[] {
  const id = result.fit.id;
  const excluded = new Set(result.fit.excluded.map(keyOf));
  const out = result.measuredMonotonicity.first.map((v) => measuredDrop(id, v, excluded));
  const e2eWorst = e2e.inconsistent[0];
  if (e2eWorst !== undefined) {
    const off = e2eWorst.expected > e2eWorst.measured ? 'over-predicts' : 'under-predicts';
    out.push(finding('E2E_INCONSISTENT', 'quirk', id, `${e2e.inconsistent.length} of ${e2e.checked} configurations have e2e_time off prompt_time + (token_size - 1) * token_time by more than ${pct(THRESHOLDS.e2eTolerance)}; at worst, at ${at(e2eWorst)}, the sum ${off} the measured e2e_time by ${pct(Math.abs(round(e2eWorst.relative)))} (measured ${round(e2eWorst.measured)} ms, sum ${round(e2eWorst.expected)} ms): generation probably stopped before token_size tokens`));
  }
  for (const l of lookalikes) out.push(finding('NAME_LOOKALIKE', 'warn', id, lookalikeMessage(l)));
  for (const c of copies) {
    out.push(finding('SERIES_COPY', 'quirk', id, c.factor === 1 ? `${c.metric} medians are an exact copy of ${c.of}'s: not an independent measurement` : `${c.metric} medians are exactly ${round(c.factor)} x ${c.of}'s, every one of them: one series was derived from the other, not measured independently`));
  }
  for (const [metric, p] of Object.entries(power)) {
    if (p.state === 'not recorded') out.push(finding('POWER_NOT_RECORDED', 'info', id, `${metric} is 0 in every configuration: not recorded; predicted ${metric} is 0 too`));
    if (p.state === 'partly recorded') out.push(finding('POWER_PARTLY_RECORDED', 'quirk', id, `${metric} is 0 (not recorded) in ${p.zero} of ${p.total} configurations; those zeros are pulled into the fitted medians`));
  }
  return out;
}

/**
 * A measured median that falls: under monotoneWarnDrop info, under
 * monotoneFailDrop a quirk, larger a broken measurement: a failure while the
 * fit still uses it (the rows around it are wrong), a quirk once
 * --exclude-anomalies has left it out. A measured e2e_time that stops growing
 * with token_size is generation ending early (see E2E_INCONSISTENT), not a
 * broken timing: at most a quirk.
 */
function measuredDrop(id: string, v: MonotonicityViolation, excluded: ReadonlySet<string>): Finding {
  const e2e = v.metric === 'e2e_time';
  const size = v.drop >= THRESHOLDS.monotoneFailDrop ? 'fail' : v.drop >= THRESHOLDS.monotoneWarnDrop ? 'quirk' : 'info';
  const left = excluded.has(keyOf(v.to));
  const severity = size === 'fail' && (e2e || left) ? 'quirk' : size;
  const why = e2e && size !== 'info' ? '; generation probably ended before token_size tokens' : size !== 'fail' ? '' : left ? '; a broken measurement, left out of the fit' : '; a drop this large points to a broken measurement, and the fit still uses it: --exclude-anomalies leaves it out';
  return finding('MEASURED_NOT_MONOTONE', severity, id, `measured ${v.metric} falls by ${pct(v.drop)} as ${v.along} grows: ${round(v.from.value)} ms at ${at(v.from)} -> ${round(v.to.value)} ms at ${at(v.to)}${why}`);
}

const keyOf = (c: { prompt_size: number; batch_size: number; token_size: number }) => configKey(c.prompt_size, c.batch_size, c.token_size);

function fitFindings({ result, fitQuality }: GroupFacts): Finding[] {
  const id = result.fit.id;
  const out: Finding[] = [];
  for (const metric of STUDIED) {
    const q = fitQuality[metric];
    if (q === null || q === undefined || q.mape === null) continue;
    const [mape, maxApe] = [round(q.mape), round(q.maxApe ?? 0)];
    const bad = mape > THRESHOLDS.looWarnMape || maxApe > THRESHOLDS.looWarnMaxApe;
    out.push(finding('FIT_ERROR', bad ? 'warn' : 'info', id, `${metric}: leaving each interior knot out, the ${q.fit.method} fit misses it by ${pct(mape)} on average, at worst ${pct(maxApe)} (${q.fit.key} ${q.worstX})`));
  }
  for (const e of result.fit.excluded) out.push(finding('EXCLUDED_FROM_FIT', 'info', id, `${at(e)} is left out of the fit: ${e.rule}`));
  return out;
}

/** A tail that starts from an end knot made only of broken measurements: every row beyond inherits the break. */
function brokenEndFindings({ result }: GroupFacts): Finding[] {
  const { fit, broken, configurations } = result;
  const x = fit.range[1];
  const atEnd = configurations.filter((c) => c.prompt_size * c.batch_size === x);
  const brokenSet = new Set(broken);
  if (atEnd.length === 0 || !atEnd.every((c) => brokenSet.has(`${c.prompt_size},${c.batch_size},${c.token_size}`))) return [];
  const tail = fit.fits.prompt_time?.tails?.upper ?? null;
  const how =
    tail === null
      ? "every row beyond it extrapolates SplitwiseSim's line through that value"
      : `the tails start from the last sound knot, at batch_tokens ${tail.x}, so the rows beyond the range follow the sound measurements; rows between the two still interpolate towards the broken value`;
  return [finding('TAIL_ON_BROKEN_KNOT', 'quirk', fit.id, `the measured range ends at batch_tokens ${x} with a broken measurement ${atEnd.map((c) => at(c)).join(', ')}; ${how}: --exclude-anomalies leaves it out of the fit`)];
}

function emittedFindings({ result }: GroupFacts): Finding[] {
  const { emitted, fit } = result;
  const id = fit.id;
  const out: Finding[] = [];
  if (emitted.monotonicity.count > 0) {
    const v = emitted.monotonicity.first[0] as MonotonicityViolation;
    out.push(finding('EMITTED_NOT_MONOTONE', 'quirk', id, `${emitted.monotonicity.count} emitted rows fall below a row with a smaller size; first: ${v.metric} ${round(v.from.value)} at ${at(v.from)} -> ${round(v.to.value)} at ${at(v.to)}`));
  }
  for (const [metric, clamp] of Object.entries(emitted.clamped) as [FittedMetric, ClampSummary][]) {
    if (clamp.first === null) continue;
    out.push(finding('EXTRAPOLATION_CLAMPED', 'warn', id, `${metric}: linear extrapolation gives an impossible value at ${clamp.points} (prompt, batch) points (${clamp.rows} rows), e.g. ${round(clamp.first.linear)} at prompt ${clamp.first.prompt_size} x batch ${clamp.first.batch_size}; those rows take the value at the nearest measured end, ${round(clamp.first.clampedTo)}`));
  }
  for (const r of emitted.replaced) out.push(finding('ANOMALY_REPLACED', 'info', id, `the row at ${at(r)} is a prediction, not the measured median: ${r.rule}`));
  if (emitted.skippedBeyondMax > 0) out.push(finding('SKIPPED_BEYOND_MAX', 'info', id, `${emitted.skippedBeyondMax} grid rows lie beyond --max-extrapolation and were not emitted`));
  const tailOf = (m: 'prompt_time' | 'token_time') => fit.fits[m]?.tails ?? null;
  if (emitted.belowMinimum > 0 || emitted.monotonicity.betweenExtrapolated > 0) {
    out.push(finding('IMPLAUSIBLE_ROWS', 'warn', id, `${emitted.belowMinimum} predicted rows lie below the group's smallest measured median and ${emitted.monotonicity.betweenExtrapolated} times a time falls between neighbouring extrapolated rows; the default tails (--extrapolate auto) never do either`));
  }
  if (emitted.differsFromLinear > 0) {
    const kinds = (['prompt_time', 'token_time'] as const).map((m) => `${m} ${tailOf(m)?.upper.kind ?? 'own'}`).join(', ');
    out.push(finding('DIFFERS_FROM_SPLITWISE', 'info', id, `${emitted.differsFromLinear} extrapolated rows differ from what SplitwiseSim's model answers (its line through the two outermost knots): the tails the frontier backtests chose (${kinds}); --extrapolate linear gives SplitwiseSim's values`));
  }
  if (emitted.beyondValidated > 0) out.push(finding('BEYOND_VALIDATED', 'quirk', id, `${emitted.beyondValidated} rows lie beyond the factor the backtests validated; no interval can be stated for them (err_basis unvalidated)`));
  const far = emitted.maxExtrapolation;
  if (far !== null) {
    out.push(finding('EXTRAPOLATION', far.factor > THRESHOLDS.extrapolationWarnFactor ? 'quirk' : 'info', id, `${emitted.bySource.extrapolated} rows are extrapolated, up to ${round(far.factor)}x beyond the measured batch_tokens range (prompt ${far.prompt_size} x batch ${far.batch_size})`));
  }
  return out;
}
