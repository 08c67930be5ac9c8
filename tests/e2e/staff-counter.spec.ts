/**
 * The outlet tablet at /staff, as a clerk uses it on a 10-inch tablet in either orientation and
 * either language: sign in → find the demo customer (by part of the name, then by the card
 * number) → a cash receipt, which first asks for a shift: the clerk opens one with its float →
 * the receipt → its slip with the amount in capitals (大写) → a counter load (圈存)
 * on the demo card with the customer's PIN on the on-screen pad → its slip → a counter unload
 * (圈提) → its slip → the shift closed with the drawer as expected → sign out. The demo tablets
 * share the demo operator, whose one shift each test opens and closes. Every screen is checked by role and accessible name, with axe
 * (the demo strip aside), and for fitting the screen with nothing to scroll; with SHOTS_DIR set,
 * each screen is also saved as a picture.
 *
 * Each test is a fresh browser, so a demo tablet of its own (POST /api/v1/demo/tablets) with
 * its own cards and customers.
 */
import { closeLeftoverShift } from './staff-helpers.ts';
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const SHOTS_DIR = process.env.SHOTS_DIR;
const PASSWORD = 'demo-password-123';

const SIZES = [
  { name: 'portrait', width: 800, height: 1280 },
  { name: 'landscape', width: 1280, height: 800 },
] as const;

const WORDS = {
  zh: {
    signInTitle: '营业员登录',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    home: '网点业务',
    customers: /^客户管理/,
    receiptMenu: /^现金收取/,
    load: /^圈存/,
    unload: /^圈提/,
    query: '姓名、证件号、卡号或电话',
    search: '查询',
    results: '查询结果',
    takeCash: '现金收取',
    amount: '金额（元）',
    confirmReceipt: '确认收款',
    receiptSlip: '现金收款凭条',
    done: '完成',
    insert: '请插入客户的加油卡',
    pinPad: '密码键盘',
    ok: '确认',
    loadAmount: '圈存金额（元）',
    loadConfirm: '确认圈存',
    loadSlip: '圈存凭条',
    unloadAmount: '圈提金额（元）',
    unloadConfirm: '确认圈提',
    unloadSlip: '圈提凭条',
    print: '打印凭条',
    signOut: '退出登录',
    signedOut: '已退出登录',
    operator: '演示营业员',
    outlet: '演示营业网点',
    noShift: '未开班',
    openShift: '开班',
    float: '备用金',
    openConfirm: '确认开班',
    shiftMenu: /^班次/,
    counted: '实点现金',
    closeConfirm: '确认交班',
    shiftSlip: '交班单',
  },
  en: {
    signInTitle: 'Operator sign-in',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    home: 'Outlet work',
    customers: /^Customers/,
    receiptMenu: /^Take cash/,
    load: /^Counter load/,
    unload: /^Counter unload/,
    query: 'Name, ID number, card number or phone',
    search: 'Search',
    results: 'Results',
    takeCash: 'Take cash',
    amount: 'Amount (yuan)',
    confirmReceipt: 'Take the cash',
    receiptSlip: 'Cash receipt',
    done: 'Done',
    insert: "Insert the customer's card",
    pinPad: 'PIN pad',
    ok: 'OK',
    loadAmount: 'Load amount (yuan)',
    loadConfirm: 'Load',
    loadSlip: 'Load slip',
    unloadAmount: 'Unload amount (yuan)',
    unloadConfirm: 'Unload',
    unloadSlip: 'Unload slip',
    print: 'Print slip',
    signOut: 'Sign out',
    signedOut: 'You are signed out',
    operator: '演示营业员',
    outlet: 'Demo Outlet',
    noShift: 'No shift open',
    openShift: 'Open a shift',
    float: 'Opening float',
    openConfirm: 'Open the shift',
    shiftMenu: /^Shift/,
    counted: 'Cash counted',
    closeConfirm: 'Close the shift',
    shiftSlip: 'Shift close',
  },
} as const;
type Language = keyof typeof WORDS;

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
    await page.screenshot({ path: join(SHOTS_DIR, `staff-${where}.png`) });
  }
}

/** The demo card's number as the virtual reader holds it (this tablet's own set). */
async function namedCardNo(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { __fuelcardDemoCards: { facts(id: string): { cardNo: string } } }).__fuelcardDemoCards.facts('named')
        .cardNo,
  );
}

for (const size of SIZES) {
  for (const language of ['zh', 'en'] as const satisfies readonly Language[]) {
    test(`a clerk's day at the counter, ${size.width}×${size.height}, ${language}`, async ({ page }) => {
      test.setTimeout(120_000);
      const w = WORDS[language];
      const at = (screen: string) => `${size.name}-${language}-${screen}`;
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto('/staff');
      await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
      if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
      await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
      await check(page, at('01-sign-in'));

      // A wrong password: a message, no session.
      await page.getByRole('textbox', { name: w.username }).fill('demo.operator');
      await page.getByLabel(w.password, { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: w.signIn, exact: true }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await check(page, at('02-sign-in-refused'));

      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: w.signIn, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
      await closeLeftoverShift(page, language);
      const banner = page.getByRole('banner');
      await expect(banner.getByText(w.operator)).toBeVisible();
      await expect(banner.getByText(w.outlet)).toBeVisible();
      await check(page, at('03-home'));

      // Customers: part of the Chinese name finds the demo customers; the card number finds this tablet's one.
      await page.getByRole('button', { name: w.customers }).click();
      await page.getByRole('searchbox', { name: w.query }).fill('张伟');
      await page.getByRole('button', { name: w.search, exact: true }).click();
      await expect(page.getByRole('list', { name: w.results }).getByRole('button', { name: /张伟/ }).first()).toBeVisible();
      await check(page, at('04-customers'));
      const cardNo = await namedCardNo(page);
      await page.getByRole('searchbox', { name: w.query }).fill(cardNo);
      await page.getByRole('button', { name: w.search, exact: true }).click();
      const found = page.getByRole('list', { name: w.results }).getByRole('button', { name: /张伟/ });
      await expect(found).toHaveCount(1);
      await found.click();
      await expect(page.getByRole('heading', { name: /张伟/ })).toBeVisible();
      await check(page, at('05-customer'));

      // A cash receipt of 100.50 yuan, and its slip in figures and capitals. Cash goes into the
      // drawer of an open shift: the screen offers to open one, with a float of 500 yuan.
      await expect(banner.getByText(w.noShift)).toBeVisible();
      await page.getByRole('button', { name: w.takeCash, exact: true }).click();
      await page.getByRole('button', { name: w.openShift, exact: true }).click();
      await page.getByRole('textbox', { name: w.float }).fill('500');
      await page.getByRole('button', { name: w.openConfirm, exact: true }).click();
      await expect(banner.getByText('¥500.00')).toBeVisible({ timeout: 20_000 });
      await page.getByRole('textbox', { name: w.amount }).fill('100.50');
      await check(page, at('06-receipt'));
      await page.getByRole('button', { name: w.confirmReceipt }).click();
      await expect(page.getByRole('heading', { name: w.receiptSlip })).toBeVisible({ timeout: 20_000 });
      await expect(page.getByText('壹佰元伍角整')).toBeVisible();
      await expect(page.getByText('¥100.50')).toBeVisible();
      await expect(page.getByRole('button', { name: w.print })).toBeVisible();
      await check(page, at('07-receipt-slip'));
      await page.getByRole('button', { name: w.done }).click();

      // A counter load of 50 yuan on the demo card: the customer's PIN on the on-screen pad.
      await page.getByRole('button', { name: w.load }).click();
      await expect(page.getByText(w.insert)).toBeVisible();
      await check(page, at('08-load-insert'));
      await page
        .getByRole('complementary', { name: /演示控制|Demo controls/ })
        .getByRole('button', { name: /记名卡 张伟/ })
        .click();
      const pad = page.getByRole('group', { name: w.pinPad });
      await expect(pad).toBeVisible({ timeout: 20_000 });
      await check(page, at('09-load-pin'));
      for (const digit of '123456') await pad.getByRole('button', { name: digit, exact: true }).click();
      await pad.getByRole('button', { name: w.ok }).click();
      await page.getByRole('textbox', { name: w.loadAmount }).fill('50');
      await check(page, at('10-load-amount'));
      await page.getByRole('button', { name: w.loadConfirm, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.loadSlip })).toBeVisible({ timeout: 30_000 });
      await expect(page.getByText('伍拾元整')).toBeVisible();
      await check(page, at('11-load-slip'));
      await page.getByRole('button', { name: w.done }).click();

      // A counter unload of 20 yuan from the card still in the reader.
      await page.getByRole('button', { name: w.unload }).click();
      await expect(pad).toBeVisible({ timeout: 20_000 });
      for (const digit of '123456') await pad.getByRole('button', { name: digit, exact: true }).click();
      await pad.getByRole('button', { name: w.ok }).click();
      await page.getByRole('textbox', { name: w.unloadAmount }).fill('20');
      await check(page, at('12-unload-amount'));
      await page.getByRole('button', { name: w.unloadConfirm, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.unloadSlip })).toBeVisible({ timeout: 30_000 });
      await expect(page.getByText('贰拾元整')).toBeVisible();
      await check(page, at('13-unload-slip'));
      await page.getByRole('button', { name: w.done }).click();

      // The shift closed: the drawer holds the float and the cash taken, counted as expected.
      await page.getByRole('button', { name: w.shiftMenu }).click();
      await page.getByRole('textbox', { name: w.counted }).fill('600.50');
      await page.getByRole('button', { name: w.closeConfirm, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.shiftSlip })).toBeVisible({ timeout: 20_000 });
      await page.getByRole('button', { name: w.done }).click();
      await expect(banner.getByText(w.noShift)).toBeVisible();

      await page.getByRole('button', { name: w.signOut }).click();
      await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
      await expect(page.getByText(w.signedOut)).toBeVisible();
      await check(page, at('14-signed-out'));
    });
  }
}
