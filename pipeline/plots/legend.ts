/**
 * The two legends right of the plot: the repetitions' batch sizes (two columns, filled down the
 * first column first, in increasing batch size) and, below it, every layer drawn with its symbol,
 * in style.ts's order. Sizes come from fonts.ts's text widths, so the chart is made wide enough.
 */
import { textWidth } from './fonts.js';
import { LAYERS } from './style.js';
import { textElement } from './svg.js';
import { symbol, type SymbolShape } from './symbols.js';
import type { Layer } from './types.js';

const FONT = 12;
/** Left edge to a label: the symbol and its gap. */
const LABEL_X = 16;
const COLUMN_GAP = 10;
const BATCH_ROW = 18;
const LAYER_ROW = 20;
/** Below the batch legend's title, and between the two legends. */
const TITLE_GAP = 6;
const LEGEND_GAP = 12;
export const BATCH_TITLE = 'repetitions by batch size';

export interface Legend {
  /** Markup positioned from the legends' top left corner. */
  parts: string[];
  width: number;
  height: number;
}

const width = (text: string) => textWidth({ fontSize: FONT }, text);

/** The batch legend (when any repetition is drawn) above the layer legend (when any layer is). */
export function legends(batches: ReadonlyMap<number, string>, shown: readonly Layer[]): Legend {
  const batch = batchLegend(batches);
  const layers = layerLegend(shown, batch.height === 0 ? 0 : batch.height + LEGEND_GAP);
  return { parts: [...batch.parts, ...layers.parts], width: Math.max(batch.width, layers.width), height: Math.max(batch.height, layers.height) };
}

function batchLegend(batches: ReadonlyMap<number, string>): Legend {
  if (batches.size === 0) return { parts: [], width: 0, height: 0 };
  const entries = [...batches];
  const rows = Math.ceil(entries.length / 2);
  const column = LABEL_X + Math.max(...entries.map(([b]) => width(String(b)))) + COLUMN_GAP;
  const top = FONT + TITLE_GAP;
  const parts = [textElement(BATCH_TITLE, { x: 0, y: FONT - 3 })];
  entries.forEach(([b, colour], i) => {
    const [x, y] = [Math.floor(i / rows) * column, top + (i % rows) * BATCH_ROW + BATCH_ROW / 2];
    parts.push(symbol('circle', 100, x + 5, y, { fill: colour, 'fill-opacity': 0.8, stroke: '#555', 'stroke-width': 0.6 }));
    parts.push(textElement(String(b), { x: x + LABEL_X, y: y + 4 }));
  });
  const columns = Math.min(2, entries.length);
  return { parts, width: Math.max(width(BATCH_TITLE), columns * column - COLUMN_GAP), height: top + rows * BATCH_ROW };
}

/** The symbol of each layer in the legend: its shape from style.ts, its colour as stroke and (but for the anomaly ring) as fill. */
function layerSymbol(layer: Layer, x: number, y: number): string {
  const { color, shape } = LAYERS[layer];
  const kind: SymbolShape = shape === 'M0,-1L0,1' ? 'vertical' : (shape as SymbolShape);
  const line = kind === 'stroke' || kind === 'vertical';
  return symbol(kind, 90, x, y, { fill: layer === 'anomaly' || line ? 'none' : color, stroke: color, 'stroke-width': 2 });
}

function layerLegend(shown: readonly Layer[], top: number): Legend {
  if (shown.length === 0) return { parts: [], width: 0, height: 0 };
  const parts: string[] = [];
  shown.forEach((layer, i) => {
    const y = top + i * LAYER_ROW + LAYER_ROW / 2;
    parts.push(layerSymbol(layer, 5, y), textElement(LAYERS[layer].name, { x: LABEL_X, y: y + 4 }));
  });
  return { parts, width: LABEL_X + Math.max(...shown.map((l) => width(LAYERS[l].name))), height: top + shown.length * LAYER_ROW };
}
