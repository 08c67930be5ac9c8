/**
 * Chinese renders on a machine with no system CJK font (docs/operations.md, "Chinese on a kiosk
 * with no CJK font"): Debian's Chromium here has none, so without the Noto Sans SC web font every
 * Chinese character is the same empty box. Each test first proves that precondition (two different
 * characters drawn in a family that does not exist come out as identical pixels), then that the
 * same two characters in the web font differ, that the page's font set has the web font loaded
 * for them, and that Chromium drew the screen's heading with it (DevTools' platform fonts of the
 * node). On the kiosk's start screen at 1280×800, on /staff's sign-in at 800×1280, and on the
 * kiosk again with the network cut once the service worker is installed (its precache holds the
 * chunks of the catalogues' characters); and a character no catalogue has, whose chunk the
 * service worker keeps at run time, offline after it was shown once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { catalogueTexts, fontChunks, splitFontFiles, WEB_FONT_FAMILY } from '../../src/build/font-chunks.ts';
import { openKiosk, START_HEADING } from './kiosk-helpers.ts';

const TWO = ['账', '户'] as const;

/** Draws each character alone in the family on a canvas; true when the two drawings differ. */
async function charactersDiffer(page: Page, family: string): Promise<boolean> {
  return page.evaluate(
    async ({ family, chars }) => {
      await document.fonts.load(`48px ${family}`, chars.join(''));
      const draw = (char: string): string => {
        const canvas = document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 64;
        const context = canvas.getContext('2d')!;
        context.fillStyle = '#fff';
        context.fillRect(0, 0, 64, 64);
        context.fillStyle = '#000';
        context.font = `48px ${family}`;
        context.textBaseline = 'top';
        context.fillText(char, 8, 8);
        return Array.from(context.getImageData(0, 0, 64, 64).data).join(',');
      };
      return draw(chars[0]!) !== draw(chars[1]!);
    },
    { family, chars: [...TWO] },
  );
}

/** The fonts Chromium drew a node's text with (DevTools protocol CSS.getPlatformFontsForNode). */
async function platformFonts(page: Page, selector: string): Promise<string[]> {
  const session = await page.context().newCDPSession(page);
  await session.send('DOM.enable');
  await session.send('CSS.enable');
  const { root } = await session.send('DOM.getDocument');
  const { nodeId } = await session.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await session.send('CSS.getPlatformFontsForNode', { nodeId });
  await session.detach();
  return fonts.map((font) => font.familyName);
}

async function expectChineseRenders(page: Page, headingSelector: string): Promise<void> {
  // The precondition: no system font has these characters, so they are the same box.
  expect(await charactersDiffer(page, '"No Such Font 19"')).toBe(false);
  await expect.poll(() => charactersDiffer(page, '"Noto Sans SC"')).toBe(true);
  await expect.poll(() => page.evaluate((text) => document.fonts.check('16px "Noto Sans SC"', text), TWO.join(''))).toBe(true);
  // The screen's own Chinese heading, drawn with the web font and nothing else.
  // (Its name inside the woff2 chunks is Noto Sans SC Thin, the variable font's first instance.)
  await expect.poll(async () => (await platformFonts(page, headingSelector)).map((name) => /^Noto Sans SC\b/.test(name))).toEqual([true]);
}

test.describe('Chinese renders with no system CJK font', () => {
  test('the kiosk start screen at 1280×800', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openKiosk(page);
    await expectChineseRenders(page, 'h1');
    await page.screenshot({ path: test.info().outputPath('kiosk-start-zh.png') });
  });

  test('the tablet sign-in at 800×1280', async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto('/staff');
    await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
    await expectChineseRenders(page, 'h1');
    await page.screenshot({ path: test.info().outputPath('staff-sign-in-zh.png') });
  });

  test('the kiosk with the network cut, from the service worker', async ({ page, context }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openKiosk(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    // Nothing from the browser's own HTTP cache: what renders offline comes from the service worker.
    const session = await context.newCDPSession(page);
    await session.send('Network.clearBrowserCache');
    await session.detach();
    await context.setOffline(true);
    const fontResponses: boolean[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('.woff2')) fontResponses.push(response.fromServiceWorker());
    });
    await page.reload();
    await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
    await expectChineseRenders(page, 'h1');
    // The font's chunks came from the service worker's cache.
    expect(fontResponses.length).toBeGreaterThan(0);
    expect(fontResponses.every(Boolean)).toBe(true);
    await page.screenshot({ path: test.info().outputPath('kiosk-start-offline-zh.png') });
    await context.setOffline(false);
  });

  test('a character no catalogue has: its chunk is fetched once, kept by the service worker, and renders offline', async ({
    page,
    context,
  }) => {
    // A weight-400 chunk the precache leaves out (as sw/build.ts splits the built style sheet), and a Chinese character in it.
    const dist = fileURLToPath(new URL('../../dist/assets/', import.meta.url));
    const i18n = fileURLToPath(new URL('../../src/lib/i18n/', import.meta.url));
    const css = readFileSync(dist + readdirSync(dist).find((name) => /^noto-sans-sc-.*\.css$/.test(name))!, 'utf8');
    const texts = readdirSync(i18n)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => catalogueTexts(JSON.parse(readFileSync(i18n + name, 'utf8'))));
    const { runtime } = splitFontFiles(css, texts);
    const chunk = fontChunks(css, WEB_FONT_FAMILY).find(
      (c) => c.weight === '400' && runtime.includes(c.url) && c.ranges.some(([from, to]) => to >= 0x4e00 && from <= 0x9fff),
    )!;
    const [from] = chunk.ranges.find(([a, b]) => b >= 0x4e00 && a <= 0x9fff)!;
    const rare = String.fromCodePoint(Math.max(from, 0x4e00));

    const showRare = async (): Promise<void> => {
      await page.evaluate((text) => {
        const p = document.createElement('p');
        p.id = 'rare';
        p.textContent = text;
        document.body.append(p);
      }, rare);
      await expect.poll(() => page.evaluate((text) => document.fonts.check('18px "Noto Sans SC"', text), rare)).toBe(true);
      await expect.poll(async () => (await platformFonts(page, '#rare')).map((name) => /^Noto Sans SC\b/.test(name))).toEqual([true]);
    };

    await openKiosk(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await showRare();
    await expect
      .poll(() =>
        page.evaluate(async () =>
          (await (await caches.open('fuelcard-font-chunks')).keys()).map((request) => new URL(request.url).pathname),
        ),
      )
      .toContain(chunk.url);

    const session = await context.newCDPSession(page);
    await session.send('Network.clearBrowserCache');
    await session.detach();
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
    await showRare();
    await context.setOffline(false);
  });
});
