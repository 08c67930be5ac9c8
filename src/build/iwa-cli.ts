/**
 * `npm run build:iwa`: builds the app, then packs and signs dist/ as dist-iwa/fuelcard-<version>.swbn
 * (the version from package.json). With FUELCARD_IWA_BASE_URL (the HTTPS folder the bundles are
 * published at) it also writes dist-iwa/update-manifest.json, keeping the versions an earlier
 * manifest there listed, and prints the IsolatedWebAppInstallForceList entry.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildIwaBundle, forceInstallEntry, isIwaVersion, loadOrCreateKey, updateManifest, type UpdateManifest } from './iwa.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
if (!isIwaVersion(version)) {
  console.error(`iwa: package.json version "${version}" is not an IWA version (numbers and dots, e.g. 1.4.0)`);
  process.exit(1);
}
const { key, development, path: keyPath } = loadOrCreateKey(root, process.env);
const bundle = await buildIwaBundle({ distDir: `${root}dist`, key, version });
const out = `${root}dist-iwa`;
const name = `fuelcard-${version}.swbn`;
mkdirSync(out, { recursive: true });
writeFileSync(`${out}/${name}`, bundle.signedBundle);
console.log(`iwa: dist-iwa/${name} (${(bundle.signedBundle.length / 1024).toFixed(0)} KiB, ${bundle.urls.length} resources)`);
console.log(`iwa: origin ${bundle.origin}`);
const baseUrl = process.env.FUELCARD_IWA_BASE_URL;
if (baseUrl) {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const manifestPath = `${out}/update-manifest.json`;
  const previous = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as UpdateManifest) : undefined;
  const manifest = updateManifest({ version, bundleUrl: new URL(name, base).href, ...(previous ? { previous } : {}) });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`iwa: dist-iwa/update-manifest.json lists ${manifest.versions.map((v) => v.version).join(', ')}`);
  const entry = forceInstallEntry({ updateManifestUrl: new URL('update-manifest.json', base).href, webBundleId: bundle.webBundleId });
  console.log(`iwa: IsolatedWebAppInstallForceList entry: ${JSON.stringify(entry)}`);
} else console.log('iwa: set FUELCARD_IWA_BASE_URL (https://…/) to write the update manifest a managed Chrome installs from');
if (development) console.log(`iwa: signed with the DEVELOPMENT key ${keyPath}; set FUELCARD_IWA_KEY for a release`);
