import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from 'wbn';
import { buildIwaBundle, forceInstallEntry, iwaManifest, loadOrCreateKey, updateManifest } from './iwa.ts';

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

describe('the update manifest', () => {
  it('lists each version with its bundle, keeps earlier versions and replaces a rebuilt one', () => {
    const first = updateManifest({ version: '0.1.0', bundleUrl: 'https://cards.example.cn/iwa/fuelcard-0.1.0.swbn' });
    expect(first).toEqual({ versions: [{ version: '0.1.0', src: 'https://cards.example.cn/iwa/fuelcard-0.1.0.swbn' }] });
    const second = updateManifest({ version: '0.2.0', bundleUrl: 'https://cards.example.cn/iwa/fuelcard-0.2.0.swbn', previous: first });
    const rebuilt = updateManifest({ version: '0.1.0', bundleUrl: 'https://cards.example.cn/iwa/b/fuelcard-0.1.0.swbn', previous: second });
    expect(rebuilt.versions.map((v) => [v.version, v.src])).toEqual([
      ['0.1.0', 'https://cards.example.cn/iwa/b/fuelcard-0.1.0.swbn'],
      ['0.2.0', 'https://cards.example.cn/iwa/fuelcard-0.2.0.swbn'],
    ]);
    expect(forceInstallEntry({ updateManifestUrl: 'https://cards.example.cn/iwa/update-manifest.json', webBundleId: 'abc' })).toEqual({
      update_manifest_url: 'https://cards.example.cn/iwa/update-manifest.json',
      web_bundle_id: 'abc',
    });
  });

  it('refuses a version Chrome would not take and a bundle over plain HTTP', () => {
    for (const version of ['1.0.0-beta', '01.2', '1..2', '1.2.3.4.5', ''])
      expect(() => updateManifest({ version, bundleUrl: 'https://x.cn/a.swbn' })).toThrow(/not an IWA version/);
    expect(() => updateManifest({ version: '1.0.0', bundleUrl: 'http://x.cn/a.swbn' })).toThrow(/must be https/);
  });

  it('keeps the development key out of the database folder, moving one an earlier build left there', () => {
    const root = mkdtempSync(join(tmpdir(), 'iwa-root-'));
    mkdirSync(join(root, 'data'));
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(root, 'data', 'iwa-dev-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const moved = loadOrCreateKey(root, {});
    expect(moved).toMatchObject({ development: true, path: join(root, '.iwa', 'dev-key.pem') });
    expect(existsSync(join(root, 'data', 'iwa-dev-key.pem'))).toBe(false);
    expect(moved.key.export({ type: 'pkcs8', format: 'pem' })).toBe(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const fresh = loadOrCreateKey(mkdtempSync(join(tmpdir(), 'iwa-root-')), {});
    expect(fresh.path).toMatch(/\.iwa\/dev-key\.pem$/);
  });
});
