import type { ConfigKey, GroupKey } from '../types.js';

/**
 * `model/hardware/tp=N`: how groups are named in messages and the report. A
 * `/` or `%` inside a name is written %2F or %25, so that two groups never
 * share an id (model `a/b` on `c` and model `a` on `b/c`).
 */
export function groupId(key: GroupKey): string {
  return groupIdOf(key.model, key.hardware, String(key.tensor_parallel));
}

/** groupId from the fields as written (tensor_parallel may not be a number yet). */
export function groupIdOf(model: string, hardware: string, tensorParallel: string): string {
  const escape = (name: string) => name.replace(/%/g, '%25').replace(/\//g, '%2F');
  return `${escape(model)}/${escape(hardware)}/tp=${tensorParallel}`;
}

/** Code-unit order, not locale order, so that sorting never depends on the machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Output order: model, hardware, then tensor_parallel numerically. */
export function compareGroups(a: GroupKey, b: GroupKey): number {
  return compareStrings(a.model, b.model) || compareStrings(a.hardware, b.hardware) || a.tensor_parallel - b.tensor_parallel;
}

/** Output order within a group: prompt_size, batch_size, token_size, numerically. */
export function compareConfigs(a: ConfigKey, b: ConfigKey): number {
  return compareGroups(a, b) || a.prompt_size - b.prompt_size || a.batch_size - b.batch_size || a.token_size - b.token_size;
}

/** A collision-free map key for a group (names may hold any character). */
export function groupKeyString(key: GroupKey): string {
  return JSON.stringify([key.model, key.hardware, key.tensor_parallel]);
}

/** Items by group (groupKeyString), each group's in input order, groups in the order first met. */
export function splitByGroup<T extends GroupKey>(items: readonly T[]): Map<string, T[]> {
  return groupedBy(items, groupKeyString);
}

/** Items by a key of each, each key's in input order, keys in the order first met. */
export function groupedBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list === undefined) out.set(key, [item]);
    else list.push(item);
  }
  return out;
}

/** `prompt,batch,token`: the key of a configuration within its group. */
export function configKey(prompt: number, batch: number, token: number): string {
  return `${prompt},${batch},${token}`;
}

/** The sizes of a configKey. */
export function parseConfigKey(key: string): [prompt: number, batch: number, token: number] {
  return key.split(',').map(Number) as [number, number, number];
}
