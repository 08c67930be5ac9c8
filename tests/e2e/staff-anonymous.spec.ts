/**
 * Anonymous cards (不记名卡, docs/domain.md "Anonymous cards") at the outlet tablet, issue 13: a
 * stock card of the demo outlet sold as anonymous (the card fee and a first amount in cash, the
 * amount loaded at once), topped up with cash (loaded at once), then upgraded to a named card with
 * the buyer's details and PIN, the balance kept. Once in Chinese held in portrait (800×1280, stock
 * card 10) and once in English in landscape (1280×800, stock card 11). The money is checked on
 * screen (the balance before each step), on each slip (figures and 大写), on the chip and in the
 * drawer of the clerk's shift. Refused in words: a named card offered for a top-up, and the card
 * itself once upgraded. Every screen by role and accessible name, axe clean and nothing to scroll
 * (staff-helpers.ts checkScreen; SHOTS_DIR saves each one).
 *
 * Stock cards 10–12 are this spec's own (staff-issue takes 1–3, staff-multi 7–9), so one run per
 * database. Each test is one browser: the virtual reader keeps a stock card's chip per browser, so
 * a card's whole life is in one test. The demo operator's shift may be open from another spec (or
 * the other test), and is used then.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { residentIdCheckChar } from '../../server/contract/customer-rules.ts';
import {
  checkScreen,
  chipFacts,
  demoStrip,
  drawerFen,
  insertStockCard,
  printedCardNo,
  pullCard,
  sessionOf,
  signInAtTablet,
  typeOnPad,
} from './staff-helpers.ts';

const FEE_FEN = 2_000;
const PIN = '135790';

const ZH = {
  home: '网点业务',
  anonymous: /^不记名卡/,
  menu: '不记名卡',
  sell: /^发售/,
  topUp: /^充值/,
  upgrade: /^升级为记名卡/,
  noShift: /尚未开班/,
  openShiftTitle: '开班',
  float: '备用金',
  openShift: '确认开班',
  insertStock: '请插入本网点的库存卡',
  insertAnonymous: '请插入不记名卡',
  stockFound: '库存卡，可以发售',
  anonymousFound: '不记名卡，可以充值',
  firstAmount: '首次充值金额（元）',
  topUpAmount: '充值金额（元）',
  sellConfirm: /^收取现金 ¥320\.00，发售$/,
  topUpConfirm: '收取现金并充值',
  sellSlip: '不记名卡发售凭条',
  topUpSlip: '不记名卡充值凭条',
  upgradeSlip: '记名升级凭条',
  fee: '工本费',
  first: '充值金额',
  total: '收款合计',
  amount: '金额',
  capitals: '大写',
  before: '交易前卡余额',
  after: '交易后卡余额',
  kept: '卡内余额（保留）',
  customer: '客户',
  purse: '卡内余额',
  named: '这是记名卡，不是不记名卡：请按记名卡办理。',
  buyer: '持卡人资料',
  name: /^持卡人姓名/,
  idNo: /^证件号码/,
  phone: /^电话/,
  upgradeConfirm: '下一步：设置密码',
  pinPad: '密码键盘',
  ok: '确认',
  pinAgain: '请客户再次输入新密码',
  pulled: /办理中卡被拔出/,
  noLoss: /不记名卡不能挂失/,
  done: '完成',
  back: /返回/,
};
const EN: typeof ZH = {
  home: 'Outlet work',
  anonymous: /^Anonymous cards/,
  menu: 'Anonymous cards',
  sell: /^Sell/,
  topUp: /^Top up/,
  upgrade: /^Upgrade to named/,
  noShift: /No shift is open/,
  openShiftTitle: 'Open a shift',
  float: 'Opening float',
  openShift: 'Open the shift',
  insertStock: 'Insert a stock card of this outlet',
  insertAnonymous: 'Insert the anonymous card',
  stockFound: 'A stock card, ready to sell',
  anonymousFound: 'An anonymous card, ready to top up',
  firstAmount: 'First top-up (yuan)',
  topUpAmount: 'Top-up amount (yuan)',
  sellConfirm: /^Take ¥320\.00 in cash and sell$/,
  topUpConfirm: 'Take the cash and top up',
  sellSlip: 'Anonymous card sale slip',
  topUpSlip: 'Anonymous card top-up slip',
  upgradeSlip: 'Upgrade to named slip',
  fee: 'Card fee',
  first: 'Top-up',
  total: 'Cash taken',
  amount: 'Amount',
  capitals: 'In words',
  before: 'Card before',
  after: 'Card after',
  kept: 'Balance kept',
  customer: 'Customer',
  purse: 'On the card',
  named: 'This is a named card, not an anonymous one: serve it as a named card.',
  buyer: "Holder's details",
  name: /^Holder's name/,
  idNo: /^ID number/,
  phone: /^Phone/,
  upgradeConfirm: 'Next: set the PIN',
  pinPad: 'PIN pad',
  ok: 'OK',
  pinAgain: 'The customer enters the new PIN again',
  pulled: /removed mid-way/,
  noLoss: /cannot be reported lost/,
  done: 'Done',
  back: /Back/,
};

/** What the slip says against `label` (its <dt>), read from the <dd> after it. */
function slipValue(slip: Locator, label: string): Locator {
  return slip.locator('dt', { hasText: new RegExp(`^${label.replace(/[()（）]/g, '.')}$`) }).locator('xpath=following-sibling::dd[1]');
}

async function openAnonymous(page: Page, w: typeof ZH, choice: RegExp): Promise<void> {
  await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
  await page.getByRole('navigation', { name: w.home }).getByRole('button', { name: w.anonymous }).click();
  await expect(page.getByRole('heading', { name: w.menu })).toBeVisible();
  await page.getByRole('navigation', { name: w.menu }).getByRole('button', { name: choice }).click();
}

/** UPDATE BINARY: the demo card loses power just after the anonymous holder file is written. */
const UPDATE_BINARY = 0xd6;

type Run = {
  /** The card pulled just after its initialising write: inserted again, the sale goes on, one fee. */
  pull: boolean;
  w: typeof ZH;
  size: { width: number; height: number };
  stock: number;
  tag: string;
  buyer: { name: string; idNo: string };
};

async function anonymousLife(page: Page, run: Run): Promise<void> {
  const { w, stock, tag } = run;
  const bearer = sessionOf(page);
  await page.setViewportSize(run.size);
  await signInAtTablet(page);
  await checkScreen(page, `staff-anonymous-${tag}-00-home`);
  if (w === EN) await page.getByRole('button', { name: 'English' }).click();
  const cardNo = (await chipFacts(page, `stock${stock}`)).cardNo;

  // Sell: the shift opened first when there is none (the fee and the cash go into its drawer).
  await page.getByRole('navigation', { name: w.home }).getByRole('button', { name: w.anonymous }).click();
  await expect(page.getByText(w.noLoss)).toBeVisible();
  await checkScreen(page, `staff-anonymous-${tag}-01-menu`);
  await page.getByRole('navigation', { name: w.menu }).getByRole('button', { name: w.sell }).click();
  const noShift = page.getByText(w.noShift).first();
  const insert = page.getByText(w.insertStock, { exact: true });
  await expect(noShift.or(insert)).toBeVisible({ timeout: 20_000 });
  if (await noShift.isVisible()) {
    await page.getByRole('button', { name: w.openShiftTitle, exact: true }).click();
    await page.getByRole('textbox', { name: w.float }).fill('500');
    await page.getByRole('button', { name: w.openShift, exact: true }).click();
  }
  await expect(insert).toBeVisible({ timeout: 20_000 });
  await checkScreen(page, `staff-anonymous-${tag}-02-insert-stock`);
  const drawerStart = await drawerFen(page, bearer());
  await insertStockCard(page, stock);
  await expect(page.getByText(w.stockFound)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(printedCardNo(cardNo))).toBeVisible();
  await page.getByRole('textbox', { name: w.firstAmount }).fill('300');
  await expect(page.getByText('¥300.00 · 叁佰元整')).toBeVisible();
  await checkScreen(page, `staff-anonymous-${tag}-03-sell`);
  if (run.pull)
    await page.evaluate(
      ([id, ins]) =>
        (
          globalThis as unknown as { __fuelcardDemoCards: { failNext(id: string, f: { when: 'after-write'; ins: number }): void } }
        ).__fuelcardDemoCards.failNext(id, { when: 'after-write', ins }),
      [`stock${stock}`, UPDATE_BINARY] as const,
    );
  await page.getByRole('button', { name: w.sellConfirm }).click();
  if (run.pull) {
    await expect(page.getByText(w.pulled)).toBeVisible({ timeout: 20_000 });
    await checkScreen(page, `staff-anonymous-${tag}-03b-pulled`);
    await pullCard(page);
    await insertStockCard(page, stock);
  }
  await expect(page.getByRole('heading', { name: w.sellSlip })).toBeVisible({ timeout: 30_000 });
  let slip = page.getByRole('article');
  await expect(slipValue(slip, w.fee)).toHaveText('¥20.00');
  await expect(slipValue(slip, w.first)).toHaveText('¥300.00');
  await expect(slipValue(slip, w.total)).toHaveText('¥320.00');
  await expect(slipValue(slip, w.capitals)).toHaveText('叁佰贰拾元整');
  await expect(slipValue(slip, w.before)).toHaveText('¥0.00');
  await expect(slipValue(slip, w.after)).toHaveText('¥300.00');
  await expect(slip.getByText(printedCardNo(cardNo))).toBeVisible();
  await checkScreen(page, `staff-anonymous-${tag}-04-sell-slip`);
  expect((await chipFacts(page, `stock${stock}`)).balanceFen).toBe(30_000);
  expect(await drawerFen(page, bearer())).toBe(drawerStart + FEE_FEN + 30_000);
  await page.getByRole('button', { name: w.done }).click();

  // Top up: a named card is refused in words first; then the anonymous card, its balance shown, 200 yuan loaded.
  await openAnonymous(page, w, w.topUp);
  await demoStrip(page)
    .getByRole('button', { name: /记名卡 张伟/ })
    .click();
  await expect(page.getByText(w.named)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(w.insertAnonymous, { exact: true })).toBeVisible();
  await checkScreen(page, `staff-anonymous-${tag}-05-named-refused`);
  await pullCard(page);
  await insertStockCard(page, stock);
  await expect(page.getByText(w.anonymousFound)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('definition').filter({ hasText: '¥300.00' }).first()).toBeVisible();
  await page.getByRole('textbox', { name: w.topUpAmount }).fill('200');
  await expect(page.getByText('¥200.00 · 贰佰元整')).toBeVisible();
  await checkScreen(page, `staff-anonymous-${tag}-06-top-up`);
  await page.getByRole('button', { name: w.topUpConfirm }).click();
  await expect(page.getByRole('heading', { name: w.topUpSlip })).toBeVisible({ timeout: 30_000 });
  slip = page.getByRole('article');
  await expect(slipValue(slip, w.amount)).toHaveText('¥200.00');
  await expect(slipValue(slip, w.capitals)).toHaveText('贰佰元整');
  await expect(slipValue(slip, w.before)).toHaveText('¥300.00');
  await expect(slipValue(slip, w.after)).toHaveText('¥500.00');
  await checkScreen(page, `staff-anonymous-${tag}-07-top-up-slip`);
  expect((await chipFacts(page, `stock${stock}`)).balanceFen).toBe(50_000);
  expect(await drawerFen(page, bearer())).toBe(drawerStart + FEE_FEN + 50_000);
  await page.getByRole('button', { name: w.done }).click();

  // Upgrade: the buyer's details, the PIN twice on the pad; the balance stays on the card.
  await openAnonymous(page, w, w.upgrade);
  await expect(page.getByRole('heading', { name: w.buyer })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/¥500\.00/)).toBeVisible();
  await page.getByRole('textbox', { name: w.name }).fill(run.buyer.name);
  await page.getByRole('textbox', { name: w.idNo }).fill(run.buyer.idNo);
  await page.getByRole('textbox', { name: w.phone }).fill('13900139000');
  await checkScreen(page, `staff-anonymous-${tag}-08-upgrade`);
  await page.getByRole('button', { name: w.upgradeConfirm }).click();
  await expect(page.getByRole('group', { name: w.pinPad })).toBeVisible({ timeout: 20_000 });
  await checkScreen(page, `staff-anonymous-${tag}-09-pin`);
  await typeOnPad(page, w, PIN);
  await expect(page.getByText(w.pinAgain)).toBeVisible();
  await typeOnPad(page, w, PIN);
  await expect(page.getByRole('heading', { name: w.upgradeSlip })).toBeVisible({ timeout: 30_000 });
  slip = page.getByRole('article');
  await expect(slipValue(slip, w.customer)).toHaveText(run.buyer.name);
  await expect(slipValue(slip, w.kept)).toHaveText('¥500.00');
  await expect(slipValue(slip, w.capitals)).toHaveText('伍佰元整');
  await checkScreen(page, `staff-anonymous-${tag}-10-upgrade-slip`);
  expect((await chipFacts(page, `stock${stock}`)).balanceFen).toBe(50_000);
  // No cash moved in an upgrade.
  expect(await drawerFen(page, bearer())).toBe(drawerStart + FEE_FEN + 50_000);
  await page.getByRole('button', { name: w.done }).click();

  // Named now: the card is no longer topped up as an anonymous one.
  await openAnonymous(page, w, w.topUp);
  await expect(page.getByText(w.named)).toBeVisible({ timeout: 20_000 });
}

function residentId(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}

test('anonymous card in Chinese, portrait: sold with a first amount, topped up, upgraded to named', async ({ page }) => {
  test.setTimeout(300_000);
  await anonymousLife(page, {
    w: ZH,
    pull: false,
    size: { width: 800, height: 1280 },
    stock: 10,
    tag: 'zh',
    buyer: { name: '孙丽华', idNo: residentId('32010219880505123') },
  });
});

test('anonymous card in English, landscape: sold with a first amount, topped up, upgraded to named', async ({ page }) => {
  test.setTimeout(300_000);
  await anonymousLife(page, {
    w: EN,
    pull: true,
    size: { width: 1280, height: 800 },
    stock: 11,
    tag: 'en',
    buyer: { name: '周文斌', idNo: residentId('32010219750606345') },
  });
});
