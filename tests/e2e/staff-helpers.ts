/**
 * What the outlet tablet's (and the centre's) end-to-end specs share: the screen check (axe with the demo strip
 * aside, nothing to scroll, a picture with SHOTS_DIR set), the clerk's sign-in, the demo strip's
 * stock cards, the on-screen PIN pad, the operator's session caught from the tablet's own requests
 * and the drawer of the operator's open shift as the server books it.
 */
import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SHOTS_DIR = process.env.SHOTS_DIR;
export const DEMO_OPERATOR = { username: 'demo.operator', password: 'demo-password-123' };

/** Axe clean (the demo strip aside) and nothing to scroll; saved as `${name}.png` with SHOTS_DIR set. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  const results = await new AxeBuilder({ page }).exclude('[aria-label="演示控制"]').exclude('[aria-label="Demo controls"]').analyze();
  expect
    .soft(
      results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      `${name}: axe`,
    )
    .toEqual([]);
  const size = await page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth,
  }));
  expect.soft(size.scrollHeight, `${name}: the page is taller than the screen`).toBeLessThanOrEqual(size.innerHeight);
  expect.soft(size.scrollWidth, `${name}: the page is wider than the screen`).toBeLessThanOrEqual(size.innerWidth);
  if (SHOTS_DIR) {
    mkdirSync(SHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`) });
  }
}

/** The demo strip (an aside named 演示控制 / Demo controls). */
export function demoStrip(page: Page) {
  return page.getByRole('complementary', { name: /演示控制|Demo controls/ });
}

/** Puts the demo stock card `stock${n}` into the virtual reader, from the strip. */
export async function insertStockCard(page: Page, n: number): Promise<void> {
  await demoStrip(page)
    .getByRole('button', { name: new RegExp(`库存卡${n}(\\s|$)`) })
    .click();
}

export async function pullCard(page: Page): Promise<void> {
  await demoStrip(page)
    .getByRole('button', { name: /拔出卡|Pull card/ })
    .click();
}

/** The tablet's on-screen PIN pad: the digits, then OK. */
export async function typeOnPad(page: Page, words: { pinPad: string; ok: string }, pin: string): Promise<void> {
  const pad = page.getByRole('group', { name: words.pinPad });
  for (const digit of pin) await pad.getByRole('button', { name: digit, exact: true }).click();
  await pad.getByRole('button', { name: words.ok }).click();
}

/** Signs the demo operator in at /staff, in Chinese (the sign-in screen's first language). */
export async function signInAtTablet(page: Page): Promise<void> {
  await page.goto('/staff');
  await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('textbox', { name: '用户名' }).fill(DEMO_OPERATOR.username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_OPERATOR.password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('heading', { name: '网点业务' })).toBeVisible();
}

/** The operator's session as the tablet presents it, caught from its own requests. */
export function sessionOf(page: Page): () => string | null {
  let bearer: string | null = null;
  page.on('request', (request) => {
    const header = request.headers()['authorization'];
    if (header?.startsWith('Bearer ')) bearer = header;
  });
  return () => bearer;
}

/** The drawer of the operator's open shift as the server books it, in fen (0 with no shift). */
export async function drawerFen(page: Page, bearer: string | null): Promise<number> {
  const answer = await page.request.get('/api/v1/shifts/current', { headers: bearer ? { authorization: bearer } : {} });
  expect(answer.ok()).toBe(true);
  const body = (await answer.json()) as { shift: { drawerFen: number } | null };
  return body.shift?.drawerFen ?? 0;
}

/** What the demo card's chip holds (src/lib/demo/demo-usb.ts), read in the page. */
export async function chipFacts(page: Page, id: string): Promise<{ cardNo: string; balanceFen: number }> {
  return page.evaluate(
    (cardId) =>
      (
        globalThis as unknown as { __fuelcardDemoCards: { facts(id: string): { cardNo: string; balanceFen: number } } }
      ).__fuelcardDemoCards.facts(cardId),
    id,
  );
}

/** A card number as the screens print it: the leading 0 of the 20-digit ASN off, in groups of four. */
export function printedCardNo(cardNo: string): string {
  return cardNo.replace(/^0/, '').replace(/(\d{4})(?=\d)/g, '$1 ');
}

const SHIFT_WORDS = {
  zh: {
    noShift: '未开班',
    shiftSince: '班次',
    shiftMenu: /^班次/,
    closeTitle: '交班',
    counted: '实点现金',
    note: /^备注/,
    closeConfirm: '确认交班',
    shiftSlip: '交班单',
    done: '完成',
  },
  en: {
    noShift: 'No shift open',
    shiftSince: 'Shift since',
    shiftMenu: /^Shift/,
    closeTitle: 'Close the shift',
    counted: 'Cash counted',
    note: /^Note/,
    closeConfirm: 'Close the shift',
    shiftSlip: 'Shift close',
    done: 'Done',
  },
} as const;

/**
 * The demo tablets share the demo operator, who has one shift at a time: a shift another spec left
 * open (the card-issue and anonymous-card specs open one for their cash) is closed first, counted
 * as nothing with a note, so a test that starts a clerk's day starts with none. From the home
 * screen, signed in; back on it with no shift open.
 */
export async function closeLeftoverShift(page: Page, language: 'zh' | 'en'): Promise<void> {
  const w = SHIFT_WORDS[language];
  const banner = page.getByRole('banner');
  const none = banner.getByText(w.noShift);
  await expect(none.or(banner.getByText(w.shiftSince))).toBeVisible({ timeout: 20_000 });
  if (await none.isVisible()) return;
  await page.getByRole('button', { name: w.shiftMenu }).click();
  await expect(page.getByRole('heading', { name: w.closeTitle })).toBeVisible();
  await page.getByRole('textbox', { name: w.counted }).fill('0');
  await page.getByRole('textbox', { name: w.note }).fill('left open by an earlier test');
  await page.getByRole('button', { name: w.closeConfirm, exact: true }).click();
  await expect(page.getByRole('heading', { name: w.shiftSlip })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: w.done }).click();
  await expect(banner.getByText(w.noShift)).toBeVisible({ timeout: 20_000 });
}
