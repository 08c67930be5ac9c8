/**
 * Builds the service worker after `vite build`: bundles sw/sw.ts into dist/sw.js, then lets
 * workbox-build inject the precache manifest (every file in dist/ with its revision hash), except
 * the chunks of the Noto Sans SC web font that no catalogue text needs: those are fetched and kept
 * at run time (docs/operations.md, "Chinese on a kiosk with no CJK font"; src/build/font-chunks.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { injectManifest } from 'workbox-build';
import { catalogueTexts, splitFontFiles } from '../src/build/font-chunks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    lib: { entry: `${root}sw/sw.ts`, formats: ['es'], fileName: () => 'sw.js' },
  },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
});

/** The built font style sheet (src/lib/ui/noto-sans-sc.css) and the split of its woff2 chunks by the catalogues' characters. */
function fontSplit(): { precache: string[]; runtime: string[] } {
  const sheet = readdirSync(`${dist}/assets`).find((name) => /^noto-sans-sc-.*\.css$/.test(name));
  if (!sheet) throw new Error('sw: the built Noto Sans SC style sheet is missing from dist/assets');
  const i18n = `${root}src/lib/i18n`;
  const texts = readdirSync(i18n)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => catalogueTexts(JSON.parse(readFileSync(`${i18n}/${name}`, 'utf8'))));
  return splitFontFiles(readFileSync(`${dist}/assets/${sheet}`, 'utf8'), texts);
}

const fonts = fontSplit();
const result = await injectManifest({
  swSrc: `${dist}/sw.js`,
  swDest: `${dist}/sw.js`,
  globDirectory: dist,
  globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,woff2,json}'],
  globIgnores: ['sw.js', '**/*.map', ...fonts.runtime.map((url) => url.replace(/^\//, ''))],
  maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
});
for (const warning of result.warnings) console.warn(`sw: ${warning}`);
console.log(
  `sw: precaching ${result.count} files (${(result.size / 1024).toFixed(0)} KiB), ${fonts.precache.length} of the web font's ` +
    `${fonts.precache.length + fonts.runtime.length} chunks; the rest are cached at run time`,
);
