/**
 * `npm run build:iwa`: the kiosk as an Isolated Web App (docs/architecture.md decision 1). Chromium
 * lets an IWA whose manifest grants `usb-unrestricted` claim the protected smart-card interface
 * class (0x0B) over WebUSB, which an ordinary page or PWA cannot. The app is the same build as the
 * PWA (dist/), packed into a web bundle (wbn) and signed with an Ed25519 key (wbn-sign); the key
 * decides the app's origin, isolated-app://<web bundle id>/.
 *
 * Key: FUELCARD_IWA_KEY names a PEM file (keep the production key offline and sign in release
 * CI). Without it a development key is made once in .iwa/dev-key.pem, which a managed kiosk
 * fleet must never trust. With FUELCARD_IWA_BASE_URL the build also writes the update manifest a
 * managed Chrome installs and updates the app from. Build tooling, never imported by the app.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { BundleBuilder } from 'wbn';
import { IntegrityBlockSigner, NodeCryptoSigningStrategy, WebBundleId, parsePemKey } from 'wbn-sign';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The IWA manifest: the PWA's, plus a version and the permissions policy that opens USB. */
export function iwaManifest(pwaManifest: Record<string, unknown>, version: string): Record<string, unknown> {
  return {
    ...pwaManifest,
    version,
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'fullscreen',
    permissions_policy: {
      usb: ['self'],
      'usb-unrestricted': ['self'],
      'cross-origin-isolated': ['self'],
    },
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

export type IwaBundle = { signedBundle: Uint8Array; webBundleId: string; origin: string; urls: string[] };

export async function buildIwaBundle(options: { distDir: string; key: KeyObject; version: string }): Promise<IwaBundle> {
  const builder = new BundleBuilder('b2');
  const urls: string[] = [];
  for (const path of listFiles(options.distDir).sort()) {
    const url = `/${relative(options.distDir, path).split(sep).join('/')}`;
    if (url.endsWith('.map') || url.startsWith('/.')) continue;
    const type = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
    builder.addExchange(url, 200, { 'content-type': type }, new Uint8Array(readFileSync(path)));
    urls.push(url);
    if (url === '/index.html') {
      builder.addExchange('/', 200, { 'content-type': type }, new Uint8Array(readFileSync(path)));
      urls.push('/');
    }
  }
  const pwa = JSON.parse(readFileSync(join(options.distDir, 'manifest.webmanifest'), 'utf8')) as Record<string, unknown>;
  builder.addExchange(
    '/.well-known/manifest.webmanifest',
    200,
    { 'content-type': CONTENT_TYPES['.webmanifest']! },
    JSON.stringify(iwaManifest(pwa, options.version)),
  );
  urls.push('/.well-known/manifest.webmanifest');
  const bundle = builder.createBundle();
  const id = new WebBundleId(options.key);
  const { signedWebBundle } = await new IntegrityBlockSigner(bundle, id.serialize(), [new NodeCryptoSigningStrategy(options.key)]).sign();
  return { signedBundle: signedWebBundle, webBundleId: id.serialize(), origin: id.serializeWithIsolatedWebAppOrigin(), urls };
}

/** An IWA version: dot-separated whole numbers without leading zeros (Chromium's IsolatedWebAppVersion). */
export function isIwaVersion(version: string): boolean {
  return /^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,3}$/.test(version);
}

export type UpdateManifest = { versions: Array<{ version: string; src: string }> };

/**
 * The update manifest a managed Chrome reads for `IsolatedWebAppInstallForceList` (each policy
 * entry names it by `update_manifest_url` with the app's `web_bundle_id`): every version with the
 * URL of its signed bundle. `previous` (the manifest published before) keeps its other versions,
 * so a fleet can be held back or rolled forward; a rebuilt version replaces its own entry.
 */
export function updateManifest(options: { version: string; bundleUrl: string; previous?: UpdateManifest }): UpdateManifest {
  if (!isIwaVersion(options.version)) throw new Error(`version "${options.version}" is not an IWA version (numbers and dots, e.g. 1.4.0)`);
  const url = new URL(options.bundleUrl);
  if (url.protocol !== 'https:')
    throw new Error(`the bundle URL must be https (a managed Chrome fetches updates over HTTPS only): ${options.bundleUrl}`);
  const others = (options.previous?.versions ?? []).filter((entry) => entry.version !== options.version);
  const byVersion = (a: { version: string }, b: { version: string }): number => {
    const pa = a.version.split('.').map(Number);
    const pb = b.version.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  };
  return { versions: [...others, { version: options.version, src: url.href }].sort(byVersion) };
}

/** The policy entry an administrator adds to IsolatedWebAppInstallForceList. */
export function forceInstallEntry(options: { updateManifestUrl: string; webBundleId: string }): Record<string, string> {
  return { update_manifest_url: options.updateManifestUrl, web_bundle_id: options.webBundleId };
}

/**
 * The signing key: FUELCARD_IWA_KEY (a PEM file) for a release; otherwise a development key made
 * once in `.iwa/dev-key.pem` beside package.json — not in `data/`, the embedded database's
 * folder, which is backed up, copied between machines and deleted to start afresh (losing the key
 * changes the app's origin). A key left in `data/` by an earlier build is moved there.
 */
export function loadOrCreateKey(
  root: string,
  env: Record<string, string | undefined>,
): { key: KeyObject; development: boolean; path: string } {
  const configured = env.FUELCARD_IWA_KEY;
  if (configured) return { key: parsePemKey(readFileSync(configured)), development: false, path: configured };
  const devKeyPath = join(root, '.iwa', 'dev-key.pem');
  const oldPath = join(root, 'data', 'iwa-dev-key.pem');
  if (!existsSync(devKeyPath)) {
    mkdirSync(join(root, '.iwa'), { recursive: true, mode: 0o700 });
    if (existsSync(oldPath)) renameSync(oldPath, devKeyPath);
    else {
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(devKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
  }
  return { key: parsePemKey(readFileSync(devKeyPath)), development: true, path: devKeyPath };
}
