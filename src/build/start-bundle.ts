/**
 * The kiosk's start bundle: the JavaScript the start screen loads before it can show anything,
 * that is the entry chunk named in the built index.html and every chunk it reaches by static
 * imports, not the chunks loaded lazily (the other apps, a card session's work and screens, the
 * demo simulator, the web font's style sheet). Its size is gzip at zlib's default level, in KB of
 * 1,000 bytes as Vite reports it; the limit is issue 6's `kiosk.js_gzip_kb` goal. Measured on the
 * built files by the benchmark (tests/bench/kiosk.bench.ts) and by the test that keeps the bundle
 * under its limit (tests/unit/kiosk-bundle.test.ts), which, over it, names the biggest modules
 * from the build's source maps.
 *
 * Build tooling: read by tests and the benchmark; never imported by the app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The most the start bundle may weigh, KB gzip. */
export const START_BUNDLE_LIMIT_KB = 150;

/** The entry chunk named in index.html, then every chunk reached by static imports only, as paths inside `distDir`. */
export function startScreenScripts(distDir: string): string[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const entry = /<script[^>]+type="module"[^>]+src="\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error('no module entry script in index.html');
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const code = readFileSync(join(distDir, path), 'utf8');
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    // Static imports only: `import … from "./x.js"` and `import "./x.js"`; import("…") is lazy.
    for (const match of code.matchAll(/(?:^|[;\s}])import\s*(?:[\w$*{}\s,]+from\s*)?["'](\.\/[^"']+\.js)["']/g))
      visit(dir + match[1]!.slice(2));
  };
  visit(entry);
  return [...seen];
}

/** The start bundle's size: the gzip of each of its files, added up, in KB. */
export function startBundleGzipKb(distDir: string): number {
  const bytes = startScreenScripts(distDir).reduce((sum, path) => sum + gzipSync(readFileSync(join(distDir, path))).length, 0);
  return bytes / 1000;
}

/** One source module's share of the start bundle: its minified code, raw and gzipped on its own. */
export type ModuleShare = { source: string; bytes: number; gzipBytes: number };

const UNMAPPED = '(unmapped: JSON, helpers)';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One segment of a source map's `mappings`: its numbers, relative to the previous segment's. */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`not a source map digit: ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** Where `source` came from, shortened to the repository's path or the package's (`node_modules/…`). */
function shortSource(source: string): string {
  const inPackage = source.lastIndexOf('node_modules/');
  if (inPackage >= 0) return source.slice(inPackage);
  return source.replace(/^(\.\.\/)+/, '').replace(/^(?:[^/]+\/)*?(src|ccid|server|sw)\//, '$1/');
}

/**
 * The start bundle's code by source module, biggest first, from the source maps beside the built
 * files (a build with `--sourcemap hidden`: the same files, their maps not linked). The code the
 * map gives no source for (the JSON message catalogues, Vite's helpers) is `(unmapped: JSON, helpers)`. Each share is gzipped on its own, so
 * the shares add up to more than the bundle: they rank the modules, they do not split the total.
 */
export function startBundleModules(distDir: string): ModuleShare[] {
  const texts = new Map<string, string[]>();
  for (const path of startScreenScripts(distDir)) {
    const mapPath = join(distDir, `${path}.map`);
    if (!existsSync(mapPath)) throw new Error(`no source map for ${path}: build with --sourcemap hidden`);
    const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[]; mappings: string };
    const lines = readFileSync(join(distDir, path), 'utf8').split('\n');
    let sourceIndex = 0;
    map.mappings.split(';').forEach((line, lineIndex) => {
      const text = lines[lineIndex] ?? '';
      const segments = line === '' ? [] : line.split(',').map(decodeSegment);
      let column = 0;
      segments.forEach((segment, i) => {
        column += segment[0]!;
        if (segment.length > 1) sourceIndex += segment[1]!;
        const end = i + 1 < segments.length ? column + segments[i + 1]![0]! : text.length;
        const source = segment.length > 1 ? shortSource(map.sources[sourceIndex]!) : UNMAPPED;
        const parts = texts.get(source) ?? [];
        parts.push(text.slice(column, end));
        texts.set(source, parts);
      });
    });
  }
  return [...texts]
    .map(([source, parts]) => {
      const code = parts.join('');
      return { source, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
}
