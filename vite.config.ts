/**
 * One Vite config for the app build and for every Vitest project.
 *
 * Vitest projects: `unit` (ccid/, src/, sw/ and tests/unit: pure code, no database),
 * `server-pglite` (server/ on embedded PGlite) and, when DATABASE_URL is set,
 * `server-postgresql` (the same server tests again on a real PostgreSQL), so that
 * every server test runs on both engines (docs/architecture.md decision 8).
 */
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The app's index.html lives in src/ (the top level is fixed by docs/architecture.md §2), so
// Vite's root is src/ while every test project runs from the repository root.
const repoRoot = fileURLToPath(new URL('.', import.meta.url));

const serverTests = ['server/**/*.test.ts'];
const hasPostgres = Boolean(process.env.DATABASE_URL);

export default defineConfig({
  root: 'src',
  plugins: [svelte({ configFile: false })],
  publicDir: '../public',
  envDir: repoRoot,
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the build: dist/ is what the server serves and the IWA bundle packs.
    sourcemap: false,
    // The web font's smallest chunks (under Vite's 4 KB) stay files: inlined as data: URLs in its
    // style sheet, the server's Content Security Policy (font-src 'self') refused them, a
    // violation reported at every start (tests/e2e/shell.spec.ts) and their characters undrawn.
    assetsInlineLimit: (file: string) => (file.endsWith('.woff2') ? false : undefined),
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          root: repoRoot,
          name: 'unit',
          include: ['ccid/**/*.test.ts', 'src/**/*.test.ts', 'sw/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/sim/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          root: repoRoot,
          name: 'server-pglite',
          include: serverTests,
          environment: 'node',
          env: { FUELCARD_TEST_DB: 'pglite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(hasPostgres
        ? [
            {
              extends: true as const,
              test: {
                root: repoRoot,
                name: 'server-postgresql',
                include: serverTests,
                environment: 'node' as const,
                env: { FUELCARD_TEST_DB: 'postgresql' },
                testTimeout: 30_000,
                hookTimeout: 60_000,
                // One PostgreSQL database is shared: files run one after another.
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
