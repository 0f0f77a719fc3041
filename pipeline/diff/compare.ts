import { groupedBy } from '../core/keys.js';
import type { Finding } from '../report/findings.js';
import type { GroupReport, QualityReport } from '../report/types.js';
import { byFinding, byMagnitude, byPrediction, bySizes, byText, code, countChange, numberChange, pointKey, sizeKey, sizesOf } from './order.js';
import type { Diff, FitErrorChange, GroupDiff, MedianChange, PredictionChange, SeverityChange } from './types.js';

const SOURCES = ['measured', 'interpolated', 'extrapolated'] as const;
export const MEDIAN_METRICS = ['prompt_time', 'token_time', 'e2e_time'] as const;

/** What changed between two valid quality reports, each list in a fixed order whatever the order of groups and findings. */
export function compare(b: QualityReport, h: QualityReport): Diff {
  const baseGroups = new Map(b.groups.map((g) => [g.group, g]));
  const headGroups = new Map(h.groups.map((g) => [g.group, g]));
  const findings = compareFindings(b.groups.flatMap((g) => g.findings), h.groups.flatMap((g) => g.findings));
  const groups: GroupDiff[] = [];
  for (const id of [...headGroups.keys()].filter((id) => baseGroups.has(id)).sort(byText)) {
    const gb = baseGroups.get(id) as GroupReport;
    const gh = headGroups.get(id) as GroupReport;
    groups.push({
      group: id,
      status: [gb.status, gh.status],
      bySource: sourceChanges(gb.coverage.bySource, gh.coverage.bySource),
      medians: compareMedians(gb, gh),
      predictions: comparePredictions(gb, gh),
      fitError: compareFitError(gb, gh),
      appeared: findings.appeared.filter((f) => f.group === id),
      disappeared: findings.disappeared.filter((f) => f.group === id),
      severity: findings.severity.filter((s) => s.finding.group === id),
    });
  }
  return {
    status: [b.summary.status, h.summary.status],
    bySource: sourceChanges(b.output.bySource, h.output.bySource),
    rows: [b.output.rows, h.output.rows],
    settings: compareSettings(b, h),
    added: h.groups.filter((g) => !baseGroups.has(g.group)).sort((x, y) => byText(x.group, y.group)),
    removed: b.groups.filter((g) => !headGroups.has(g.group)).sort((x, y) => byText(x.group, y.group)),
    groups,
    ...findings,
  };
}

function sourceChanges(b: Record<(typeof SOURCES)[number], number>, h: Record<(typeof SOURCES)[number], number>) {
  return SOURCES.filter((s) => b[s] !== h[s]).map((source) => ({ source, base: b[source], head: h[source] }));
}

/** What changed in how the reports were made: command, fit options, thresholds, input files and row counts. */
function compareSettings(b: QualityReport, h: QualityReport): string[] {
  const out: string[] = [];
  if (b.command !== h.command) out.push(`command: \`${code(b.command)}\` -> \`${code(h.command)}\``);
  for (const metric of Object.keys(h.method.methods).sort(byText) as (keyof QualityReport['method']['methods'])[]) {
    if (b.method.methods[metric] !== h.method.methods[metric]) out.push(`fit method of ${metric}: ${b.method.methods[metric]} -> ${h.method.methods[metric]}`);
  }
  // extrapolate is a policy per metric: compared metric by metric, not as an object (which is never === another).
  for (const metric of Object.keys(h.method.extrapolate).sort(byText) as (keyof QualityReport['method']['extrapolate'])[]) {
    if (b.method.extrapolate[metric] !== h.method.extrapolate[metric]) out.push(`extrapolate of ${metric}: ${b.method.extrapolate[metric]} -> ${h.method.extrapolate[metric]}`);
  }
  for (const key of ['tokenKey', 'coverage', 'maxExtrapolation', 'excludeAnomalies', 'uncertainty'] as const) {
    if (b.method[key] !== h.method[key]) out.push(`${key}: ${String(b.method[key])} -> ${String(h.method[key])}`);
  }
  for (const key of Object.keys(h.thresholds).sort(byText) as (keyof QualityReport['thresholds'])[]) {
    if (b.thresholds[key] !== h.thresholds[key]) out.push(`threshold ${key}: ${b.thresholds[key]} -> ${h.thresholds[key]}`);
  }
  // A file given twice (`--input a.csv --input a.csv`) is listed twice: its n-th entry is matched with the other report's n-th.
  // The entries of each file name, in report order.
  const baseFiles = groupedBy(b.inputs.files, (f) => f.file);
  const headFiles = groupedBy(h.inputs.files, (f) => f.file);
  for (const file of [...new Set([...baseFiles.keys(), ...headFiles.keys()])].sort(byText)) {
    const [eb, eh] = [baseFiles.get(file) ?? [], headFiles.get(file) ?? []];
    for (let i = 0; i < Math.max(eb.length, eh.length); i++) {
      const [fb, fh] = [eb[i], eh[i]];
      if (fb === undefined) out.push(`input added: \`${code(file)}\``);
      else if (fh === undefined) out.push(`input removed: \`${code(file)}\``);
      else if (fb.sha256 !== fh.sha256) out.push(`input \`${code(file)}\` changed: sha256 ${fb.sha256.slice(0, 12)}… -> ${fh.sha256.slice(0, 12)}…, ${fb.bytes} -> ${fh.bytes} bytes`);
    }
  }
  for (const key of ['rowsRead', 'rowsRejected', 'duplicatesDropped', 'rowsKept'] as const) {
    if (b.inputs[key] !== h.inputs[key]) out.push(`${key}: ${countChange(b.inputs[key], h.inputs[key])}`);
  }
  return out;
}


/** Measured medians keyed by (prompt, batch, token). */
function compareMedians(gb: GroupReport, gh: GroupReport): GroupDiff['medians'] {
  const baseByKey = new Map(gb.measured.map((m) => [sizeKey(m), m]));
  const headByKey = new Map(gh.measured.map((m) => [sizeKey(m), m]));
  const changes: MedianChange[] = [];
  let shared = 0;
  for (const mh of gh.measured) {
    const mb = baseByKey.get(sizeKey(mh));
    if (mb === undefined) continue;
    shared++;
    for (const metric of MEDIAN_METRICS) {
      if (mb[metric] !== mh[metric]) changes.push({ ...sizesOf(mh), metric, ...numberChange(mb[metric], mh[metric]) });
    }
  }
  changes.sort((x, y) => byMagnitude(x, y) || bySizes(x, y) || MEDIAN_METRICS.indexOf(x.metric as 'prompt_time') - MEDIAN_METRICS.indexOf(y.metric as 'prompt_time'));
  return {
    changes,
    values: shared * MEDIAN_METRICS.length,
    shared,
    added: gh.measured.filter((m) => !baseByKey.has(sizeKey(m))).map(sizesOf).sort(bySizes),
    removed: gb.measured.filter((m) => !headByKey.has(sizeKey(m))).map(sizesOf).sort(bySizes),
  };
}

/** Predictions matched by probe point (prompt_size, batch_size), per studied metric. */
function comparePredictions(gb: GroupReport, gh: GroupReport): GroupDiff['predictions'] {
  const pb = gb.predictions as unknown as Record<string, (number | null)[]>;
  const ph = gh.predictions as unknown as Record<string, (number | null)[]>;
  const baseIndex = new Map(gb.predictions.points.map((p, i) => [pointKey(p), i]));
  const changes: PredictionChange[] = [];
  let values = 0;
  for (const metric of Object.keys(ph).filter((k) => k !== 'points' && k in pb).sort(byText)) {
    gh.predictions.points.forEach((p, i) => {
      const j = baseIndex.get(pointKey(p));
      if (j === undefined) return;
      values++;
      const vb = pb[metric]?.[j] ?? null;
      const vh = ph[metric]?.[i] ?? null;
      if (vb !== vh) changes.push({ group: gh.group, metric, prompt_size: p.prompt_size, batch_size: p.batch_size, ...numberChange(vb, vh) });
    });
  }
  changes.sort((x, y) => byMagnitude(x, y) || byPrediction(x, y));
  return { changes, values };
}

function compareFitError(gb: GroupReport, gh: GroupReport): FitErrorChange[] {
  const metrics = [...new Set([...Object.keys(gb.fitQuality), ...Object.keys(gh.fitQuality)])].sort(byText) as (keyof GroupReport['fitQuality'])[];
  return metrics.flatMap((metric) => {
    const qb = gb.fitQuality[metric] ?? null;
    const qh = gh.fitQuality[metric] ?? null;
    const how = (q: typeof qb) => (q === null ? 'not fitted' : `${q.method} on ${q.key}`);
    const fit: [string, string] | null = how(qb) === how(qh) ? null : [how(qb), how(qh)];
    const base = qb?.mape ?? null;
    const head = qh?.mape ?? null;
    return base === head && fit === null ? [] : [{ group: gh.group, metric, base, head, fit }];
  });
}

/** Findings are the same when group, code and message are; a repeated finding counts as often as it occurs. */
function compareFindings(base: readonly Finding[], head: readonly Finding[]) {
  const key = (f: Finding) => JSON.stringify([f.group, f.code, f.message]);
  const baseByKey = new Map<string, Finding[]>();
  for (const f of base) baseByKey.set(key(f), [...(baseByKey.get(key(f)) ?? []), f]);
  const appeared: Finding[] = [];
  const severity: SeverityChange[] = [];
  for (const f of head) {
    const earlier = baseByKey.get(key(f));
    const match = earlier?.shift();
    if (match === undefined) appeared.push(f);
    else if (match.severity !== f.severity) severity.push({ finding: f, from: match.severity });
  }
  const disappeared = [...baseByKey.values()].flat();
  return { appeared: appeared.sort(byFinding), disappeared: disappeared.sort(byFinding), severity: severity.sort((x, y) => byFinding(x.finding, y.finding)) };
}

