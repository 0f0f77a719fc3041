/** Sizes are capped so that prompt_size * batch_size stays an exact integer (< 2^53). */
export const MAX_SIZE = 2 ** 26;
/** The most values one size list may hold (a grid dimension larger than this cannot fit under --max-rows anyway). */
export const MAX_LIST = 1 << 20;
/** The longest CSV record accepted, in characters. */
export const MAX_RECORD_SIZE = 1 << 20;
/** The most worker threads a run may ask for. */
export const MAX_CONCURRENCY = 64;
