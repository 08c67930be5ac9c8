/**
 * The clerk's shift at the outlet tablet, in either orientation and either language: sign in →
 * open a shift with its float (开班) → the status bar shows it → a cash receipt into its drawer →
 * a cheque receipt (支票收取) with its slip → close the shift (交班) with the cash counted short:
 * the difference is shown before confirming, a note is asked for, and the shift-close slip shows
 * expected, counted and short in figures and capitals. Every screen by role and accessible name,
 * axe clean (the demo strip aside), nothing to scroll; with SHOTS_DIR set, each screen is saved.
 * The demo tablets share the demo operator, whose one shift each test opens and closes.
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
    username: '用户名',
    password: '密码',
    signIn: '登录',
    home: '网点业务',
    noShift: '未开班',
    shiftMenu: /^班次/,
    openTitle: '开班',
    float: '备用金',
    openConfirm: '确认开班',
    shiftSince: '班次',
    chequeMenu: /^支票收取/,
    query: '姓名、证件号、卡号或电话',
    search: '查询',
    results: '查询结果',
    takeCash: '现金收取',
    takeCheque: '支票收取',
    amount: '金额（元）',
    confirmReceipt: '确认收款',
    receiptSlip: '现金收款凭条',
    bank: '出票银行',
    chequeNo: '支票号码',
    chequeDate: '出票日期',
    confirmCheque: '确认收取支票',
    chequeSlip: '支票收款凭条',
    closeTitle: '交班',
    expected: '钱箱应有',
    counted: '实点现金',
    short: '短款 ¥0.50',
    note: /^备注/,
    noteRequired: '有长短款：请在备注中说明原因',
    closeConfirm: '确认交班',
    shiftSlip: '交班单',
    done: '完成',
    signOut: '退出登录',
  },
  en: {
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    home: 'Outlet work',
    noShift: 'No shift open',
    shiftMenu: /^Shift/,
    openTitle: 'Open a shift',
    float: 'Opening float',
    openConfirm: 'Open the shift',
    shiftSince: 'Shift since',
    chequeMenu: /^Take a cheque/,
    query: 'Name, ID number, card number or phone',
    search: 'Search',
    results: 'Results',
    takeCash: 'Take cash',
    takeCheque: 'Take a cheque',
    amount: 'Amount (yuan)',
    confirmReceipt: 'Take the cash',
    receiptSlip: 'Cash receipt',
    bank: 'Bank',
    chequeNo: 'Cheque number',
    chequeDate: 'Cheque date',
    confirmCheque: 'Take the cheque',
    chequeSlip: 'Cheque receipt',
    closeTitle: 'Close the shift',
    expected: 'Drawer should hold',
    counted: 'Cash counted',
    short: 'Short by ¥0.50',
    note: /^Note/,
    noteRequired: 'Cash over or short: write why in the note',
    closeConfirm: 'Close the shift',
    shiftSlip: 'Shift close',
    done: 'Done',
    signOut: 'Sign out',
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
    await page.screenshot({ path: join(SHOTS_DIR, `shift-${where}.png`) });
  }
}

for (const size of SIZES) {
  for (const language of ['zh', 'en'] as const satisfies readonly Language[]) {
    test(`a clerk's shift: open, cash, cheque, close short, ${size.width}×${size.height}, ${language}`, async ({ page }) => {
      test.setTimeout(120_000);
      const w = WORDS[language];
      const at = (screen: string) => `${size.name}-${language}-${screen}`;
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto('/staff');
      await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
      if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('textbox', { name: w.username }).fill('demo.operator');
      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: w.signIn, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
      const banner = page.getByRole('banner');
      await closeLeftoverShift(page, language);
      await expect(banner.getByText(w.noShift)).toBeVisible({ timeout: 20_000 });
      await check(page, at('01-home-no-shift'));

      // 开班 with a float of 300 yuan, in capitals as typed; the bar then shows the shift and its drawer.
      await page.getByRole('button', { name: w.shiftMenu }).click();
      await expect(page.getByRole('heading', { name: w.openTitle })).toBeVisible();
      await page.getByRole('textbox', { name: w.float }).fill('300');
      await expect(page.getByText('叁佰元整')).toBeVisible();
      await check(page, at('02-shift-open'));
      await page.getByRole('button', { name: w.openConfirm, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.home })).toBeVisible({ timeout: 20_000 });
      await expect(banner.getByText(w.shiftSince)).toContainText('¥300.00');
      await check(page, at('03-home-shift'));

      // A cash receipt of 88 yuan: into the drawer.
      const findCustomer = async () => {
        await page.getByRole('searchbox', { name: w.query }).fill('张伟');
        await page.getByRole('button', { name: w.search, exact: true }).click();
        await page.getByRole('list', { name: w.results }).getByRole('button', { name: /张伟/ }).first().click();
        await expect(page.getByRole('heading', { name: /张伟/ })).toBeVisible();
      };
      await page.getByRole('button', { name: new RegExp(`^${w.takeCash}`) }).click();
      await findCustomer();
      await page.getByRole('button', { name: w.takeCash, exact: true }).click();
      await page.getByRole('textbox', { name: w.amount }).fill('88');
      await page.getByRole('button', { name: w.confirmReceipt }).click();
      await expect(page.getByRole('heading', { name: w.receiptSlip })).toBeVisible({ timeout: 20_000 });
      await page.getByRole('button', { name: w.done }).click();
      await expect(banner.getByText(w.shiftSince)).toContainText('¥388.00');

      // A cheque of 1,234.56 yuan: checked on the form (a number with a space is refused), then its slip.
      await page.getByRole('button', { name: w.chequeMenu }).click();
      await findCustomer();
      await page.getByRole('button', { name: w.takeCheque, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.takeCheque })).toBeVisible();
      const chequeNo = `ZP-${Date.now()}`;
      await page.getByRole('textbox', { name: w.bank }).fill('中国工商银行南京分行');
      await page.getByRole('textbox', { name: w.chequeNo }).fill('ZP 1');
      await page.getByRole('textbox', { name: w.amount }).fill('1234.56');
      await expect(page.getByText('壹仟贰佰叁拾肆元伍角陆分')).toBeVisible();
      await page.getByRole('button', { name: w.confirmCheque }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expect(page.getByRole('textbox', { name: w.chequeNo })).toHaveAttribute('aria-invalid', 'true');
      await check(page, at('04-cheque-refused'));
      await page.getByRole('textbox', { name: w.chequeNo }).fill(chequeNo);
      await expect(page.getByLabel(w.chequeDate)).not.toHaveValue('');
      await page.getByRole('button', { name: w.confirmCheque }).click();
      await expect(page.getByRole('heading', { name: w.chequeSlip })).toBeVisible({ timeout: 20_000 });
      await expect(page.getByText('壹仟贰佰叁拾肆元伍角陆分')).toBeVisible();
      await expect(page.getByText(chequeNo)).toBeVisible();
      await check(page, at('05-cheque-slip'));
      await page.getByRole('button', { name: w.done }).click();
      // A cheque is not cash: the drawer is as it was.
      await expect(banner.getByText(w.shiftSince)).toContainText('¥388.00');

      // 交班: 387.50 counted against 388.00 expected, short by 0.50, shown before confirming; a note is required.
      await page.getByRole('button', { name: w.shiftMenu }).click();
      await expect(page.getByRole('heading', { name: w.closeTitle })).toBeVisible();
      await expect(page.getByText('¥388.00').first()).toBeVisible();
      await page.getByRole('textbox', { name: w.counted }).fill('387.50');
      await expect(page.getByText(w.short)).toBeVisible();
      await page.getByRole('button', { name: w.closeConfirm, exact: true }).click();
      await expect(page.getByRole('alert')).toContainText(w.noteRequired);
      await page.getByRole('textbox', { name: w.note }).fill(language === 'zh' ? '找零差错' : 'change given wrongly');
      await check(page, at('06-shift-close'));
      await page.getByRole('button', { name: w.closeConfirm, exact: true }).click();
      await expect(page.getByRole('heading', { name: w.shiftSlip })).toBeVisible({ timeout: 20_000 });
      const slip = page.getByRole('article');
      await expect(slip.getByText('叁佰捌拾捌元整')).toBeVisible();
      await expect(slip.getByText('叁佰捌拾柒元伍角整')).toBeVisible();
      await expect(slip.getByText('伍角整', { exact: true })).toHaveCount(1);
      await expect(slip.getByText('¥0.50')).toBeVisible();
      await check(page, at('07-shift-slip'));
      await page.getByRole('button', { name: w.done }).click();
      await expect(banner.getByText(w.noShift)).toBeVisible();

      await page.getByRole('button', { name: w.signOut }).click();
    });
  }
}
