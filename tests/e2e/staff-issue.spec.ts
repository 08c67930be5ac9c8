/**
 * Issuing a card (开户发卡) at the outlet tablet at /staff, in either orientation and either
 * language: sign in → find the demo customer 演示客户张伟 (this tablet's own, by its card number) →
 * "Issue a card" → the clerk's shift (opened on the screen when there is none: the card fee is cash
 * into its drawer) → a bureau stock card from the demo strip (the screen says it is a stock card,
 * with its number) → the fee → the customer's new PIN on the on-screen pad, twice → the slip (card
 * number, holder, fee in figures and 大写) → a counter load on the new card with the new PIN.
 * A card pulled mid-issue (the demo card loses power just after the holder is written) names the
 * step; inserted again it finishes, and the drawer took the fee once. A stock card issued already
 * (by an earlier test: the chip in this browser is fresh, the server's record is not) is refused.
 *
 * Each test is a fresh browser, so a demo tablet of its own with its own customers; the three
 * stock cards are the demo outlet's, shared by every browser: each test takes its own, in file
 * order (serial), and the last one meets stock1 issued. Every screen is checked by role and
 * accessible name, with axe (the demo strip aside), and for fitting the screen; with SHOTS_DIR
 * set, each screen is also saved as a picture.
 */
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

test.describe.configure({ mode: 'serial' });

const SHOTS_DIR = process.env.SHOTS_DIR;
const PASSWORD = 'demo-password-123';
const NEW_PIN = '2468';
const FEE = '¥20.00';
const FEE_CAPITALS = '贰拾元整';
/** EF16's UPDATE BINARY: the demo card loses power just after it writes the holder. */
const UPDATE_BINARY = 0xd6;

const WORDS = {
  zh: {
    username: '用户名',
    password: '密码',
    signIn: '登录',
    home: '网点业务',
    customers: /^客户管理/,
    query: '姓名、证件号、卡号或电话',
    search: '查询',
    results: '查询结果',
    issue: '开户发卡',
    noShift: /还没有开班/,
    float: '备用金（元）',
    openShift: '开班',
    insert: '请插入库存卡',
    stockCard: '库存卡，可以发卡',
    confirm: /^收取工本费/,
    pinPad: '密码键盘',
    ok: '确认',
    pinAgain: '请客户再次输入新密码',
    issueSlip: '发卡凭条',
    pulled: /在写入持卡人时卡被拔出/,
    alreadyIssued: '此卡已发行，请插入库存卡。',
    loadNow: '立即圈存',
    loadAmount: '圈存金额（元）',
    loadConfirm: '确认圈存',
    loadSlip: '圈存凭条',
    done: '完成',
    back: /返回/,
  },
  en: {
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    home: 'Outlet work',
    customers: /^Customers/,
    query: 'Name, ID number, card number or phone',
    search: 'Search',
    results: 'Results',
    issue: 'Issue a card',
    noShift: /no open shift/,
    float: 'Opening float (yuan)',
    openShift: 'Open shift',
    insert: 'Insert a stock card',
    stockCard: 'A stock card, ready to issue',
    confirm: /^Take the fee/,
    pinPad: 'PIN pad',
    ok: 'OK',
    pinAgain: 'The customer enters the new PIN again',
    issueSlip: 'Card issue slip',
    pulled: /removed while writing the holder/,
    alreadyIssued: 'This card is issued already: insert a stock card.',
    loadNow: 'Load this card now',
    loadAmount: 'Load amount (yuan)',
    loadConfirm: 'Load',
    loadSlip: 'Load slip',
    done: 'Done',
    back: /Back/,
  },
} as const;
type Language = keyof typeof WORDS;
type Words = (typeof WORDS)[Language];

async function check(page: Page, where: string): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  const results = await new AxeBuilder({ page }).exclude('[aria-label="演示控制"]').exclude('[aria-label="Demo controls"]').analyze();
  expect
    .soft(
      results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      `${where}: axe`,
    )
    .toEqual([]);
  const size = await page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth,
  }));
  expect.soft(size.scrollHeight, `${where}: the page is taller than the screen`).toBeLessThanOrEqual(size.innerHeight);
  expect.soft(size.scrollWidth, `${where}: the page is wider than the screen`).toBeLessThanOrEqual(size.innerWidth);
  if (SHOTS_DIR) {
    mkdirSync(SHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SHOTS_DIR, `staff-issue-${where}.png`) });
  }
}

type DemoCards = {
  facts(id: string): { cardNo: string };
  failNext(id: string, fault: { when: 'before-write' | 'after-write'; ins: number; skip?: number }): void;
};

/** The operator's session as the tablet presents it, caught from its own requests. */
function sessionOf(page: Page): () => string | null {
  let bearer: string | null = null;
  page.on('request', (request) => {
    const header = request.headers()['authorization'];
    if (header?.startsWith('Bearer ')) bearer = header;
  });
  return () => bearer;
}

async function drawerFen(page: Page, bearer: string | null): Promise<number> {
  const answer = await page.request.get('/api/v1/shifts/current', { headers: bearer ? { authorization: bearer } : {} });
  expect(answer.ok()).toBe(true);
  const body = (await answer.json()) as { shift: { drawerFen: number } | null };
  return body.shift?.drawerFen ?? 0;
}

function strip(page: Page) {
  return page.getByRole('complementary', { name: /演示控制|Demo controls/ });
}

async function insertStock(page: Page, which: 1 | 2 | 3): Promise<void> {
  await strip(page)
    .getByRole('button', { name: new RegExp(`库存卡${which}(\\s|$)`) })
    .click();
}

async function typePin(page: Page, w: Words, pin: string): Promise<void> {
  const pad = page.getByRole('group', { name: w.pinPad });
  for (const digit of pin) await pad.getByRole('button', { name: digit, exact: true }).click();
  await pad.getByRole('button', { name: w.ok }).click();
}

/** Signed in, at the demo customer's detail, then "Issue a card", with a shift open (opened here if none). */
async function toIssue(page: Page, w: Words, language: Language, size: { width: number; height: number }, at: (s: string) => string) {
  await page.setViewportSize(size);
  await page.goto('/staff');
  await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
  if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('textbox', { name: w.username }).fill('demo.operator');
  await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: w.signIn, exact: true }).click();
  await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
  await page.getByRole('button', { name: w.customers }).click();
  // The seeded 演示客户张伟 of the demo outlet: each tablet's own copy is named longer than a card holds.
  await page.getByRole('searchbox', { name: w.query }).fill('演示客户张伟');
  await page.getByRole('button', { name: w.search, exact: true }).click();
  const found = page.getByRole('list', { name: w.results }).getByRole('button', { name: /^演示客户张伟\s/ });
  await expect(found).toHaveCount(1);
  await found.click();
  await expect(page.getByRole('heading', { name: '演示客户张伟' })).toBeVisible();
  await page.getByRole('button', { name: w.issue, exact: true }).click();
  await expect(page.getByRole('heading', { name: w.issue })).toBeVisible();
  const noShift = page.getByText(w.noShift);
  await expect(noShift.or(page.getByText(w.insert))).toBeVisible({ timeout: 20_000 });
  if (await noShift.isVisible()) {
    await page.getByRole('textbox', { name: w.float }).fill('500');
    await check(page, at('01-no-shift'));
    await page.getByRole('button', { name: w.openShift, exact: true }).click();
  }
  await expect(page.getByText(w.insert)).toBeVisible({ timeout: 20_000 });
  await check(page, at('02-insert'));
}

/** The fee confirmed on the stock card read, then the new PIN twice. */
async function feeAndPin(page: Page, w: Words, at: (s: string) => string): Promise<void> {
  await expect(page.getByText(w.stockCard)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(FEE_CAPITALS)).toBeVisible();
  await check(page, at('03-stock-card'));
  await page.getByRole('button', { name: w.confirm }).click();
  await expect(page.getByRole('group', { name: w.pinPad })).toBeVisible({ timeout: 20_000 });
  await check(page, at('04-pin'));
  await typePin(page, w, NEW_PIN);
  await expect(page.getByText(w.pinAgain)).toBeVisible();
  await typePin(page, w, NEW_PIN);
}

async function slipAndLoad(page: Page, w: Words, cardNo: string, at: (s: string) => string): Promise<void> {
  await expect(page.getByRole('heading', { name: w.issueSlip })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(FEE)).toBeVisible();
  await expect(page.getByText(FEE_CAPITALS)).toBeVisible();
  await expect(page.getByText(cardNo.replace(/^0/, '').replace(/(\d{4})(?=\d)/g, '$1 '))).toBeVisible();
  await check(page, at('06-issue-slip'));
  // Loaded at once, the card still in the reader, with the PIN the customer just chose.
  await page.getByRole('button', { name: w.loadNow }).click();
  await expect(page.getByRole('group', { name: w.pinPad })).toBeVisible({ timeout: 20_000 });
  await typePin(page, w, NEW_PIN);
  await page.getByRole('textbox', { name: w.loadAmount }).fill('10');
  await page.getByRole('button', { name: w.loadConfirm, exact: true }).click();
  await expect(page.getByRole('heading', { name: w.loadSlip })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('壹拾元整')).toBeVisible();
  await check(page, at('07-load-slip'));
}

const RUNS = [
  { size: { width: 800, height: 1280 }, name: 'portrait', language: 'zh', stock: 1, pull: false },
  { size: { width: 800, height: 1280 }, name: 'portrait', language: 'en', stock: 2, pull: true },
  { size: { width: 1280, height: 800 }, name: 'landscape', language: 'zh', stock: 3, pull: true },
  { size: { width: 1280, height: 800 }, name: 'landscape', language: 'en', stock: 1, pull: false },
] as const;

for (const run of RUNS) {
  const issued = run.name === 'landscape' && run.language === 'en';
  const what = issued ? 'a stock card issued already is refused' : run.pull ? 'a card pulled mid-issue resumes, one fee' : 'issue and load';
  test(`issuing a card at the counter, ${run.size.width}×${run.size.height}, ${run.language}: ${what}`, async ({ page }) => {
    test.setTimeout(150_000);
    const w = WORDS[run.language];
    const at = (screen: string) => `${run.name}-${run.language}-${screen}`;
    const bearer = sessionOf(page);
    await toIssue(page, w, run.language, run.size, at);
    const stockId = `stock${run.stock}`;
    const cardNo = await page.evaluate(
      (id) => (globalThis as unknown as { __fuelcardDemoCards: DemoCards }).__fuelcardDemoCards.facts(id).cardNo,
      stockId,
    );

    if (issued) {
      // This browser's chip is fresh, the server's record is not: the fee is refused, nothing charged.
      const before = await drawerFen(page, bearer());
      await insertStock(page, run.stock);
      await expect(page.getByText(w.stockCard)).toBeVisible({ timeout: 20_000 });
      await page.getByRole('button', { name: w.confirm }).click();
      await expect(page.getByText(w.alreadyIssued)).toBeVisible({ timeout: 20_000 });
      await check(page, at('05-already-issued'));
      expect(await drawerFen(page, bearer())).toBe(before);
      await page.getByRole('button', { name: w.back }).first().click();
      await expect(page.getByRole('heading', { name: '演示客户张伟' })).toBeVisible();
      return;
    }

    const before = await drawerFen(page, bearer());
    if (run.pull) {
      await page.evaluate(
        ([id, ins]) =>
          (globalThis as unknown as { __fuelcardDemoCards: DemoCards }).__fuelcardDemoCards.failNext(id as string, {
            when: 'after-write',
            ins: ins as number,
          }),
        [stockId, UPDATE_BINARY] as const,
      );
    }
    await insertStock(page, run.stock);
    if (run.pull) {
      await expect(page.getByText(w.stockCard)).toBeVisible({ timeout: 20_000 });
      await page.getByRole('button', { name: w.confirm }).click();
      await expect(page.getByText(w.pulled)).toBeVisible({ timeout: 20_000 });
      await check(page, at('05-pulled'));
      await strip(page)
        .getByRole('button', { name: /拔出卡|Pull card/ })
        .click();
      await insertStock(page, run.stock);
      // Resumed: the holder is on the chip, so the customer chooses the PIN (or enters one chosen before).
      await expect(page.getByRole('group', { name: w.pinPad })).toBeVisible({ timeout: 20_000 });
      await check(page, at('05-resume-pin'));
      await typePin(page, w, NEW_PIN);
      await typePin(page, w, NEW_PIN);
    } else {
      await feeAndPin(page, w, at);
    }
    await slipAndLoad(page, w, cardNo, at);
    // The fee went into the drawer once, however often the card was inserted.
    expect(await drawerFen(page, bearer())).toBe(before + 2_000);
  });
}
