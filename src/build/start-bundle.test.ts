import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBundleGzipKb, startBundleModules, startScreenScripts } from './start-bundle.ts';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A source map segment's numbers as base64 VLQ. */
function vlq(...values: number[]): string {
  return values
    .map((value) => {
      let rest = value < 0 ? (-value << 1) | 1 : value << 1;
      let out = '';
      do {
        const digit = rest & 31;
        rest >>>= 5;
        out += BASE64[rest > 0 ? digit | 32 : digit];
      } while (rest > 0);
      return out;
    })
    .join('');
}

const ENTRY = 'import{x}from"./shared.js";import("./lazy.js");console.log(x)';
const SHARED = 'export const x=1;';

/** A built app: an entry importing a shared chunk statically and a lazy one, with hidden source maps. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'start-bundle-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" crossorigin src="/assets/index.js"></script>');
  writeFileSync(join(dir, 'assets', 'index.js'), ENTRY);
  writeFileSync(join(dir, 'assets', 'shared.js'), SHARED);
  writeFileSync(join(dir, 'assets', 'lazy.js'), 'export const big="' + 'x'.repeat(10_000) + '";');
  const cut = ENTRY.indexOf('import(');
  // The entry: its import line from src/main.ts, the rest from src/kiosk/app.ts; then unmapped code.
  const entryMap = { sources: ['../../src/main.ts', '../../src/kiosk/app.ts'], mappings: `${vlq(0, 0, 0, 0)},${vlq(cut, 1, 0, 0)}` };
  writeFileSync(join(dir, 'assets', 'index.js.map'), JSON.stringify(entryMap));
  writeFileSync(
    join(dir, 'assets', 'shared.js.map'),
    JSON.stringify({ sources: ['../../node_modules/pkg/x.js'], mappings: vlq(0, 0, 0, 0) }),
  );
  return dir;
}

describe("the kiosk's start bundle, measured", () => {
  it('is the entry and what it imports statically, not what it imports lazily', () => {
    const dir = fakeDist();
    expect(startScreenScripts(dir)).toEqual(['assets/index.js', 'assets/shared.js']);
    expect(startBundleGzipKb(dir)).toBeGreaterThan(0);
    expect(startBundleGzipKb(dir)).toBeLessThan(1);
  });

  it('splits its code by source module from the source maps, biggest first', () => {
    const shares = startBundleModules(fakeDist());
    expect(Object.fromEntries(shares.map((share) => [share.source, share.bytes]))).toEqual({
      'src/main.ts': ENTRY.indexOf('import('),
      'src/kiosk/app.ts': ENTRY.length - ENTRY.indexOf('import('),
      'node_modules/pkg/x.js': SHARED.length,
    });
    expect(shares.map((share) => share.gzipBytes)).toEqual([...shares.map((share) => share.gzipBytes)].sort((a, b) => b - a));
  });

  it('needs the source maps to name modules', () => {
    const dir = fakeDist();
    writeFileSync(join(dir, 'index.html'), '<script type="module" src="/assets/lazy.js"></script>');
    expect(() => startBundleModules(dir)).toThrow(/no source map for assets\/lazy\.js/);
  });
});
