import { describe, expect, it } from 'vitest';
import { linear, loglog } from '../pipeline/fit/interpolate.js';
import { chooseMethod } from '../pipeline/fit/choose.js';
import { FACTORIES, METHODS, applicable } from '../pipeline/fit/methods.js';
import type { CandidateScore, InterpolatorName } from '../pipeline/types.js';
import { deepFreeze, fitGroups, row, scipyFixture, type ScipyEntry } from './helpers.js';

/** An isotonic-real.json group: the knots with their weights w and sklearn's fitted values. */
interface IsotonicEntry extends Omit<ScipyEntry, 'count' | 'queries' | 'values'> {
  w: number[];
  fitted: number[];
}

/** scipy references (test/fixtures/scipy/make_reference.py); one group of each is enough here, the method files test them all. */
const interp1d = scipyFixture<ScipyEntry[]>('interp1d-real.json');
const pchipReal = scipyFixture<ScipyEntry[]>('pchip-real.json');
const isotonicReal = scipyFixture<IsotonicEntry[]>('isotonic-real.json');

const relative = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe('loglog()', () => {
  // Through (1, 1) and (10, 100): log y = 2 log x, i.e. y = x^2.
  const f = loglog(Object.freeze([1, 10]), Object.freeze([1, 100]));

  it.each([
    [100, 10000], // 100^2: extrapolated along the power law
    [10 ** 1.5, 1000], // (10^1.5)^2
    [Math.sqrt(10), 10],
    [2, 4],
    [0.1, 0.01], // below the first knot, the same law
  ])('through (1, 1), (10, 100) follows y = x^2: at %d gives %d', (x, expected) => {
    expect(relative(f(x), expected)).toBeLessThan(1e-12);
  });

  it('reproduces its knots within 1e-12 relative', () => {
    const xs = [1, 3, 7, 20, 1000, 65536];
    const ys = [2, 5, 11, 13, 0.5, 1e6];
    const g = loglog(xs, ys);
    xs.forEach((x, i) => expect(relative(g(x), ys[i] as number)).toBeLessThan(1e-12));
  });

  it('is a power law between knots: y = 2 x^1 on [1, 4], then y = 8 (x/4)^3 on [4, 8]', () => {
    const g = loglog([1, 4, 8], [2, 8, 64]);
    expect(relative(g(2), 4)).toBeLessThan(1e-12);
    expect(relative(g(6), 8 * 1.5 ** 3)).toBeLessThan(1e-12); // 27
  });

  it.each([
    ['a zero y', [1, 2], [0, 1]],
    ['a negative y', [1, 2], [1, -1]],
    ['a zero x', [0, 2], [1, 2]],
    ['a NaN y', [1, 2], [1, NaN]],
  ])('throws a RangeError on %s', (_name, xs, ys) => {
    expect(() => loglog(xs, ys)).toThrow(RangeError);
  });
});

describe('applicable()', () => {
  it.each([
    ['linear', [0, -1, 2], true],
    ['pchip', [0, -1, 2], true],
    ['isotonic', [0, -1, 2], true],
    ['loglog', [1, 2, 3], true],
    ['loglog', [1, 0, 3], false],
    ['loglog', [1, -2, 3], false],
  ] as const)('%s on %j is %s', (method, ys, expected) => {
    expect(applicable(method, ys)).toBe(expected);
  });
});

describe('METHODS and FACTORIES', () => {
  it('list the four methods in auto\'s tie order', () => {
    expect(METHODS).toEqual(['linear', 'pchip', 'isotonic', 'loglog']);
    expect(Object.keys(FACTORIES).sort()).toEqual([...METHODS].sort());
  });

  const e = interp1d[0] as ScipyEntry;
  it(`linear gives scipy interp1d's values bit for bit (${e.model}/${e.hardware}/tp=${e.tensor_parallel} ${e.metric})`, () => {
    const f = FACTORIES.linear(e.x, e.y, e.count);
    expect(e.queries.map((q) => f(q))).toEqual(e.values);
  });

  const p = pchipReal[0] as ScipyEntry;
  it(`pchip gives scipy PchipInterpolator's values within 1e-12 (${p.model}/${p.hardware}/tp=${p.tensor_parallel} ${p.metric})`, () => {
    const f = FACTORIES.pchip(p.x, p.y, p.count);
    p.queries.forEach((q, i) => expect(relative(f(q), p.values[i] as number), `at ${q}`).toBeLessThan(1e-12));
  });

  const iso = isotonicReal.find((entry) => new Set(entry.w).size > 1 && entry.fitted.some((v, i) => v !== entry.y[i])) ?? (isotonicReal[0] as IsotonicEntry);
  it(`isotonic uses the weights: sklearn's fitted values at the knots (${iso.model}/${iso.hardware}/tp=${iso.tensor_parallel} ${iso.metric})`, () => {
    const f = FACTORIES.isotonic(iso.x, iso.y, iso.w);
    iso.x.forEach((x, i) => expect(relative(f(x), iso.fitted[i] as number), `at ${x}`).toBeLessThan(1e-12));
  });

  it('loglog is the log-log power law and ignores weights', () => {
    const f = FACTORIES.loglog([1, 10], [1, 100], [5, 1]);
    expect(relative(f(100), 10000)).toBeLessThan(1e-12);
  });

  it.each(METHODS)('%s goes through monotone knots exactly at the knots\' ys (to 1e-12)', (method: InterpolatorName) => {
    const xs = [128, 256, 512, 1024];
    const ys = [3, 5, 9, 30];
    const f = FACTORIES[method](xs, ys, [1, 2, 3, 4]);
    xs.forEach((x, i) => expect(relative(f(x), ys[i] as number)).toBeLessThan(1e-12));
  });

  it('linear is interpolate.linear', () => {
    const xs = [1, 2, 4];
    const ys = [3, -1, 7];
    const [f, g] = [FACTORIES.linear(xs, ys, [1, 1, 1]), linear(xs, ys)];
    for (const q of [-3, 0, 1, 1.5, 2, 3.3, 4, 9]) expect(f(q)).toBe(g(q));
  });
});

describe('chooseMethod()', () => {
  const c = (method: InterpolatorName, mape: number | null, monotone: boolean | null = true, isApplicable = true): CandidateScore => ({
    method,
    applicable: isApplicable,
    mape,
    maxApe: mape,
    monotone,
  });

  it.each([
    ['the lowest mape', [c('linear', 0.3), c('pchip', 0.1), c('isotonic', 0.2), c('loglog', 0.4)], 'pchip'],
    ['the lowest among the monotone ones', [c('linear', 0.3), c('pchip', 0.1, false), c('isotonic', 0.2), c('loglog', 0.05, false)], 'isotonic'],
    ['a candidate whose monotonicity is not required (null)', [c('linear', 0.3, null), c('pchip', 0.2, null), c('isotonic', 0.25, null), c('loglog', 0.4, null)], 'pchip'],
    ['not a method that is not applicable', [c('linear', 0.3), c('pchip', 0.2), c('isotonic', 0.25), c('loglog', 0.01, null, false)], 'pchip'],
    ['the earlier method on a tie', [c('linear', 0.1), c('pchip', 0.1), c('isotonic', 0.1), c('loglog', 0.1)], 'linear'],
    ['isotonic before loglog on a tie', [c('linear', 0.3, false), c('pchip', 0.3, false), c('isotonic', 0.1), c('loglog', 0.1)], 'isotonic'],
    ['isotonic when nothing is eligible', [c('linear', 0.1, false), c('pchip', 0.1, false), c('isotonic', 0.1, false), c('loglog', null, null, false)], 'isotonic'],
    ['linear when nothing could be scored', [c('linear', null), c('pchip', null), c('isotonic', null), c('loglog', null)], 'linear'],
    ['the first eligible when nothing could be scored and linear is not monotone', [c('linear', null, false), c('pchip', null), c('isotonic', null), c('loglog', null)], 'pchip'],
  ] as const)('picks %s', (_name, candidates, expected) => {
    expect(chooseMethod(deepFreeze([...candidates]))).toBe(expected);
  });
});

describe('fit() with methods auto', () => {
  // prompt_time knots x 100, 200, 400, 800, 1600; y 10, median(28, 32) = 30, 25 (a dip), 90, 200; weights 1, 2, 1, 1, 1.
  // token_time y 1, 2, 3, 5, 9 (monotone). No power columns.
  const rows = deepFreeze([
    row({ prompt_size: 100, token_size: 10, metrics: { prompt_time: 10, token_time: 1 } }),
    row({ prompt_size: 200, token_size: 10, metrics: { prompt_time: 28, token_time: 2 } }),
    row({ prompt_size: 200, token_size: 10, metrics: { prompt_time: 32, token_time: 2 } }),
    row({ prompt_size: 400, token_size: 10, metrics: { prompt_time: 25, token_time: 3 } }),
    row({ prompt_size: 800, token_size: 10, metrics: { prompt_time: 90, token_time: 5 } }),
    row({ prompt_size: 1600, token_size: 10, metrics: { prompt_time: 200, token_time: 9 } }),
  ]);
  const [group] = fitGroups(rows, { methods: { prompt_time: 'auto', token_time: 'auto', peak_power: 'auto', average_power: 'auto' } });

  // Leave-one-out at the interior knots 200, 400, 800, computed with python (test/fixtures/scipy style):
  // scipy interp1d / PchipInterpolator, a hand-written weighted PAVA then interp1d, and interp1d in (log x, log y).
  const EXPECTED = {
    prompt_time: [
      { method: 'linear', mape: 0.5246913580246914, maxApe: 1.0, monotone: false },
      { method: 'pchip', mape: 0.7430857377186907, maxApe: 1.132852976496826, monotone: false },
      { method: 'isotonic', mape: 0.5164609053497943, maxApe: 1.0, monotone: true },
      { method: 'loglog', mape: 0.5885801636898459, maxApe: 1.078460969082653, monotone: false },
    ],
    token_time: [
      { method: 'linear', mape: 0.055555555555555546, maxApe: 0.16666666666666663, monotone: true },
      { method: 'pchip', mape: 0.06901925206129268, maxApe: 0.14064651735884615, monotone: true },
      { method: 'isotonic', mape: 0.055555555555555546, maxApe: 0.16666666666666663, monotone: true },
      { method: 'loglog', mape: 0.07576587804878249, maxApe: 0.1339745962155614, monotone: true },
    ],
  } as const;

  it.each(['prompt_time', 'token_time'] as const)('scores every method on %s with its leave-one-out error', (metric) => {
    const candidates = group?.fits[metric]?.candidates;
    expect(candidates?.map((k) => k.method)).toEqual(['linear', 'pchip', 'isotonic', 'loglog']);
    EXPECTED[metric].forEach((expected, i) => {
      const got = candidates?.[i] as CandidateScore;
      expect(got.applicable).toBe(true);
      expect(got.monotone, expected.method).toBe(expected.monotone);
      expect(relative(got.mape as number, expected.mape), expected.method).toBeLessThan(1e-12);
      expect(relative(got.maxApe as number, expected.maxApe), expected.method).toBeLessThan(1e-12);
    });
  });

  it('chooses isotonic for the dipping prompt_time (the only monotone one) and linear for token_time (a tie with isotonic)', () => {
    expect(group?.fits.prompt_time?.method).toBe('isotonic');
    expect(group?.fits.token_time?.method).toBe('linear');
  });

  it('keeps the chosen method\'s leave-one-out errors', () => {
    const loo = group?.fits.prompt_time?.loo;
    expect(loo?.x).toEqual([200, 400, 800]);
    [0.5, 1.0, 0.0493827160493827].forEach((ape, i) => expect(relative(loo?.ape[i] as number, ape)).toBeLessThan(1e-12));
  });

  it('leaves metrics that are not in the input unfitted', () => {
    expect(group?.fits.peak_power).toBeNull();
    expect(group?.fits.average_power).toBeNull();
  });

  it('marks loglog not applicable where a median is 0', () => {
    const zero = deepFreeze([
      ...rows,
      // peak_power present with a zero median at one knot: loglog cannot fit it
      ...[100, 400, 1600].map((p, i) => row({ prompt_size: p, token_size: 20, metrics: { prompt_time: p / 10, token_time: 1, peak_power: i } })),
    ]);
    const [g] = fitGroups(zero, { methods: { prompt_time: 'linear', token_time: 'linear', peak_power: 'auto', average_power: 'linear' } });
    const loglogScore = g?.fits.peak_power?.candidates?.find((k) => k.method === 'loglog');
    expect(loglogScore).toEqual({ method: 'loglog', applicable: false, mape: null, maxApe: null, monotone: null });
  });
});

describe('fit() with a method that cannot fit the values', () => {
  it('refuses loglog on a power column with zeros (E_METHOD_NOT_APPLICABLE naming the group)', () => {
    const rows = [1, 2, 4].map((b) => row({ prompt_size: 100, batch_size: b, token_size: 10, metrics: { prompt_time: b, token_time: b, peak_power: b === 1 ? 0 : 1 } }));
    let error: unknown;
    try {
      fitGroups(rows, { methods: { prompt_time: 'linear', token_time: 'linear', peak_power: 'loglog', average_power: 'linear' } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_METHOD_NOT_APPLICABLE', message: '--method peak_power=loglog needs every median to be > 0, and one is 0', place: { group: 'm/h/tp=1' } });
  });
});
