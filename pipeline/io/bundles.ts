/**
 * The chart libraries' browser bundles, read as text for the report page to
 * inline (never imported: the page is built without loading vega). Read once
 * per process.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from './packages.js';

/** vega, vega-lite and vega-embed's minified UMD builds, in the order a page loads them. */
export interface ChartBundles {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

const FILES: Record<keyof ChartBundles, [pkg: string, path: string]> = {
  vega: ['vega', 'build/vega.min.js'],
  vegaLite: ['vega-lite', 'build/vega-lite.min.js'],
  vegaEmbed: ['vega-embed', 'build/vega-embed.min.js'],
};

let bundles: Promise<ChartBundles> | undefined;

export function chartBundles(): Promise<ChartBundles> {
  bundles ??= readBundles();
  // A failed read is not cached: the next call tries again.
  bundles.catch(() => {
    bundles = undefined;
  });
  return bundles;
}

async function readBundles(): Promise<ChartBundles> {
  const read = async ([pkg, path]: [string, string]) => {
    const dir = packageDir(pkg);
    if (dir === null) throw new Error(`cannot find the installed package ${pkg}`);
    return readFile(join(dir, path), 'utf8');
  };
  const [vega, vegaLite, vegaEmbed] = await Promise.all([read(FILES.vega), read(FILES.vegaLite), read(FILES.vegaEmbed)]);
  return { vega, vegaLite, vegaEmbed };
}
