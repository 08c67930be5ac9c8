/**
 * A multi-user customer (单位客户, docs/domain.md) end to end, issue 13: on the outlet tablet
 * (800×1280) the clerk creates a unit customer, issues its main card and two sub cards, each with
 * its holder (stock cards 7–9 of the demo strip; the first issue opens the clerk's shift if none is
 * open), takes a cash receipt into its quota, inserts the main card and pre-allocates to both subs
 * in one operation, then loads sub 1 at the counter; sub 2 goes to a kiosk (1280×800) of the same
 * browser, as a real card goes from the counter to a kiosk (the virtual reader keeps a stock card's
 * chip per browser, src/lib/demo/demo-list.ts), and is loaded there. The amounts are checked on
 * screen at each step (the quota after the receipt, each sub's reserve after the pre-allocation,
 * the purse after each load), on the slips, on the chips and in the server's ledger; the shift is
 * closed at the end with the drawer holding the float, the three card fees and the cash taken.
 *
 * The tablet's screens are in Chinese up to the cards' issue and in English from the receipt on,
 * the kiosk in Chinese then English: each screen by role and accessible name, axe clean and with
 * nothing to scroll (staff-helpers.ts checkScreen; SHOTS_DIR saves each one). Stock cards 7–9 are
 * this spec's own (staff-issue.spec.ts takes 1–3), so one run per database; the demo operator's
 * shift may be open from another spec, and is used then.
 */
import { expect, test, type Page } from '@playwright/test';
import { taxIdCheckChar } from '../../server/contract/customer-rules.ts';
import { money, ServerView } from './kiosk-helpers.ts';
import {
  checkScreen,
  chipFacts,
  drawerFen,
  insertStockCard,
  printedCardNo,
  pullCard,
  sessionOf,
  signInAtTablet,
  typeOnPad,
} from './staff-helpers.ts';

const TABLET = { width: 800, height: 1280 };
const KIOSK = { width: 1280, height: 800 };
const PIN = '246813';
const FEE_FEN = 2_000;
const ZH = { pinPad: '密码键盘', ok: '确认' };
const EN = { pinPad: 'PIN pad', ok: 'OK' };

type Card = { stock: 7 | 8 | 9; holder: string; idNumber: string };
const MAIN: Card = { stock: 7, holder: '王建国', idNumber: '320102198001011234' };
const SUB1: Card = { stock: 8, holder: '李明', idNumber: '320102198502021234' };
const SUB2: Card = { stock: 9, holder: '赵强', idNumber: '320102199003031234' };

/** A unit's tax id of its own (统一社会信用代码 with its check character): the spec may run again on a kept database. */
function freshTaxId(): string {
  const first17 = `9132010${String(Date.now()).slice(-10)}`;
  return first17 + taxIdCheckChar(first17);
}

async function openCustomer(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: /^客户管理|^Customers/ }).click();
  await page.getByRole('searchbox', { name: /姓名、证件号、卡号或电话|Name, ID number, card number or phone/ }).fill(name);
  await page.getByRole('button', { name: /^(查询|Search)$/ }).click();
  await page
    .getByRole('list', { name: /查询结果|Results/ })
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
}

/** From the customer's detail: issue the next card (main, then subs) with its holder, on stock card `card.stock`. */
async function issue(page: Page, name: string, card: Card, at: string): Promise<string> {
  await openCustomer(page, name);
  await page.getByRole('button', { name: '开户发卡', exact: true }).click();
  const noShift = page.getByText(/还没有开班/);
  const holderTitle = page.getByRole('heading', { name: '持卡人' });
  await expect(noShift.or(holderTitle)).toBeVisible({ timeout: 20_000 });
  if (await noShift.isVisible()) {
    await page.getByRole('textbox', { name: '备用金（元）' }).fill('500');
    await page.getByRole('button', { name: '开班', exact: true }).click();
  }
  await expect(holderTitle).toBeVisible({ timeout: 20_000 });
  await page.getByRole('textbox', { name: '持卡人姓名' }).fill(card.holder);
  await page.getByRole('textbox', { name: '证件号码' }).fill(card.idNumber);
  await checkScreen(page, `staff-multi-${at}-holder`);
  await page.getByRole('button', { name: '下一步', exact: true }).click();
  await expect(page.getByText('请插入库存卡', { exact: true })).toBeVisible({ timeout: 20_000 });
  const cardNo = (await chipFacts(page, `stock${card.stock}`)).cardNo;
  await insertStockCard(page, card.stock);
  await expect(page.getByText('库存卡，可以发卡')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(card.holder)).toBeVisible();
  await page.getByRole('button', { name: /^收取工本费/ }).click();
  await expect(page.getByRole('group', { name: ZH.pinPad })).toBeVisible({ timeout: 20_000 });
  await typeOnPad(page, ZH, PIN);
  await expect(page.getByText('请客户再次输入新密码')).toBeVisible();
  await typeOnPad(page, ZH, PIN);
  await expect(page.getByRole('heading', { name: '发卡凭条' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(printedCardNo(cardNo))).toBeVisible();
  await expect(page.getByText(card.holder)).toBeVisible();
  await expect(page.getByText('贰拾元整')).toBeVisible();
  await checkScreen(page, `staff-multi-${at}-slip`);
  await page.getByRole('button', { name: '完成' }).click();
  await expect(page.getByRole('heading', { name: '网点业务' })).toBeVisible();
  // The customer takes the new card.
  await pullCard(page);
  return cardNo;
}

test('a unit customer: main and two sub cards issued, cash in, pre-allocated, one sub loaded at the counter and one at a kiosk', async ({
  page,
  context,
  baseURL,
}) => {
  test.setTimeout(600_000);
  const bearer = sessionOf(page);
  await page.setViewportSize(TABLET);
  await signInAtTablet(page);

  // A new unit customer (单位客户), in Chinese.
  const name = `演示物流${String(Date.now()).slice(-4)}`;
  await page.getByRole('button', { name: /^客户管理/ }).click();
  await page.getByRole('button', { name: '新建单位客户' }).click();
  await expect(page.getByRole('heading', { name: '新建单位客户' })).toBeVisible();
  await page.getByRole('textbox', { name: '名称' }).fill(name);
  await page.getByRole('textbox', { name: '统一社会信用代码' }).fill(freshTaxId());
  await page.getByRole('textbox', { name: '联系人' }).fill('王建国');
  await page.getByRole('textbox', { name: '联系电话' }).fill('13800138000');
  await checkScreen(page, 'staff-multi-01-new-unit');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('单位', { exact: true })).toBeVisible();
  await checkScreen(page, 'staff-multi-02-unit');
  await page.getByRole('button', { name: /返回/ }).first().click();
  await page.getByRole('button', { name: /返回/ }).first().click();
  await expect(page.getByRole('heading', { name: '网点业务' })).toBeVisible();

  // The main card, then two sub cards under it, each with its holder; the fee into the drawer each time.
  const drawerBefore = await drawerFen(page, bearer());
  const mainNo = await issue(page, name, MAIN, '03-main');
  const drawerOpened = await drawerFen(page, bearer());
  // The first issue opened the shift if none was open: its float counts from here on.
  const drawerStart = drawerBefore === 0 ? drawerOpened - FEE_FEN : drawerBefore;
  const sub1No = await issue(page, name, SUB1, '04-sub1');
  const sub2No = await issue(page, name, SUB2, '05-sub2');
  expect(await drawerFen(page, bearer())).toBe(drawerStart + 3 * FEE_FEN);
  await openCustomer(page, name);
  const cards = page.getByRole('list').filter({ hasText: printedCardNo(mainNo) });
  await expect(cards.getByText('主卡 · 正常')).toHaveCount(1);
  await expect(cards.getByText('副卡 · 正常')).toHaveCount(2);
  await checkScreen(page, 'staff-multi-06-unit-cards');

  // From here the tablet is in English: a cash receipt of 1,000 yuan into the unit's quota.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: 'Take cash', exact: true }).click();
  await page.getByRole('textbox', { name: 'Amount (yuan)' }).fill('1000');
  await checkScreen(page, 'staff-multi-07-receipt');
  await page.getByRole('button', { name: 'Take the cash' }).click();
  await expect(page.getByRole('heading', { name: 'Cash receipt' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('¥1,000.00').first()).toBeVisible();
  await expect(page.getByText('壹仟元整')).toBeVisible();
  await checkScreen(page, 'staff-multi-08-receipt-slip');
  await page.getByRole('button', { name: 'Done' }).click();
  expect(await drawerFen(page, bearer())).toBe(drawerStart + 3 * FEE_FEN + 100_000);

  // The main card in the reader, its holder's PIN: 300 yuan to sub 1 and 200 to sub 2, in one operation.
  await openCustomer(page, name);
  await page.getByRole('button', { name: 'Pre-allocate', exact: true }).click();
  await expect(page.getByText("Insert the unit's main card")).toBeVisible({ timeout: 20_000 });
  await insertStockCard(page, MAIN.stock);
  await expect(page.getByRole('group', { name: EN.pinPad })).toBeVisible({ timeout: 20_000 });
  await typeOnPad(page, EN, PIN);
  await expect(page.getByText('Customer quota: ¥1,000.00')).toBeVisible({ timeout: 20_000 });
  await page.getByRole('textbox', { name: `Allocate to ${printedCardNo(sub1No)} (yuan)` }).fill('300');
  await page.getByRole('textbox', { name: `Allocate to ${printedCardNo(sub2No)} (yuan)` }).fill('200');
  await expect(page.getByText(/Total: ¥500\.00 · 伍佰元整/)).toBeVisible();
  await checkScreen(page, 'staff-multi-09-preallocation');
  await page.getByRole('button', { name: 'Pre-allocate', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Pre-allocation slip' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('¥500.00').first()).toBeVisible();
  await expect(page.getByText('伍佰元整')).toBeVisible();
  await checkScreen(page, 'staff-multi-10-preallocation-slip');
  await page.getByRole('button', { name: 'Done' }).click();
  await pullCard(page);

  // Sub 1 at the counter: its reserve of 300 yuan shown, 250 loaded onto its purse.
  await page.getByRole('button', { name: /^Counter load/ }).click();
  await expect(page.getByText("Insert the customer's card")).toBeVisible();
  await insertStockCard(page, SUB1.stock);
  await expect(page.getByRole('group', { name: EN.pinPad })).toBeVisible({ timeout: 20_000 });
  await typeOnPad(page, EN, PIN);
  await expect(page.getByText('Available to load: ¥300.00')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(SUB1.holder)).toBeVisible();
  await page.getByRole('textbox', { name: 'Load amount (yuan)' }).fill('250');
  await checkScreen(page, 'staff-multi-11-counter-load');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Load slip' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('贰佰伍拾元整')).toBeVisible();
  await expect(page.getByText('¥250.00').first()).toBeVisible();
  await checkScreen(page, 'staff-multi-12-load-slip');
  expect((await chipFacts(page, `stock${SUB1.stock}`)).balanceFen).toBe(25_000);
  await page.getByRole('button', { name: 'Done' }).click();
  await pullCard(page);

  // Sub 2 goes to a kiosk of this browser: its holder's PIN, its reserve of 200 yuan, 100 loaded.
  const kiosk = await context.newPage();
  await kiosk.setViewportSize(KIOSK);
  await kiosk.goto('/');
  const start = kiosk.getByRole('heading', { name: /请插入您的加油卡|Please insert your fuel card/ });
  await expect(start).toBeVisible({ timeout: 30_000 });
  if (await kiosk.getByRole('button', { name: '中文' }).isVisible()) await kiosk.getByRole('button', { name: '中文' }).click();
  await expect(kiosk.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  await checkScreen(kiosk, 'staff-multi-13-kiosk-start');
  await insertStockCard(kiosk, SUB2.stock);
  const keypad = kiosk.getByRole('group', { name: '请输入密码' });
  await expect(keypad).toBeVisible({ timeout: 20_000 });
  for (const digit of PIN) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: '确认' }).click();
  await expect(kiosk.getByRole('heading', { name: new RegExp(`您好，${SUB2.holder}`) })).toBeVisible({ timeout: 20_000 });
  expect(await money(kiosk, 'card-balance')).toBe(0);
  expect(await money(kiosk, 'waiting')).toBe(20_000);
  await checkScreen(kiosk, 'staff-multi-14-kiosk-home');
  await kiosk.getByRole('button', { name: '圈存', exact: true }).click();
  await kiosk.getByRole('button', { name: '¥100.00' }).click();
  await expect(kiosk.getByRole('heading', { name: '圈存成功' })).toBeVisible({ timeout: 30_000 });
  expect(await money(kiosk, 'receipt-after')).toBe(10_000);
  await kiosk.getByRole('button', { name: 'English' }).click();
  await checkScreen(kiosk, 'staff-multi-15-kiosk-receipt-en');
  await kiosk.getByRole('button', { name: 'Back' }).click();
  expect(await money(kiosk, 'card-balance')).toBe(10_000);
  expect(await money(kiosk, 'waiting')).toBe(10_000);
  expect((await chipFacts(kiosk, `stock${SUB2.stock}`)).balanceFen).toBe(10_000);
  await pullCard(kiosk);

  // The ledger agrees once the kiosk's queue has gone: each card's purse mirror and what waits in its reserve.
  const server = new ServerView(baseURL!);
  await expect.poll(async () => (await server.card(sub2No)).purseFen, { timeout: 30_000 }).toBe(10_000);
  expect(await server.card(sub2No)).toMatchObject({ purseFen: 10_000, pursePendingFen: 0, waitingFen: 10_000 });
  expect(await server.card(sub1No)).toMatchObject({ purseFen: 25_000, pursePendingFen: 0, waitingFen: 5_000 });
  // The main card's waiting money is the unit's quota: the receipt less the pre-allocation.
  expect(await server.card(mainNo)).toMatchObject({ purseFen: 0, waitingFen: 50_000 });
  expect(await server.ledgerSound()).toBe(true);
  await kiosk.close();

  // The shift closed, counted as the drawer should hold: the float, three fees and the receipt.
  const expectedFen = drawerStart + 3 * FEE_FEN + 100_000;
  expect(await drawerFen(page, bearer())).toBe(expectedFen);
  await page.getByRole('button', { name: /^Shift/ }).click();
  await page.getByRole('textbox', { name: 'Cash counted' }).fill((expectedFen / 100).toFixed(2));
  await checkScreen(page, 'staff-multi-16-close');
  await page.getByRole('button', { name: 'Close the shift', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Shift close' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('banner').getByText('No shift open')).toBeVisible();
  await page.getByRole('button', { name: '中文' }).click();
});
