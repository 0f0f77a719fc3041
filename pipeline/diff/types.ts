/** Types of the diff folder: what changed between two quality reports. */
import type { Finding } from '../report/findings.js';
import type { GroupReport, Severity, Status } from '../report/types.js';

export type Sizes = { prompt_size: number; batch_size: number; token_size: number };

/** A number in both reports; `relative` = (head - base) / |base|, Infinity from 0, null when either side is null. */
export interface NumberChange {
  base: number | null;
  head: number | null;
  relative: number | null;
}

export interface MedianChange extends NumberChange, Sizes {
  metric: string;
}

export interface PredictionChange extends NumberChange {
  group: string;
  metric: string;
  /** The probe point. */
  prompt_size: number;
  batch_size: number;
}

export interface FitErrorChange {
  group: string;
  metric: string;
  base: number | null;
  head: number | null;
  /** How the metric is fitted, `pchip on batch_tokens`, when that changed too. */
  fit: [string, string] | null;
}

export interface SeverityChange {
  finding: Finding;
  from: Severity;
}

export interface GroupDiff {
  group: string;
  status: [Status, Status];
  bySource: { source: string; base: number; head: number }[];
  medians: { changes: MedianChange[]; values: number; shared: number; added: Sizes[]; removed: Sizes[] };
  predictions: { changes: PredictionChange[]; values: number };
  fitError: FitErrorChange[];
  appeared: Finding[];
  disappeared: Finding[];
  severity: SeverityChange[];
}

export interface Diff {
  status: [Status, Status];
  bySource: { source: string; base: number; head: number }[];
  rows: [number, number];
  settings: string[];
  added: GroupReport[];
  removed: GroupReport[];
  groups: GroupDiff[];
  appeared: Finding[];
  disappeared: Finding[];
  severity: SeverityChange[];
}
