/** `npm run build:iwa`: builds the app, then packs and signs dist/ as dist-iwa/fuelcard.swbn. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildIwaBundle, loadOrCreateKey } from './iwa.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
const { key, development } = loadOrCreateKey(root, process.env);
const bundle = await buildIwaBundle({ distDir: `${root}dist`, key, version });
mkdirSync(`${root}dist-iwa`, { recursive: true });
writeFileSync(`${root}dist-iwa/fuelcard.swbn`, bundle.signedBundle);
console.log(`iwa: dist-iwa/fuelcard.swbn (${(bundle.signedBundle.length / 1024).toFixed(0)} KiB, ${bundle.urls.length} resources)`);
console.log(`iwa: origin ${bundle.origin}`);
if (development) console.log('iwa: signed with the DEVELOPMENT key data/iwa-dev-key.pem; set FUELCARD_IWA_KEY for a release');
