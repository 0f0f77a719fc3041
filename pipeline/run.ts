import { aggregate } from './aggregate.js';
import { HEADER_LINE } from './csv-out.js';
import { dedupe } from './dedupe.js';
import { countRows, emitGroup } from './emit.js';
import { PerfDbError } from './errors.js';
import { fit } from './fit.js';
import { ingest, type IngestSource } from './ingest.js';
import { groupKeyString } from './keys.js';
import type { Configuration, EmitSummary, GroupFit, Grid, IngestResult, MonotonicitySummary } from './types.js';
import { checkMeasured, MonotonicityChecker } from './validate.js';

export interface PipelineOptions {
  grid: Grid;
  onInvalid: 'error' | 'skip';
  /** A monotonicity violation in emitted rows stops the run. */
  strict: boolean;
  /** Refuse grids that would emit more rows than this. */
  maxRows: number;
}

/** Everything the report needs to know about one run. */
export interface PipelineResult {
  ingest: Omit<IngestResult, 'rows'>;
  rowsKept: number;
  duplicates: number;
  duplicatesByGroup: Map<string, number>;
  groups: GroupResult[];
  rows: number;
}

export interface GroupResult {
  fit: GroupFit;
  configurations: Configuration[];
  measuredMonotonicity: MonotonicitySummary;
  emitted: EmitSummary;
}

/** Where perf_db.csv text goes; may return a promise to apply back-pressure. */
export type Sink = (chunk: string) => void | Promise<void>;

/**
 * The pipeline, composed in this one place:
 * ingest -> dedupe -> aggregate -> fit -> validate (measured) -> emit + validate (emitted).
 */
export async function runPipeline(sources: readonly IngestSource[], options: PipelineOptions, sink: Sink): Promise<PipelineResult> {
  const ingested = await ingest(sources, { onInvalid: options.onInvalid });
  const { rows: kept, duplicates, duplicatesByGroup } = dedupe(ingested.rows);
  if (kept.length === 0) {
    throw new PerfDbError('E_NO_VALID_ROWS', `every one of the ${ingested.rejected.length} rows read was rejected`, {
      hint: 'see data/generated/rejected.csv for the reasons',
    });
  }
  const configurations = aggregate(kept);
  const fits = fit(kept);
  const byGroup = splitByGroup(configurations);
  const planned = fits.map((g) => ({ fit: g, configurations: byGroup.get(groupKeyString(g)) ?? [] }));

  const total = planned.reduce((sum, g) => sum + countRows(options.grid, g.configurations), 0);
  if (total > options.maxRows) {
    throw new PerfDbError('E_TOO_MANY_ROWS', `the grid would emit ${total.toLocaleString('en-US')} rows, more than --max-rows ${options.maxRows.toLocaleString('en-US')}`, {
      hint: `narrow --prompts/--batches/--tokens, or raise the limit with --max-rows ${total}`,
    });
  }

  await sink(HEADER_LINE);
  const groups: GroupResult[] = [];
  for (const { fit: group, configurations: measured } of planned) {
    const checker = new MonotonicityChecker(group.id);
    const emission = emitGroup(group, measured, options.grid, { onRow: checker.observe.bind(checker) });
    let step = emission.next();
    while (!step.done) {
      await sink(step.value);
      step = emission.next();
    }
    const emitted = { ...step.value, monotonicity: checker.summary() };
    if (options.strict && emitted.monotonicity.count > 0) {
      const v = emitted.monotonicity.first[0];
      throw new PerfDbError('E_MONOTONICITY', `${emitted.monotonicity.count} emitted rows break monotonicity, the first: ${v?.metric} drops from ${v?.from.value} to ${v?.to.value} as ${v?.along} grows to ${v === undefined ? '' : `(${v.to.prompt_size}, ${v.to.batch_size}, ${v.to.token_size})`}`, {
        group: group.id,
        hint: 'drop --strict to write the rows and see the findings in the quality report',
      });
    }
    groups.push({ fit: group, configurations: measured, measuredMonotonicity: checkMeasured(group.id, measured), emitted });
  }
  const { rows: _rows, ...ingestSummary } = ingested;
  return {
    ingest: ingestSummary,
    rowsKept: kept.length,
    duplicates,
    duplicatesByGroup,
    groups,
    rows: groups.reduce((sum, g) => sum + g.emitted.rows, 0),
  };
}

function splitByGroup(configurations: readonly Configuration[]): Map<string, Configuration[]> {
  const out = new Map<string, Configuration[]>();
  for (const c of configurations) {
    const key = groupKeyString(c);
    const list = out.get(key);
    if (list === undefined) out.set(key, [c]);
    else list.push(c);
  }
  return out;
}
