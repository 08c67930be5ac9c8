import { afterEach, describe, expect, it, vi } from 'vitest';
import { FONT_CACHE, MAX_FONT_CHUNKS, isFontChunk, trimFontCache } from './font-cache.ts';

const ORIGIN = 'https://kiosk.example';

describe("the run-time cache of the web font's other chunks", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('takes only the built Noto Sans SC woff2 chunks of its own origin', () => {
    expect(isFontChunk(new URL(`${ORIGIN}/assets/noto-sans-sc-3-400-normal-Ab1_c.woff2`), ORIGIN)).toBe(true);
    expect(isFontChunk(new URL('https://elsewhere.example/assets/noto-sans-sc-3-400-normal-x.woff2'), ORIGIN)).toBe(false);
    expect(isFontChunk(new URL(`${ORIGIN}/assets/noto-sans-sc-8BL9PQ8N.css`), ORIGIN)).toBe(false);
    expect(isFontChunk(new URL(`${ORIGIN}/api/v1/assets/noto-sans-sc-3.woff2`), ORIGIN)).toBe(false);
    expect(isFontChunk(new URL(`${ORIGIN}/assets/other-font.woff2`), ORIGIN)).toBe(false);
  });

  it('drops the oldest chunks past its bound after a store', async () => {
    const keys = Array.from({ length: MAX_FONT_CHUNKS + 3 }, (_, i) => `${ORIGIN}/assets/noto-sans-sc-${i}-400-normal-h.woff2`);
    const deleted: string[] = [];
    const cache = {
      keys: () => Promise.resolve(keys.filter((key) => !deleted.includes(key))),
      delete: (key: string) => {
        deleted.push(key);
        return Promise.resolve(true);
      },
    };
    const open = vi.fn(() => Promise.resolve(cache));
    vi.stubGlobal('caches', { open });
    const update = trimFontCache.cacheDidUpdate!;
    await update({ cacheName: FONT_CACHE } as Parameters<typeof update>[0]);
    expect(open).toHaveBeenCalledWith(FONT_CACHE);
    expect(deleted).toEqual(keys.slice(0, 3));
    // Within the bound, nothing more goes.
    await update({ cacheName: FONT_CACHE } as Parameters<typeof update>[0]);
    expect(deleted).toHaveLength(3);
  });
});
