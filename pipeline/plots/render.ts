/**
 * Renders a chart's spec into a standalone SVG document with vega and
 * vega-lite, imported lazily (about 0.5 s, once) so that runs that draw no
 * plot never pay for them.
 */
import { textWidth } from './fonts.js';
import { plotSpec } from './spec.js';
import type { PlotSeries } from './types.js';

interface VegaModules {
  vega: typeof import('vega');
  vl: typeof import('vega-lite');
}
let modules: Promise<VegaModules> | undefined;
/** Renders run one at a time: vega numbers SVG clip/gradient ids with a module-wide counter. */
let queue: Promise<unknown> = Promise.resolve();

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => {
    // Without a canvas vega guesses 0.8 em per character, half again too wide for Helvetica:
    // legends and axes get wide blank margins. `textMetrics.width` is vega's hook for a custom
    // measure (vl-convert sets it too); it is not in vega's typings.
    const metrics = (vega as unknown as { textMetrics?: { width: unknown } }).textMetrics;
    if (metrics) metrics.width = textWidth;
    return { vega, vl };
  });
  // A failed import is not cached: the next call tries again.
  modules.catch(() => {
    modules = undefined;
  });
  return modules;
}

/** A standalone SVG document (root carries the SVG namespace); the same series gives the same bytes. */
export async function renderPlot(series: PlotSeries): Promise<string> {
  const spec = plotSpec(series);
  const { vega, vl } = await loadVega();
  const run = queue.then(async () => {
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    try {
      vega.resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  });
  queue = run.catch(() => undefined);
  const svg = await run;
  // vega 6 writes the namespace; an <img> shows nothing without it, so make sure.
  return /^<svg\b[^>]*\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(svg) ? svg : svg.replace(/^<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"');
}
