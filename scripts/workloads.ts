/** Synthetic inputs for the benchmark and the tests that need a shape the real data does not have. */

const HEADER = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time,e2e_time';

/**
 * `groups` groups (model-0 … model-<groups-1> on one hardware) of two
 * configurations each, prompt 128 and 512 at batch 1 and 128 tokens: the
 * smallest input that a run must fit group by group.
 */
export function manyGroups(groups: number): string {
  const lines = [HEADER];
  for (let i = 0; i < groups; i++) {
    const scale = 1 + (i % 97) / 100;
    const rows: [number, number, number][] = [
      [128, 10.5 * scale, 2.5 * scale],
      [512, 30.5 * scale, 2.7 * scale],
    ];
    for (const [prompt, promptTime, tokenTime] of rows) lines.push(`model-${i},hw,1,${prompt},1,128,${promptTime},${tokenTime},${promptTime + 127 * tokenTime}`);
  }
  return `${lines.join('\n')}\n`;
}
