/**
 * Builds the service worker after `vite build`: bundles sw/sw.ts into dist/sw.js, then lets
 * workbox-build inject the precache manifest (every file in dist/ with its revision hash).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { injectManifest } from 'workbox-build';

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

const result = await injectManifest({
  swSrc: `${dist}/sw.js`,
  swDest: `${dist}/sw.js`,
  globDirectory: dist,
  globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,woff2,json}'],
  globIgnores: ['sw.js', '**/*.map'],
  maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
});
for (const warning of result.warnings) console.warn(`sw: ${warning}`);
console.log(`sw: precaching ${result.count} files (${(result.size / 1024).toFixed(0)} KiB)`);
