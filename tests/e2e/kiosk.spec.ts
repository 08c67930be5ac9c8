/**
 * The kiosk end to end in Chromium: the app in demo mode installs the virtual CCID reader as
 * navigator.usb (the real WebUSB code path runs), the real server on a fresh embedded database
 * holds the demo accounts, and the test inserts and pulls cards through the demo strip.
 */
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** The demo strip (an aside named 演示控制 / Demo controls). */
function demo(page: Page) {
  return page.getByRole('complementary', { name: /演示控制|Demo controls/ });
}

async function insert(page: Page, label: RegExp): Promise<void> {
  await demo(page).getByRole('button', { name: label }).click();
}

async function typePin(page: Page, pin: string, language: 'zh' | 'en' = 'zh'): Promise<void> {
  const keypad = page.getByRole('group', { name: language === 'zh' ? '请输入密码' : 'Enter your PIN' });
  for (const digit of pin) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: language === 'zh' ? '确认' : 'OK' }).click();
}

async function pull(page: Page): Promise<void> {
  await demo(page).getByRole('button', { name: '拔出卡' }).click();
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
}

async function money(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Math.round(Number(text.replace(/[¥,]/g, '')) * 100);
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  await expect(page.getByText(/读卡器就绪/)).toBeVisible();
});

test('a customer reads a card, gets a wrong PIN told with tries left, then sees the balances', async ({ page }) => {
  await insert(page, /记名卡 张伟/);
  await expect(page.getByRole('heading', { name: '请输入密码' })).toBeVisible();
  await typePin(page, '111111');
  await expect(page.getByRole('alert')).toContainText('还可以尝试 2 次');
  await typePin(page, '123456');
  await expect(page.getByRole('heading', { name: /您好，张伟/ })).toBeVisible();
  expect(await money(page, 'card-balance')).toBeGreaterThan(0);
  expect(await money(page, 'waiting')).toBeGreaterThan(0);
  await pull(page);
});

test('a blocked PIN sends the customer to an outlet', async ({ page }) => {
  await insert(page, /密码锁定/);
  await typePin(page, '123456');
  await expect(page.getByRole('heading', { name: /密码已锁定/ })).toBeVisible();
  await pull(page);
});

test('a load moves money from the account onto the card and prints a receipt', async ({ page }) => {
  await insert(page, /记名卡 张伟/);
  await typePin(page, '123456');
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
  const cardBefore = await money(page, 'card-balance');
  const waitingBefore = await money(page, 'waiting');
  await page.getByRole('button', { name: '圈存', exact: true }).click();
  await page.getByRole('button', { name: '¥100.00' }).click();
  await expect(page.getByRole('heading', { name: '圈存成功' })).toBeVisible();
  expect(await money(page, 'receipt-after')).toBe(cardBefore + 10_000);
  await page.getByRole('button', { name: '返回' }).click();
  expect(await money(page, 'card-balance')).toBe(cardBefore + 10_000);
  expect(await money(page, 'waiting')).toBe(waitingBefore - 10_000);
  await pull(page);
  // The server agrees after the queue drains: read the card again.
  await insert(page, /记名卡 张伟/);
  await typePin(page, '123456');
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
  expect(await money(page, 'waiting')).toBe(waitingBefore - 10_000);
  await pull(page);
});

/** The demo card's number on its chip (src/lib/demo/demo-usb.ts). */
async function chipCardNo(page: Page, id: string): Promise<string> {
  return page.evaluate(
    (cardId) =>
      (globalThis as unknown as { __fuelcardDemoCards: { facts(id: string): { cardNo: string } } }).__fuelcardDemoCards.facts(cardId)
        .cardNo,
    id,
  );
}

/** Loads 100 yuan onto the named card and answers the card balance before and after. */
async function loadHundred(page: Page): Promise<{ before: number; after: number }> {
  await insert(page, /记名卡 张伟/);
  await typePin(page, '123456');
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
  const before = await money(page, 'card-balance');
  await page.getByRole('button', { name: '圈存', exact: true }).click();
  await page.getByRole('button', { name: '¥100.00' }).click();
  await expect(page.getByRole('heading', { name: '圈存成功' })).toBeVisible();
  const after = await money(page, 'receipt-after');
  await page.getByRole('button', { name: '返回' }).click();
  await pull(page);
  return { before, after };
}

test('a second browser on the demo gets a kiosk and cards of its own: loads in each leave the other alone', async ({ page, browser }) => {
  const other = await browser.newContext();
  try {
    const second = await other.newPage();
    await second.goto('/');
    await expect(second.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible({ timeout: 30_000 });
    await expect(second.getByText(/读卡器就绪/)).toBeVisible();
    expect(await chipCardNo(second, 'named')).not.toBe(await chipCardNo(page, 'named'));
    // Each kiosk loads its own card; the old shared kiosk answered the second one COUNTER_STALE.
    const first = await loadHundred(page);
    const then = await loadHundred(second);
    expect(first.after).toBe(first.before + 10_000);
    expect(then).toEqual({ before: first.before, after: first.before + 10_000 });
    // The first browser's kiosk still works after the second one started (its secret was never replaced).
    const again = await loadHundred(page);
    expect(again).toEqual({ before: first.after, after: first.after + 10_000 });
  } finally {
    await other.close();
  }
});

test('history shows the card log, and the PIN can be changed and used', async ({ page }) => {
  await insert(page, /副卡 李娜/);
  await typePin(page, '123456');
  await page.getByRole('button', { name: '交易明细' }).click();
  await expect(page.getByRole('heading', { name: '交易明细' })).toBeVisible();
  await expect(page.getByRole('table').first().getByRole('row')).not.toHaveCount(0);
  await page.getByRole('button', { name: '返回' }).click();
  await page.getByRole('button', { name: '修改密码' }).click();
  for (const pin of ['123456', '246810', '246810']) {
    const keypad = page.getByRole('group').filter({ has: page.getByRole('button', { name: '确认' }) });
    for (const digit of pin) await keypad.getByRole('button', { name: digit, exact: true }).click();
    await keypad.getByRole('button', { name: '确认' }).click();
  }
  await expect(page.getByText('密码已修改')).toBeVisible();
  await pull(page);
  await insert(page, /副卡 李娜/);
  await typePin(page, '246810');
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
  await pull(page);
});

test('every kiosk screen passes axe in Chinese and English', async ({ page }) => {
  const check = async (): Promise<void> => {
    const results = await new AxeBuilder({ page }).exclude('[aria-label="演示控制"]').exclude('[aria-label="Demo controls"]').analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  };
  for (const language of ['zh', 'en'] as const) {
    if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
    await check();
    await insert(page, /记名卡 张伟/);
    await check();
    await typePin(page, '123456', language);
    await expect(page.getByTestId('card-balance')).toBeVisible();
    await check();
    await page.getByRole('button', { name: language === 'zh' ? '交易明细' : 'History' }).click();
    await check();
    await page.getByRole('button', { name: language === 'zh' ? '返回' : 'Back' }).click();
    await page.getByRole('button', { name: language === 'zh' ? '圈存' : 'Load money onto the card', exact: true }).click();
    await check();
    await page.getByRole('button', { name: language === 'zh' ? '返回' : 'Back' }).click();
    await demo(page)
      .getByRole('button', { name: /拔出卡|Pull card/ })
      .click();
    if (language === 'en') await page.getByRole('button', { name: '中文' }).click();
  }
});
