/**
 * `npm run build` (last step): the server compiled to plain JavaScript, so that `npm start` runs
 * no TypeScript loader: server/main.ts and what it imports of ours (server/, ccid/) bundled into
 * dist-server/main.mjs, packages from node_modules left as imports, the SQL migrations copied
 * beside it (server/db/migrate.ts finds them next to the code). dist-server/ is not dist/: the
 * server serves dist/ to browsers and must never serve itself.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './prepare.mjs';

const out = join(ROOT, 'dist-server');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, 'server/main.ts')],
  outfile: join(out, 'main.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync(join(ROOT, 'server/db/migrations'), join(out, 'migrations'), { recursive: true });
console.log('server: dist-server/main.mjs');
