/** Sizes are capped so that prompt_size * batch_size stays an exact integer (< 2^53). */
export const MAX_SIZE = 2 ** 26;
/** The most values one size list may hold (a grid dimension larger than this cannot fit under --max-rows anyway). */
export const MAX_LIST = 1 << 20;
/** The longest CSV record accepted, in characters. */
export const MAX_RECORD_SIZE = 1 << 20;
/** The most worker threads a run may ask for. */
export const MAX_CONCURRENCY = 64;
/** The most groups one run fits: some 40 KB of memory each, so 20,000 stay under a gigabyte. */
export const MAX_GROUPS = 20_000;
/** Charts (SVG files and the report page's) are drawn for at most this many groups, the first in group order: past it they would cost more than the run. */
export const MAX_CHARTED_GROUPS = 40;
/** The most rows --max-rows may allow: about 100 TB of CSV, beyond any disk a run writes to. */
export const MAX_ROWS = 1e12;
/** Times accepted, in ms: from a picosecond to some 30 years. Inside them every derived value is a finite double. */
export const MIN_TIME_MS = 1e-9;
export const MAX_TIME_MS = 1e12;
/** The largest power accepted (in the input's unit). */
export const MAX_POWER = 1e9;
