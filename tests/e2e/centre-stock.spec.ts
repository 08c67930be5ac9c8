/**
 * The management centre's card stock at /centre (src/centre): the province's administrator stocks
 * a batch in and requisitions part of it to the demo city; the city's centre operator (demo.center)
 * requisitions part of that on to the demo outlet and finds it in the stock query. Driven by role
 * and accessible name, in Chinese at 1280×800 and in English at 800×1280, every screen fitting
 * with nothing to scroll and clean under axe; with SHOTS_DIR set, a screenshot of each.
 */
import { checkScreen } from './staff-helpers.ts';
import { expect, test, type Page } from '@playwright/test';

/** server/demo/money.ts DEMO_OPERATOR_PASSWORD. */
const PASSWORD = 'demo-password-123';

const WORDS = {
  zh: {
    signInTitle: '中心操作员登录',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    signOut: '退出登录',
    stockInTab: '卡片入库',
    requisitionTab: '卡片领用',
    queryTab: '库存查询',
    first: '起始卡号',
    last: '终止卡号',
    cardType: '卡类型',
    keyVersion: '密钥版本',
    expiresOn: '有效期至',
    stockIn: '入库',
    requisition: '领用',
    toUnit: '领用单位',
    city: '演示市分公司',
    outlet: '演示营业网点',
    stockedIn: /已入库 20 张/,
    moved: (n: number) => new RegExp(`已从.+领用 ${n} 张到`),
    actingCity: '所属单位：演示市分公司',
    notHeld: '号段内的卡并非全部在上级单位库存中',
    lang: 'English',
  },
  en: {
    signInTitle: 'Centre operator sign-in',
    username: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    signOut: 'Sign out',
    stockInTab: 'Stock in',
    requisitionTab: 'Requisition',
    queryTab: 'Stock query',
    first: 'First card number',
    last: 'Last card number',
    cardType: 'Card type',
    keyVersion: 'Key version',
    expiresOn: 'Valid until',
    stockIn: 'Stock in the range',
    requisition: 'Requisition the range',
    toUnit: 'Receiving unit',
    city: 'Demo City Branch',
    outlet: 'Demo Outlet',
    stockedIn: /20 cards stocked in/,
    moved: (n: number) => new RegExp(`${n} cards moved from`),
    actingCity: 'Acting for: Demo City Branch',
    notHeld: 'Not every card of this range is in stock at the giving unit',
    lang: '中文',
  },
} as const;
type Words = (typeof WORDS)[keyof typeof WORDS];

/** A user card number of the demo key version 1, province 32 (server/demo/money.ts demoCardNo). */
const card = (serial: number) => `01000113200${String(serial).padStart(9, '0')}`;

/** The shared screen check (axe, nothing to scroll, a picture with SHOTS_DIR set), named for this spec. */
const check = (page: Page, where: string): Promise<void> => checkScreen(page, `centre-${where}`);

async function signIn(page: Page, w: Words, username: string): Promise<void> {
  await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
  await page.getByLabel(w.username).fill(username);
  await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: w.signIn, exact: true }).click();
  await expect(page.getByRole('button', { name: w.signOut })).toBeVisible();
}

async function requisition(page: Page, w: Words, to: string, first: number, last: number): Promise<void> {
  await page.getByRole('button', { name: w.requisitionTab, exact: true }).click();
  await page.getByLabel(w.toUnit).selectOption({ label: to });
  await page.getByLabel(w.first).fill(card(first));
  await page.getByLabel(w.last).fill(card(last));
  await page.getByRole('button', { name: w.requisition, exact: true }).click();
}

const RUNS = [
  { lang: 'zh', width: 1280, height: 800 },
  { lang: 'en', width: 800, height: 1280 },
] as const;

for (const run of RUNS) {
  test(`stock-in, requisition down to the outlet and the stock query (${run.lang}, ${run.width}×${run.height})`, async ({ page }) => {
    const w = WORDS[run.lang];
    const where = (screen: string) => `${run.lang}-${run.width}x${run.height}-${screen}`;
    // Serials of this run's own, so runs on one data folder never meet.
    const base = 300_000_000 + (Date.now() % 1_000_000) * 100;
    await page.setViewportSize({ width: run.width, height: run.height });
    await page.goto('/centre');
    if (run.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await check(page, where('sign-in'));

    // The province: the administrator stocks in 20 user cards and gives 10 to the city.
    await signIn(page, w, 'demo.admin');
    await page.getByLabel(w.first).fill(card(base + 1));
    await page.getByLabel(w.last).fill(card(base + 20));
    await page.getByLabel(w.cardType).selectOption('user');
    await page.getByLabel(w.keyVersion).fill('1');
    await page.getByLabel(w.expiresOn).fill('2031-12-31');
    await page.getByRole('button', { name: w.stockIn, exact: true }).click();
    await expect(page.getByText(w.stockedIn)).toBeVisible();
    await check(page, where('stock-in'));
    await requisition(page, w, w.city, base + 1, base + 10);
    await expect(page.getByText(w.moved(10))).toBeVisible();
    await page.getByRole('button', { name: w.signOut }).click();

    // The city's centre gives 5 of them to the outlet; a range it does not hold is refused.
    await signIn(page, w, 'demo.center');
    await expect(page.getByText(w.actingCity)).toBeVisible();
    await requisition(page, w, w.outlet, base + 11, base + 12);
    await expect(page.getByRole('alert')).toHaveText(w.notHeld);
    await requisition(page, w, w.outlet, base + 1, base + 5);
    await expect(page.getByText(w.moved(5))).toBeVisible();
    await check(page, where('requisition'));

    await page.getByRole('button', { name: w.queryTab, exact: true }).click();
    // The city also holds the demo's station cards (a row per card type): user cards only.
    await page.getByLabel(w.cardType).selectOption('user');
    const outletRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: w.outlet }) });
    await expect(outletRow).toContainText(card(base + 1));
    await expect(outletRow).toContainText(card(base + 5));
    const cityRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: w.city }) });
    await expect(cityRow).toContainText(card(base + 6));
    await check(page, where('query'));
  });
}
