/**
 * Which pieces of the Noto Sans SC web font the service worker precaches (docs/operations.md,
 * "Chinese on a kiosk with no CJK font"). Fontsource cuts the font into ~100 woff2 chunks per
 * weight, each an @font-face with its own unicode-range; the browser fetches only the chunks of the
 * characters on screen. All of them are ~3.5 MB a weight: too much to precache on every kiosk. The
 * characters of the app's own catalogues (plus ASCII and the common Chinese punctuation) need a
 * few of those chunks; those are precached, so every screen renders offline, and the rest (rare
 * characters of a holder's name, say) are fetched and kept at run time (sw/sw.ts).
 *
 * Build tooling: sw/build.ts reads the built CSS in dist/ with these functions; never imported by
 * the app.
 */

/** One @font-face of the web font: its file (as the CSS names it), weight and unicode-range. */
export interface FontChunk {
  url: string;
  weight: string;
  ranges: Array<readonly [number, number]>;
}

/** The characters every screen may show besides the catalogues': ASCII and the common Chinese punctuation and symbols. */
export const ALWAYS_SHOWN =
  Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('') + '，。、：；！？（）《》【】“”‘’…—·¥￥×÷±°％～　';

/** Parses `U+4e00-9fff,U+3000` into inclusive code point ranges. */
export function parseUnicodeRange(value: string): Array<readonly [number, number]> {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^U\+([0-9a-f?]+)(?:-([0-9a-f]+))?$/i.exec(part);
      if (!match) throw new Error(`unicode-range part not understood: ${part}`);
      const [, first, last] = match as unknown as [string, string, string | undefined];
      if (first.includes('?')) {
        return [parseInt(first.replace(/\?/g, '0'), 16), parseInt(first.replace(/\?/g, 'f'), 16)] as const;
      }
      return [parseInt(first, 16), parseInt(last ?? first, 16)] as const;
    });
}

/** The @font-face rules of one family in a style sheet, each with its woff2 file. */
export function fontChunks(css: string, family: string): FontChunk[] {
  const chunks: FontChunk[] = [];
  for (const [, body] of css.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
    const familyMatch = /font-family:\s*["']?([^;"']+)["']?\s*;/.exec(body!);
    if (familyMatch?.[1]?.trim() !== family) continue;
    const url = /url\(\s*["']?([^)"']+\.woff2)["']?\s*\)/.exec(body!)?.[1];
    const range = /unicode-range:\s*([^;}]+)/.exec(body!)?.[1];
    if (!url || !range) continue;
    const weight = /font-weight:\s*([^;]+)/.exec(body!)?.[1]?.trim() ?? '400';
    chunks.push({ url, weight, ranges: parseUnicodeRange(range) });
  }
  return chunks;
}

/** Every code point in the given texts (the catalogues' messages, say). */
export function codePointsOf(texts: Iterable<string>): Set<number> {
  const points = new Set<number>();
  for (const text of texts) for (const char of text) points.add(char.codePointAt(0)!);
  return points;
}

/** Every string value in a parsed JSON catalogue, nested or not. */
export function catalogueTexts(catalogue: unknown): string[] {
  if (typeof catalogue === 'string') return [catalogue];
  if (Array.isArray(catalogue)) return catalogue.flatMap(catalogueTexts);
  if (catalogue !== null && typeof catalogue === 'object') return Object.values(catalogue).flatMap(catalogueTexts);
  return [];
}

/** The chunks that hold at least one of the code points, in the style sheet's order. */
export function chunksFor(chunks: readonly FontChunk[], points: ReadonlySet<number>): FontChunk[] {
  const sorted = [...points].sort((a, b) => a - b);
  return chunks.filter((chunk) => chunk.ranges.some(([from, to]) => sorted.some((point) => point >= from && point <= to)));
}

/** The web font's family name, as src/lib/ui/noto-sans-sc.css declares it. */
export const WEB_FONT_FAMILY = 'Noto Sans SC';

/**
 * Splits the web font's woff2 files named by a built style sheet into those the precache holds
 * (they hold a character of the texts or of ALWAYS_SHOWN) and those left to the run-time cache.
 * Files are as the CSS names them (`/assets/noto-sans-sc-119-400-normal-<hash>.woff2`).
 */
export function splitFontFiles(css: string, texts: Iterable<string>): { precache: string[]; runtime: string[] } {
  const chunks = fontChunks(css, WEB_FONT_FAMILY);
  const needed = new Set(chunksFor(chunks, codePointsOf([ALWAYS_SHOWN, ...texts])).map((chunk) => chunk.url));
  const all = [...new Set(chunks.map((chunk) => chunk.url))];
  return { precache: all.filter((url) => needed.has(url)), runtime: all.filter((url) => !needed.has(url)) };
}
