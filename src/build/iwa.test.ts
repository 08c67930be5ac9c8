import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from 'wbn';
import { buildIwaBundle, iwaManifest } from './iwa.ts';

function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'iwa-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'app.js.map'), '{}');
  writeFileSync(join(dir, 'manifest.webmanifest'), JSON.stringify({ name: '加油卡', icons: [] }));
  return dir;
}

describe('the Isolated Web App bundle', () => {
  it('grants usb-unrestricted in its manifest and keeps the PWA manifest fields', () => {
    const manifest = iwaManifest({ name: '加油卡', icons: [{ src: '/i.png' }] }, '1.2.3');
    expect(manifest).toMatchObject({
      name: '加油卡',
      version: '1.2.3',
      permissions_policy: { 'usb-unrestricted': ['self'], usb: ['self'] },
    });
  });

  it('packs every built file (not source maps) plus the IWA manifest, signed, with an isolated-app origin', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const result = await buildIwaBundle({ distDir: fakeDist(), key: privateKey, version: '0.1.0' });
    expect(result.origin).toMatch(/^isolated-app:\/\/[a-z2-7]+\/?$/);
    expect(result.urls).toEqual(expect.arrayContaining(['/', '/index.html', '/assets/app.js', '/.well-known/manifest.webmanifest']));
    expect(result.urls).not.toContain('/assets/app.js.map');
    // The signed bundle is the integrity block followed by the web bundle itself.
    const bytes = result.signedBundle;
    const bundleStart = bytes.length - new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8).getUint32(4);
    const bundle = new Bundle(bytes.slice(bundleStart));
    const manifest = JSON.parse(new TextDecoder().decode(bundle.getResponse('/.well-known/manifest.webmanifest').body)) as Record<
      string,
      unknown
    >;
    expect(manifest.permissions_policy).toMatchObject({ 'usb-unrestricted': ['self'] });
  });
});
