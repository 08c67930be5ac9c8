import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALWAYS_SHOWN, catalogueTexts, chunksFor, codePointsOf, fontChunks, parseUnicodeRange, splitFontFiles } from './font-chunks.ts';
import { FONT_CSS_PATH, fontCss, packageWeightCss } from './font-css.ts';

const face = (url: string, range: string, family = 'Noto Sans SC', weight = 400): string =>
  `@font-face{font-family:${family};font-style:normal;font-display:swap;font-weight:${weight};` +
  `src:url(${url}) format("woff2");unicode-range:${range}}`;

const CSS = [
  face('/assets/noto-sans-sc-latin-400-normal-a1.woff2', 'U+0000-00ff,U+2014'),
  face('/assets/noto-sans-sc-119-400-normal-b2.woff2', 'U+8d26,U+6237'), // 账 户
  face('/assets/noto-sans-sc-3-400-normal-c3.woff2', 'U+9fa5'), // a character no catalogue has
  face('/assets/noto-sans-sc-119-700-normal-d4.woff2', 'U+8d26,U+6237', 'Noto Sans SC', 700),
  face('/assets/other-e5.woff2', 'U+8d26', 'Some Other Font'),
  face('data:font/woff2;base64,AAAA', 'U+4e00'),
].join('\n');

describe('the web font chunks the service worker precaches', () => {
  it('reads unicode-ranges: single points, spans and wildcards', () => {
    expect(parseUnicodeRange('U+4e00-9fff, U+3000,U+4??')).toEqual([
      [0x4e00, 0x9fff],
      [0x3000, 0x3000],
      [0x400, 0x4ff],
    ]);
    expect(() => parseUnicodeRange('U+zz')).toThrow(/not understood/);
  });

  it("reads only the family's woff2 faces, whatever the quoting", () => {
    const chunks = fontChunks(CSS + face("'/q.woff2'", 'U+1', "'Noto Sans SC'"), 'Noto Sans SC');
    expect(chunks.map((chunk) => chunk.url)).toEqual([
      '/assets/noto-sans-sc-latin-400-normal-a1.woff2',
      '/assets/noto-sans-sc-119-400-normal-b2.woff2',
      '/assets/noto-sans-sc-3-400-normal-c3.woff2',
      '/assets/noto-sans-sc-119-700-normal-d4.woff2',
      '/q.woff2',
    ]);
    expect(chunks[3]!.weight).toBe('700');
  });

  it('precaches the chunks with a character of the texts (every weight) or ASCII, and leaves the rest to run time', () => {
    const split = splitFontFiles(CSS, ['账户']);
    expect(split.precache).toEqual([
      '/assets/noto-sans-sc-latin-400-normal-a1.woff2',
      '/assets/noto-sans-sc-119-400-normal-b2.woff2',
      '/assets/noto-sans-sc-119-700-normal-d4.woff2',
    ]);
    expect(split.runtime).toEqual(['/assets/noto-sans-sc-3-400-normal-c3.woff2']);
    // With no Chinese text, only the ASCII chunk.
    expect(splitFontFiles(CSS, []).precache).toEqual(['/assets/noto-sans-sc-latin-400-normal-a1.woff2']);
  });

  it('collects the strings of nested catalogues and the code points beyond the BMP', () => {
    expect(catalogueTexts({ a: '账', b: { c: ['户', 1, null] } })).toEqual(['账', '户']);
    expect(codePointsOf(['a𠀀'])).toEqual(new Set([0x61, 0x20000]));
    expect(chunksFor(fontChunks(CSS, 'Noto Sans SC'), new Set([0x20000]))).toEqual([]);
  });

  it("covers every character of the app's catalogues with the real font's chunks, in a few of them", () => {
    const i18n = fileURLToPath(new URL('../lib/i18n/', import.meta.url));
    const texts = readdirSync(i18n)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => catalogueTexts(JSON.parse(readFileSync(i18n + name, 'utf8'))));
    const chunks = fontChunks(readFileSync(FONT_CSS_PATH, 'utf8'), 'Noto Sans SC').filter((chunk) => chunk.weight === '400');
    const chosen = chunksFor(chunks, codePointsOf([ALWAYS_SHOWN, ...texts]));
    for (const point of codePointsOf([ALWAYS_SHOWN, ...texts])) {
      if (point < 0x2e80) continue; // Latin, Greek, general punctuation: not every one is in this font; the fallback has them
      expect(
        chosen.some((chunk) => chunk.ranges.some(([from, to]) => point >= from && point <= to)),
        `U+${point.toString(16)}`,
      ).toBe(true);
    }
    expect(chosen.length).toBeLessThan(chunks.length / 3);
  });
});

describe('the committed web font style sheet', () => {
  it('is the pinned package’s, weights 400 and 700, woff2 only (regenerate with `npx tsx src/build/font-css.ts`)', () => {
    const committed = readFileSync(FONT_CSS_PATH, 'utf8');
    expect(committed).toBe(fontCss(packageWeightCss));
    expect(committed).not.toMatch(/\.woff\)/);
    expect(new Set([...committed.matchAll(/font-weight: (\d+)/g)].map((m) => m[1]))).toEqual(new Set(['400', '700']));
  });
});
