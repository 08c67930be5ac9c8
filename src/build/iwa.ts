/**
 * `npm run build:iwa`: the kiosk as an Isolated Web App (docs/architecture.md decision 1). Chromium
 * lets an IWA whose manifest grants `usb-unrestricted` claim the protected smart-card interface
 * class (0x0B) over WebUSB, which an ordinary page or PWA cannot. The app is the same build as the
 * PWA (dist/), packed into a web bundle (wbn) and signed with an Ed25519 key (wbn-sign); the key
 * decides the app's origin, isolated-app://<web bundle id>/.
 *
 * Key: FUELCARD_IWA_KEY names a PEM file (keep the production key offline and sign in release
 * CI). Without it a development key is made once in data/iwa-dev-key.pem, which a managed
 * kiosk fleet must never trust. Build tooling, never imported by the app.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

export function loadOrCreateKey(root: string, env: Record<string, string | undefined>): { key: KeyObject; development: boolean } {
  const configured = env.FUELCARD_IWA_KEY;
  if (configured) return { key: parsePemKey(readFileSync(configured)), development: false };
  const devKeyPath = join(root, 'data', 'iwa-dev-key.pem');
  if (!existsSync(devKeyPath)) {
    mkdirSync(join(root, 'data'), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(devKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return { key: parsePemKey(readFileSync(devKeyPath)), development: true };
}
