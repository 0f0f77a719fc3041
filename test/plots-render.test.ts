/**
 * The SVG renderer's parts: scales, ticks and their labels, the batch colours, XML text, and the
 * document renderSvg writes. Expected numbers are hand computed, or read off the SVG vega drew of
 * the same chart (the colours).
 */
import { describe, expect, it } from 'vitest';
import { ordinalColors, viridis } from '../pipeline/plots/colors.js';
import { renderSvg } from '../pipeline/plots/render.js';
import { scaleFor } from '../pipeline/plots/scale.js';
import { escapeXml, num } from '../pipeline/plots/svg.js';
import { linearTickFormat, linearTicks, niceDomain, tickLabel } from '../pipeline/plots/ticks.js';
import type { PlotSeries } from '../pipeline/plots/types.js';

/** Two knots, 128 and 8192, y 10 and 1000 ms (both axes log), three repetitions each. */
function series(overrides: Partial<PlotSeries> = {}): PlotSeries {
  return {
    title: 'm / hw / tp=1 — prompt_time',
    metric: 'prompt_time',
    unit: 'ms',
    repetitions: [128, 8192].flatMap((x, i) => [1, 2, 4].map((b) => ({ x, y: (i === 0 ? 10 : 1000) * (1 + b / 100), config: { prompt_size: x / b, batch_size: b, token_size: 8 } }))),
    medians: [
      { x: 128, y: 10, min: 10.1, max: 10.4 },
      { x: 8192, y: 1000, min: 1010, max: 1040 },
    ],
    emitted: [
      { x: 1024, y: 100, source: 'interpolated' },
      { x: 16384, y: 2000, source: 'extrapolated' },
    ],
    measuredRange: [128, 8192],
    extent: [128, 16384],
    anomalies: [],
    ...overrides,
  };
}

/** Elements opened and closed in order, nothing left open: a check of well-formed markup. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const [, close, name, self] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (self === '/') continue;
    if (close === '') stack.push(name as string);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

describe('scaleFor()', () => {
  it('maps a linear domain onto a reversed pixel range, both ends exactly', () => {
    const y = scaleFor({ log: false, domain: [10, 110] }, [360, 0]);
    expect([y(10), y(110), y(60), y(35)]).toEqual([360, 0, 180, 270]);
  });

  it('maps a log domain linearly in ln(x): 1024 is halfway from 128 to 8192 (2^7, 2^10, 2^13)', () => {
    const x = scaleFor({ log: true, domain: [128, 8192] }, [0, 640]);
    expect(x(128)).toBe(0);
    expect(x(8192)).toBe(640);
    expect(x(1024)).toBeCloseTo(320, 10);
    expect(x(512)).toBeCloseTo((640 * 2) / 6, 10);
  });

  it.each([0, -1, Number.NaN])('gives NaN for %s on a log scale, which the renderer never draws', (v) => {
    expect(scaleFor({ log: true, domain: [1, 10] }, [0, 100])(v)).toBeNaN();
  });

  it('maps everything to the middle of the range when the domain has no width', () => {
    expect(scaleFor({ log: false, domain: [5, 5] }, [0, 100])(7)).toBe(50);
  });
});

describe('niceDomain() and linearTicks()', () => {
  it.each([
    // (1.087 - 0.013) / 6 = 0.179: step 0.2; 0.013 down to 0, 1.087 up to 1.2.
    { domain: [0.013, 1.087], nice: [0, 1.2], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2] },
    // 24.4 / 6 = 4.07: step 5.
    { domain: [28.3, 52.7], nice: [25, 55], ticks: [25, 30, 35, 40, 45, 50, 55] },
    // 76.7 / 6 = 12.8: step 10 gives [20, 110], whose 15 per tick steps 20: [20, 120], steady.
    { domain: [28.3, 105], nice: [20, 120], ticks: [20, 40, 60, 80, 100, 120] },
  ])('widens $domain to $nice and ticks it at whole steps', ({ domain, nice, ticks }) => {
    expect(niceDomain(domain as [number, number], 6)).toEqual(nice);
    expect(linearTicks(nice as [number, number], 6)).toEqual(ticks);
  });

  it('keeps a domain of no width as it is, with its one value as the tick', () => {
    expect(niceDomain([3, 3], 6)).toEqual([3, 3]);
    expect(linearTicks([3, 3], 6)).toEqual([3]);
  });
});

describe('tickLabel() and linearTickFormat()', () => {
  it.each([
    [524288, '524,288'],
    [128, '128'],
    [0.5, '0.5'],
    [1e-7, '0.0000001'],
    [1234567.891, '1,234,567.891'],
    [-2000, '\u22122,000'],
    [0, '0'],
    [0.1 + 0.2, '0.3'],
  ])('writes %s as %s (",.12~r")', (v, label) => {
    expect(tickLabel(v)).toBe(label);
  });

  it('gives linear ticks the decimals of their step, as vega does without a format', () => {
    const tenths = linearTickFormat([0, 1.2], 6);
    expect([0, 0.2, 1, 1.2].map(tenths)).toEqual(['0.0', '0.2', '1.0', '1.2']);
    const thousands = linearTickFormat([0, 60000], 6);
    expect([0, 10000, 60000].map(thousands)).toEqual(['0', '10,000', '60,000']);
  });
});

describe('viridis() and ordinalColors()', () => {
  it('samples seven batch sizes at 1/8 .. 7/8, the colours vega drew for them', () => {
    // vega's SVG of llama2-70b/a100-80gb/tp=2 prompt_time: rgb(71, 45, 123) ... rgb(171, 220, 50).
    const colours = ordinalColors([1, 2, 4, 8, 16, 32, 64]);
    expect([...colours.values()]).toEqual(['#472d7b', '#3b528b', '#2c728e', '#21918d', '#28ae80', '#5dc963', '#abdc32']);
  });

  it('starts and ends on the scheme\'s end stops', () => {
    expect([viridis(0), viridis(1)]).toEqual(['#440154', '#fde725']);
  });
});

describe('escapeXml() and num()', () => {
  it('escapes the five XML specials and drops control characters XML cannot hold', () => {
    expect(escapeXml(`a<&">'b\u0001c`)).toBe('a&lt;&amp;&quot;&gt;&#39;bc');
  });

  it.each([
    [1 / 3, '0.33'],
    [-0.001, '0'],
    [2.005, '2.01'],
    [640, '640'],
  ])('writes %s as %s', (v, text) => {
    expect(num(v)).toBe(text);
  });
});

describe('renderSvg()', () => {
  it('escapes a title holding <&"> and stays well-formed', () => {
    const svg = renderSvg(series({ title: 'a <b> & "c"', subtitle: ['x < y & z'] }));
    expect(svg).toContain('>a &lt;b&gt; &amp; &quot;c&quot;<');
    expect(svg).toContain('>x &lt; y &amp; z<');
    expect(svg).not.toContain('<b>');
    expect(balanced(svg)).toBe(true);
  });

  it('gives the same bytes for the same series, from a copy too', () => {
    expect(renderSvg(structuredClone(series()))).toBe(renderSvg(series()));
  });

  it('leaves out the points a log axis cannot place and writes no NaN or Infinity', () => {
    const input = series({
      repetitions: [...series().repetitions, { x: 512, y: 0 }, { x: 512, y: -3 }, { x: 0, y: 20 }, { x: 512, y: Number.NaN }],
      emitted: [...series().emitted, { x: 2048, y: Number.POSITIVE_INFINITY, source: 'interpolated' }],
    });
    const svg = renderSvg(input);
    expect(svg).not.toMatch(/NaN|Infinity/);
    // A repetition is a circle of area 26: radius sqrt(26) / 2 = 2.55; the six drawable ones only.
    expect(svg.match(/<circle[^>]* r="2\.55"/g)).toHaveLength(6);
    expect(svg).toContain('>3 points not shown: zero or negative, which a logarithmic scale cannot place<');
    expect(svg).toContain('>2 points not shown: not a finite number<');
  });

  it('puts the x ticks of a log axis on powers of two, at their positions', () => {
    // x domain: 128..16384 padded by 128^0.03 (the ratio 128 = 2^7): ln-space ends at 2^6.79 and 2^14.21.
    const svg = renderSvg(series());
    const labels = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">([\d,]+)</g)].map(([, x, label]) => [Number(x), label]);
    expect(labels.map(([, l]) => l)).toEqual(['128', '256', '512', '1,024', '2,048', '4,096', '8,192', '16,384']);
    // 2^k sits at 640 * (k - 6.79) / 7.42, rounded to the pixel, plus half a pixel.
    for (const [x, label] of labels) {
      const k = Math.log2(Number(String(label).replace(/,/g, '')));
      expect(x).toBe(Math.round((640 * (k - 6.79)) / 7.42) + 0.5);
    }
  });

  it('draws an empty series as an empty chart: frame and title, no marks, no legend', () => {
    const svg = renderSvg(series({ repetitions: [], medians: [], emitted: [], anomalies: [], extent: [128, 8192] }));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toContain('<circle');
    expect(svg).not.toContain('repetitions by batch size');
    expect(balanced(svg)).toBe(true);
  });
});
