import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../pipeline/io/paths.js';

/** How an output file differs from what the run would write. */
export type Difference = 'missing' | 'stale';

/**
 * The lines --check prints for the files that differ: `missing: PATH` for a
 * file the run writes that is not in the output folder, `stale: PATH` for one
 * whose bytes differ (or that the run would no longer write), then one summary
 * line with the counts and the command that regenerates them.
 */
export function checkReport(out: string, differing: readonly string[], rerun: string): { text: string; fresh: boolean } {
  if (differing.length === 0) return { text: `${displayPath(out)} is up to date\n`, fresh: true };
  const kinds = differing.map((name): [string, Difference] => [name, existsSync(join(out, name)) ? 'stale' : 'missing']);
  const lines = kinds.map(([name, kind]) => `${kind}: ${displayPath(join(out, name))}`);
  const count = (kind: Difference) => kinds.filter(([, k]) => k === kind).length;
  const parts = [`${count('missing')} missing`, `${count('stale')} stale`].filter((p) => !p.startsWith('0 '));
  const files = differing.length === 1 ? 'file' : 'files';
  const where = existsSync(out) ? '' : ` (${displayPath(out)} does not exist)`;
  return { text: `${lines.join('\n')}\n${differing.length} ${files} out of date${where}: ${parts.join(', ')}; regenerate with \`${rerun}\`\n`, fresh: false };
}
