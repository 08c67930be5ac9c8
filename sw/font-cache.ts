/**
 * The run-time cache of the web font's chunks the precache leaves out (sw/build.ts): a character
 * no catalogue has, a rare one in a holder's name say, makes the browser fetch its Noto Sans SC
 * chunk once; it is kept here (cache first) so the name renders offline afterwards. The cache is
 * bounded: past MAX_FONT_CHUNKS the oldest kept chunks are dropped (docs/operations.md, "Chinese on
 * a kiosk with no CJK font").
 */
import type { WorkboxPlugin } from 'workbox-core';

export const FONT_CACHE = 'fuelcard-font-chunks';
/** ~40 KB a chunk: at most ~2.5 MB, well under a kiosk's storage quota, and more than any day's names need. */
export const MAX_FONT_CHUNKS = 60;

/** A same-origin woff2 of the web font (the built files are /assets/noto-sans-sc-<chunk>-<weight>-normal-<hash>.woff2). */
export function isFontChunk(url: URL, origin: string): boolean {
  return url.origin === origin && /^\/assets\/noto-sans-sc-[^/]+\.woff2$/.test(url.pathname);
}

/** Drops the oldest entries (Cache keys come back in insertion order) past the bound after each store. */
export const trimFontCache: WorkboxPlugin = {
  async cacheDidUpdate({ cacheName }) {
    const cache = await caches.open(cacheName);
    const keys = await cache.keys();
    for (const request of keys.slice(0, Math.max(0, keys.length - MAX_FONT_CHUNKS))) await cache.delete(request);
  },
};
