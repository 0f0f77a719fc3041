import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { packageVersion } from '../pipeline/io/packages.js';
import { isCurrentPlot, plotCacheKey, plotFile, plotFileName } from '../pipeline/plots/files.js';
import { plotSpec } from '../pipeline/plots/spec.js';
import type { PlotSeries } from '../pipeline/plots/types.js';

const SAFE = /^[A-Za-z0-9._-]+$/;

describe('plotFileName()', () => {
  it.each([
    [['../x'], '__x.svg'], // '/' -> '_', then the leading dots -> '_'
    [['..'], '_.svg'],
    [['.hidden'], '_hidden.svg'],
    [['a/b'], 'a_b.svg'],
    [['a\\b'], 'a_b.svg'],
    [['my model, "v2"\n'], 'my_model___v2__.svg'],
    [["it's"], 'it_s.svg'],
    [['modèle'], 'mod_le.svg'],
    [['llama2-70b', 'a100-80gb', 'tp2', 'prompt_time'], 'llama2-70b__a100-80gb__tp2__prompt_time.svg'],
    [['x', '.y'], 'x___y.svg'], // each part loses its leading dots
    [[''], 'plot.svg'],
    [[], 'plot.svg'],
  ])('turns %j into %s', (parts, expected) => {
    expect(plotFileName(Object.freeze([...parts]), new Set())).toBe(expected);
  });

  it('dedupes with -2, -3, ... and records every name it gives', () => {
    const used = new Set<string>();
    const names = [['a'], ['a'], ['a b'], ['a,b'], ['a'], ['a-2']].map((parts) => plotFileName(parts, used));
    expect(names).toEqual(['a.svg', 'a-2.svg', 'a_b.svg', 'a_b-2.svg', 'a-3.svg', 'a-2-2.svg']);
    expect([...used].sort()).toEqual([...names].sort());
  });

  it('keeps long names to 180 characters before the suffix', () => {
    const name = plotFileName(['x'.repeat(300)], new Set());
    expect(name).toBe(`${'x'.repeat(180)}.svg`);
  });

  it('gives safe, unique names that never start with a dot, whatever the parts hold', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 4 }), { minLength: 1, maxLength: 20 }), (calls) => {
        const used = new Set<string>();
        const names = calls.map((parts) => plotFileName(parts, used));
        for (const name of names) {
          expect(name).toMatch(SAFE);
          expect(name.startsWith('.')).toBe(false);
          expect(name.endsWith('.svg')).toBe(true);
          expect(name).not.toContain('/');
        }
        expect(new Set(names).size).toBe(names.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('plotFile() and isCurrentPlot()', () => {
  const KEY = 'a'.repeat(64);
  const OTHER = 'b'.repeat(64);
  const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><text>p99 — ü</text></svg>';

  it.each([
    ['an svg', SVG],
    ['an svg with inner newlines', '<svg>\n<g/>\n</svg>'],
    ['an svg ending in a newline', '<svg/>\n'],
    ['an empty svg', ''],
  ])('recognises its own file for %s', (_name, svg) => {
    expect(isCurrentPlot(plotFile(KEY, svg), KEY)).toBe(true);
  });

  it('puts the key and a hash on the first line, then the svg', () => {
    const file = plotFile(KEY, SVG);
    expect(file).toMatch(/^<!-- perfdb-plot a{64} [0-9a-f]{64} -->\n/);
    expect(file.endsWith(`\n${SVG}\n`)).toBe(true);
  });

  it('rejects the file after any one character of the svg changes', () => {
    const file = plotFile(KEY, SVG);
    const start = file.indexOf('\n') + 1;
    for (let i = start; i < file.length - 1; i++) {
      const c = file[i] as string;
      const changed = file.slice(0, i) + (c === 'x' ? 'y' : 'x') + file.slice(i + 1);
      expect(isCurrentPlot(changed, KEY), `at ${i}`).toBe(false);
    }
  });

  it('rejects a file drawn for another key', () => {
    expect(isCurrentPlot(plotFile(OTHER, SVG), KEY)).toBe(false);
  });

  it('rejects a file whose header hash was edited', () => {
    const file = plotFile(KEY, SVG);
    const header = file.slice(0, file.indexOf('\n'));
    const hash = header.split(' ')[3] as string;
    const edited = file.replace(hash, `${hash[0] === '0' ? '1' : '0'}${hash.slice(1)}`);
    expect(isCurrentPlot(edited, KEY)).toBe(false);
  });

  it.each([
    ['an empty file', ''],
    ['an svg without the header', `${SVG}\n`],
    ['a header with short hashes', `<!-- perfdb-plot ${KEY} abc -->\n${SVG}\n`],
    ['a header without the svg hash', `<!-- perfdb-plot ${KEY} -->\n${SVG}\n`],
    ['a header alone, no newline', plotFile(KEY, SVG).split('\n')[0] as string],
    ['CRLF line ends', plotFile(KEY, SVG).replace(/\n/g, '\r\n')],
    ['random text', 'hello world'],
  ])('rejects %s', (_name, file) => {
    expect(isCurrentPlot(file, KEY)).toBe(false);
  });
});

describe('plotCacheKey()', () => {
  const series: PlotSeries = {
    title: 't',
    metric: 'prompt_time',
    unit: 'ms',
    repetitions: [{ x: 128, y: 10 }],
    medians: [{ x: 128, y: 10, min: 9, max: 11 }],
    emitted: [{ x: 256, y: 20, source: 'interpolated' }],
    measuredRange: [128, 256],
    extent: [128, 256],
    anomalies: [],
  };

  it('does not take a plot vega drew for the same series as current: it is drawn anew', () => {
    // The key of the files vega drew: the libraries' versions, then the spec of the time (which named its renderer in usermeta).
    const libraries = ['vega', 'vega-lite'].map((name) => `${name}@${packageVersion(name)}`).join(' ');
    const { $schema, ...rest } = plotSpec(series);
    const spec = { $schema, usermeta: { renderer: 'perfdb renderPlot 1: Helvetica AFM text widths' }, ...rest };
    const vegaKey = createHash('sha256').update(`${libraries}\n${JSON.stringify(spec)}`).digest('hex');
    expect(isCurrentPlot(plotFile(vegaKey, '<svg/>'), plotCacheKey(series))).toBe(false);
    expect(isCurrentPlot(plotFile(plotCacheKey(series), '<svg/>'), plotCacheKey(structuredClone(series)))).toBe(true);
  });

  it('changes with anything the chart shows', () => {
    expect(plotCacheKey({ ...series, title: 'u' })).not.toBe(plotCacheKey(series));
    expect(plotCacheKey({ ...series, emitted: [{ x: 256, y: 21, source: 'interpolated' }] })).not.toBe(plotCacheKey(series));
  });
});
