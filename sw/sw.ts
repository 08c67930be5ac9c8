/**
 * The service worker: precaches the app shell and every built asset (Workbox precaching, the
 * manifest injected at build time by sw/build.ts) so the kiosk starts and reads cards with no
 * network. API calls are never cached here: the app's Dexie outbox and cache own offline data.
 *
 * A new version installs and then waits; the page tells it to take over (SKIP_WAITING) only when
 * no card session is in progress (src/lib/sw/update-gate.ts). The very first install claims the
 * open page at once, so a kiosk is offline-capable from its first start.
 *
 * The Chinese web font's chunks for the catalogues' characters are in the precache; any other
 * chunk (a rare character of a holder's name) is cached at run time (sw/font-cache.ts).
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';
import type { PrecacheEntry } from 'workbox-precaching';
import { CacheFirst } from 'workbox-strategies';
import { FONT_CACHE, isFontChunk, trimFontCache } from './font-cache.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/healthz/],
  }),
);

registerRoute(({ url }) => isFontChunk(url, self.location.origin), new CacheFirst({ cacheName: FONT_CACHE, plugins: [trimFontCache] }));

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

clientsClaim();
