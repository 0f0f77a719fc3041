import { describe, expect, it } from 'vitest';
import { aggregate } from '../pipeline/stages/aggregate.js';
import { E2E_TOLERANCE, OUTLIER_MIN_RELATIVE, OUTLIER_Z, e2eConsistency, findCopies, findOutliers, powerRecording, repetitionSpread } from '../pipeline/checks/measured.js';
import type { Configuration, Metrics } from '../pipeline/types.js';
import { deepFreeze, row } from './helpers.js';

/** One configuration per entry: (prompt, batch, token) and the repetitions' metrics. */
function configs(entries: readonly [p: number, b: number, t: number, reps: Partial<Metrics>[]][], model = 'm'): Configuration[] {
  const rows = entries.flatMap(([p, b, t, reps]) => reps.map((metrics) => row({ model, prompt_size: p, batch_size: b, token_size: t, metrics })));
  return deepFreeze(aggregate(rows));
}

/** prompt_time repetitions only (token_time is required by nothing here, but keep it present). */
const pt = (...values: number[]): Partial<Metrics>[] => values.map((v) => ({ prompt_time: v, token_time: 1 }));

describe('repetitionSpread()', () => {
  const data = configs([
    [100, 1, 10, pt(10, 12, 11, 10)], // mean 10.75; squared deviations 0.5625+1.5625+0.0625+0.5625 = 2.75; sd = sqrt(2.75/3)
    [200, 1, 10, pt(100, 104)], // mean 102; sd = sqrt((4+4)/1) = 2.8284...; cv = 2.8284/102
    [300, 1, 10, pt(50, 50, 50)], // cv 0
    [400, 1, 10, pt(7)], // a single repetition: no sample sd, skipped
  ]);
  // numpy: np.std(v, ddof=1) / np.mean(v)
  const CV_100 = 0.08906298676803145;
  const CV_200 = 0.0277296776935901;

  it('reports the sample sd / mean per configuration, worst first, skipping single repetitions', () => {
    const s = repetitionSpread(data, 'prompt_time');
    expect(s.configurations).toBe(3);
    expect(s.worst.map((w) => w.prompt_size)).toEqual([100, 200, 300]);
    expect(s.worst[0]?.cv).toBeCloseTo(CV_100, 15);
    expect(s.worst[1]?.cv).toBeCloseTo(CV_200, 15);
    expect(s.worst[2]?.cv).toBe(0);
  });

  it('gives the median and the largest cv, and the largest max / min ratio', () => {
    const s = repetitionSpread(data, 'prompt_time');
    expect(s.medianCv).toBeCloseTo(CV_200, 15); // median of three cvs: the middle one
    expect(s.maxCv).toBeCloseTo(CV_100, 15);
    expect(s.maxRatio).toBe(12 / 10); // 104/100 = 1.04 < 1.2
  });

  it('keeps only the `keep` worst', () => {
    expect(repetitionSpread(data, 'prompt_time', 1).worst.map((w) => w.prompt_size)).toEqual([100]);
  });

  it('gives nulls when no configuration has two repetitions', () => {
    const s = repetitionSpread(configs([[1, 1, 1, pt(3)]]), 'prompt_time');
    expect(s).toEqual({ configurations: 0, medianCv: null, maxCv: null, maxRatio: null, worst: [] });
  });

  it('gives a null ratio when the smallest repetition is 0 (powers)', () => {
    const c = configs([[1, 1, 1, [{ prompt_time: 1, token_time: 1, peak_power: 0 }, { prompt_time: 1, token_time: 1, peak_power: 2 }]]]);
    const s = repetitionSpread(c, 'peak_power');
    expect(s.worst[0]?.ratio).toBeNull();
    expect(s.maxRatio).toBeNull();
    expect(s.maxCv).toBeCloseTo(Math.SQRT2, 15); // mean 1, sd sqrt(2)
  });
});

describe('findOutliers()', () => {
  it('states its thresholds', () => {
    expect([OUTLIER_Z, OUTLIER_MIN_RELATIVE]).toEqual([3.5, 0.01]);
  });

  it.each([
    // values, flagged values, by hand: median m, MAD = median |x - m|, z = 0.6745 (x - m) / MAD
    ['a far high value', [10, 11, 12, 13, 30], [30]], // m 12, |dev| 2,1,0,1,18 -> MAD 1; z(30) = 12.141
    ['a far low value (negative z)', [5, 11, 12, 13, 14], [5]], // m 12, |dev| 7,1,0,1,2 -> MAD 1; z(5) = -4.7215
    ['z just below 3.5', [10, 11, 12, 13, 17], []], // MAD 1; z(17) = 0.6745 * 5 = 3.3725
    ['z just above 3.5', [10, 11, 12, 13, 18], [18]], // MAD 1; z(18) = 0.6745 * 6 = 4.047
    ['MAD 0: any different value has infinite z', [10, 10, 10, 10, 20], [20]], // relative 1
    ['MAD 0 but within 1%', [100, 100, 100, 100, 100.5], []], // relative 0.005
    ['large z but within 1% of the median', [1000, 1000.1, 1000.2, 1000.3, 1005], []], // MAD 0.1, z 32.4, relative 4.8/1000.2 = 0.0048
    ['fewer than 3 repetitions are skipped', [10, 1000], []],
  ])('%s', (_name, values, flagged) => {
    const data = configs([[100, 1, 10, pt(...values)]]);
    expect(findOutliers(data, 'prompt_time').map((o) => o.value)).toEqual(flagged);
  });

  it('reports value, median, z, relative and the configuration', () => {
    const [o] = findOutliers(configs([[100, 2, 10, pt(5, 11, 12, 13, 14)]]), 'prompt_time');
    expect(o).toMatchObject({ prompt_size: 100, batch_size: 2, token_size: 10, metric: 'prompt_time', value: 5, median: 12 });
    expect(o?.z).toBeCloseTo(-4.7215, 12); // 0.6745 * -7 / 1
    expect(o?.relative).toBeCloseTo(7 / 12, 15);
  });

  it('gives z = Infinity when MAD is 0', () => {
    const [o] = findOutliers(configs([[1, 1, 1, pt(10, 10, 10, 20)]]), 'prompt_time');
    expect(o?.z).toBe(Infinity);
  });
});

describe('e2eConsistency()', () => {
  it(`flags medians off prompt_time + (token_size - 1) * token_time by more than ${E2E_TOLERANCE}, worst first`, () => {
    // token_size 11, prompt_time 10, token_time 2: expected e2e = 10 + 10 * 2 = 30
    const c = (p: number, e2e: number): [number, number, number, Partial<Metrics>[]] => [p, 1, 11, [{ prompt_time: 10, token_time: 2, e2e_time: e2e }]];
    const data = configs([
      c(100, 30), // exact
      c(200, 30.15), // 0.15 / 30.15 = 0.004975 <= 0.005: consistent
      c(300, 30.16), // 0.16 / 30.16 = 0.005305: inconsistent
      c(400, 31), // 1 / 31 = 0.032258
      c(500, 28), // -2 / 28 = -0.071429, the worst
      [600, 1, 11, pt(10)], // no e2e_time: not checked
    ]);
    const check = e2eConsistency(data);
    expect(check.checked).toBe(5);
    expect(check.inconsistent.map((i) => i.prompt_size)).toEqual([500, 400, 300]);
    expect(check.inconsistent[0]).toMatchObject({ measured: 28, expected: 30 });
    expect(check.inconsistent[0]?.relative).toBeCloseTo(-2 / 28, 15);
    expect(check.inconsistent[2]?.relative).toBeCloseTo(0.16 / 30.16, 12);
  });
});

describe('findCopies()', () => {
  const sizes: [number, number, number][] = [
    [100, 1, 10],
    [200, 1, 10],
    [400, 1, 10],
  ];
  const group = (id: string, prompt: number[], peak: number[], at = sizes) => ({
    id,
    configurations: configs(at.map(([p, b, t], i): [number, number, number, Partial<Metrics>[]] => [p, b, t, [{ prompt_time: prompt[i] as number, token_time: 1, peak_power: peak[i] as number }]]), id),
  });
  const groups = deepFreeze([
    group('a', [10, 20, 40], [0, 0, 0]),
    group('b', [10, 20, 40], [0, 0, 0]), // an exact copy of a; powers all zero (not compared)
    group('c', [13, 26, 52], [1, 2, 3]), // a's prompt_time times 1.3
    group('d', [10, 20, 40], [1, 2, 3], [[100, 1, 10], [200, 1, 10], [800, 1, 10]]), // same values, other configurations
  ]);

  it('finds the exact copy (factor 1) and the scaled copy (factor 1.3), the later group as the copy', () => {
    expect(findCopies(groups, ['prompt_time'])).toEqual([
      { metric: 'prompt_time', group: 'b', of: 'a', factor: 1 },
      { metric: 'prompt_time', group: 'c', of: 'a', factor: 13 / 10 },
    ]);
  });

  it('skips all-zero series and never compares different configuration sets', () => {
    // peak_power: a and b are all zero; c and d have the same values but different configurations
    expect(findCopies(groups, ['peak_power'])).toEqual([]);
  });

  it('does not depend on the order of the groups', () => {
    expect(findCopies([...groups].reverse(), ['prompt_time', 'peak_power'])).toEqual(findCopies(groups, ['prompt_time', 'peak_power']));
  });

  it('does not report series in no constant ratio', () => {
    expect(findCopies([group('a', [10, 20, 40], [0, 0, 0]), group('b', [13, 26, 53], [0, 0, 0])], ['prompt_time'])).toEqual([]);
  });
});

describe('powerRecording()', () => {
  const withPower = (...values: (number | null)[]) =>
    configs(values.map((v, i): [number, number, number, Partial<Metrics>[]] => [100 * (i + 1), 1, 1, [{ prompt_time: 1, token_time: 1, peak_power: v }]]));

  it.each([
    ['recorded', withPower(0.5, 0.7), { state: 'recorded', zero: 0, total: 2 }],
    ['not recorded', withPower(0, 0, 0), { state: 'not recorded', zero: 3, total: 3 }],
    ['partly recorded', withPower(0, 0.7, 0), { state: 'partly recorded', zero: 2, total: 3 }],
    ['absent', withPower(null, null), { state: 'absent', zero: 0, total: 0 }],
  ])('says %s', (_name, data, expected) => {
    expect(powerRecording(data, 'peak_power')).toEqual(expected);
  });
});
