/**
 * Every kiosk screen fits the kiosk's display with nothing to scroll: a landscape kiosk of
 * 1280×800 and a portrait one of 800×1280, the demo strip shown, in Chinese and in English. A
 * customer at a kiosk has a touch screen and no scroll wheel, and a button pushed below the fold
 * is a button that does not exist. The walk visits each screen a customer can reach with the demo
 * cards; with SHOTS_DIR set it saves a screenshot of each (for a person to look at, outside the
 * repository). On the way it checks what those screens promise: "Load money onto the card" on one
 * line, buttons in the page's font, the preset amounts beside the keypad on a landscape kiosk, typed
 * money with two decimals, the load just made in the account history, a grey card's load disabled
 * with its reason, history pages, and the idle countdown (on the page's own clock) ending with "take
 * your card out".
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { demo, openKiosk } from './kiosk-helpers.ts';

const SIZES = [
  { name: 'landscape', width: 1280, height: 800 },
  { name: 'portrait', width: 800, height: 1280 },
] as const;
type Size = (typeof SIZES)[number];

/** What the walk presses, in each language. */
const WORDS = {
  zh: {
    ok: '确认',
    back: '返回',
    load: '圈存',
    history: '交易明细',
    changePin: '修改密码',
    finish: '结束并退卡',
    pull: '拔出卡',
    pin: '请输入密码',
    hello: /您好/,
    loading: /^正在圈存 ¥100\.00/,
    loaded: '圈存成功',
    other: '其他金额（元）',
    accountTable: '账户明细',
    greyReason: /^灰卡：.*加油机/,
    secondsLeft: /^\d+ 秒后将结束本次服务$/,
    continue: '继续办理',
    takeOut: '请取出您的加油卡',
    insert: '请插入您的加油卡',
    older: /较早/,
    pageOne: '第 1/3 页',
    pageTwo: '第 2/3 页',
  },
  en: {
    ok: 'OK',
    back: 'Back',
    load: 'Load money onto the card',
    history: 'History',
    changePin: 'Change PIN',
    finish: 'Finish and take card',
    pull: 'Pull card',
    pin: 'Enter your PIN',
    hello: /Hello/,
    loading: /^Loading ¥100\.00/,
    loaded: 'Loaded',
    other: 'Other amount (yuan)',
    accountTable: 'Account',
    greyReason: /^Grey card: .* pump/,
    secondsLeft: /^This session ends in \d+ s$/,
    continue: 'Continue',
    takeOut: 'Please take your card out',
    insert: 'Please insert your fuel card',
    older: /Older/,
    pageOne: 'Page 1 of 3',
    pageTwo: 'Page 2 of 3',
  },
} as const;
type Language = keyof typeof WORDS;

const SHOTS_DIR = process.env.SHOTS_DIR;
const LOAD_INITIALISE = '**/api/v1/loads/initialise';
const CARD_HISTORY = '**/api/v1/cards/*/history';

/** A card history (server/contract/cards.ts CardHistory) of 12 allocations to a sub card's reserve, newest first. */
function manyAllocations(url: string) {
  const cardNo = /cards\/(\d{20})\/history/.exec(url)?.[1];
  const at = (i: number) => new Date(Date.UTC(2026, 11, 7, 3, 39) - i * 86_400_000).toISOString();
  const movements = Array.from({ length: 12 }, (_, i) => ({
    transferId: randomUUID(),
    at: at(i),
    kind: 'preallocation',
    account: 'RESERVE',
    amountFen: 123_456_00,
    state: 'posted',
  }));
  return { cardNo, limit: 50, movements };
}

/** src/kiosk/controller.ts KIOSK_IDLE_TIMEOUT_MS and KIOSK_IDLE_WARNING_MS. */
const IDLE_TIMEOUT_MS = 60_000;
const IDLE_UNTIL_WARNING_MS = IDLE_TIMEOUT_MS - 15_000;

/** The page has nothing to scroll, down or across; with SHOTS_DIR set, a screenshot of it. */
async function expectFits(page: Page, where: string): Promise<void> {
  // Fonts and layout settle before measuring.
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
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
    await page.screenshot({ path: join(SHOTS_DIR, `${where}.png`) });
  }
}

async function typeOnKeypad(page: Page, keypadName: string | RegExp, keys: string, ok: string): Promise<void> {
  const keypad = page.getByRole('group', { name: keypadName });
  for (const key of keys) await keypad.getByRole('button', { name: key, exact: true }).click();
  if (ok) await keypad.getByRole('button', { name: ok }).click();
}

/** How many lines the element's text takes. */
async function lineCount(locator: Locator): Promise<number> {
  return locator.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  });
}

async function insert(page: Page, label: RegExp): Promise<void> {
  await demo(page).getByRole('button', { name: label }).click();
}

async function pull(page: Page, words: (typeof WORDS)[Language]): Promise<void> {
  await demo(page).getByRole('button', { name: words.pull }).click();
}

async function walk(page: Page, size: Size, language: Language): Promise<void> {
  const words = WORDS[language];
  const at = (screen: string) => `${size.name}-${language}-${screen}`;
  await page.setViewportSize({ width: size.width, height: size.height });
  // The page's clock, so the walk can skip to the idle countdown instead of waiting a minute.
  await page.clock.install();
  await openKiosk(page);
  if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
  await expectFits(page, at('01-start'));

  await insert(page, /记名卡 张伟/);
  await expect(page.getByRole('heading', { name: words.pin })).toBeVisible();
  await expectFits(page, at('02-pin'));
  await typeOnKeypad(page, words.pin, '123456', words.ok);
  await expect(page.getByRole('heading', { name: words.hello })).toBeVisible();
  expect(await lineCount(page.getByRole('button', { name: words.load, exact: true })), 'the load button is one line').toBe(1);
  // Buttons are in the page's font, not the browser's own for controls.
  const fontOf = (locator: Locator) => locator.evaluate((element) => getComputedStyle(element).fontFamily);
  expect(await fontOf(page.getByRole('button', { name: words.history }))).toBe(await fontOf(page.locator('body')));
  await expectFits(page, at('03-home'));

  await page.getByRole('button', { name: words.history }).click();
  await expect(page.getByRole('heading', { name: words.history })).toBeVisible();
  await expectFits(page, at('04-history'));
  await page.getByRole('button', { name: words.back }).click();

  await page.getByRole('button', { name: words.load, exact: true }).click();
  await expect(page.getByRole('group', { name: words.other })).toBeVisible();
  if (size.name === 'landscape') {
    // The preset amounts beside the keypad, not above it.
    const preset = await page.getByRole('button', { name: '¥100.00' }).boundingBox();
    const keypad = await page.getByRole('group', { name: words.other }).boundingBox();
    expect(preset!.x + preset!.width).toBeLessThan(keypad!.x);
  }
  await expectFits(page, at('05-load'));
  // Money as money: ¥0.00 before anything is typed, two decimals while typing.
  const typed = page.locator('output#load-other');
  await expect(typed).toHaveText('¥0.00');
  await typeOnKeypad(page, words.other, '12.5', '');
  await expect(typed).toHaveText('¥12.50');
  await expectFits(page, at('06-load-typed'));
  // The load screen's progress, held while the server is asked, to be measured too.
  let answer = (): void => {};
  const held = new Promise<void>((resolve) => (answer = resolve));
  await page.route(
    LOAD_INITIALISE,
    async (route) => {
      await held;
      await route.continue();
    },
    { times: 1 },
  );
  await page.getByRole('button', { name: '¥100.00' }).click();
  await expect(page.getByRole('heading', { name: words.loading })).toBeVisible();
  await expectFits(page, at('07-loading'));
  answer();
  await expect(page.getByRole('heading', { name: words.loaded })).toBeVisible({ timeout: 20_000 });
  await expectFits(page, at('07-receipt'));
  await page.getByRole('button', { name: words.back }).click();

  await page.getByRole('button', { name: words.history }).click();
  await expect(page.getByRole('heading', { name: words.history })).toBeVisible();
  // The account is asked again after the load: the load just made is in its movements.
  await expect(page.getByRole('table', { name: words.accountTable }).getByRole('row').nth(1)).toContainText('-¥100.00');
  await expectFits(page, at('08-history-after-load'));
  await page.getByRole('button', { name: words.back }).click();

  await page.getByRole('button', { name: words.changePin }).click();
  await expectFits(page, at('09-change-pin'));
  await page.getByRole('button', { name: language === 'zh' ? '取消' : 'Cancel' }).click();

  await page.getByRole('button', { name: words.finish }).click();
  await expectFits(page, at('10-finished'));
  await pull(page, words);

  await insert(page, /灰卡/);
  await typeOnKeypad(page, words.pin, '123456', words.ok);
  await expect(page.getByRole('heading', { name: words.hello })).toBeVisible();
  await expect(page.getByRole('button', { name: words.load, exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: words.load, exact: true })).toHaveAccessibleDescription(words.greyReason);
  await expectFits(page, at('11-home-grey'));
  await pull(page, words);

  await insert(page, /密码锁定/);
  await typeOnKeypad(page, words.pin, '123456', words.ok);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(language === 'zh' ? '密码已锁定' : 'PIN is blocked');
  await expectFits(page, at('12-refused-pin-blocked'));
  await pull(page, words);

  await insert(page, /过期卡/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(language === 'zh' ? '过期' : 'expired');
  await expectFits(page, at('13-refused-expired'));
  await pull(page, words);

  // A sub card whose unit allocated to it again and again: the longest words, and more movements
  // than one page holds (the server's answer stood in for, as the demo has no such history).
  await page.route(CARD_HISTORY, (route) => route.fulfill({ json: manyAllocations(route.request().url()) }));
  await insert(page, /副卡 李娜/);
  await typeOnKeypad(page, words.pin, '123456', words.ok);
  await page.getByRole('button', { name: words.history }).click();
  const pager = page.getByRole('group', { name: words.accountTable });
  await expect(pager).toContainText(words.pageOne);
  await expectFits(page, at('13-history-pages'));
  await pager.getByRole('button', { name: words.older }).click();
  await expect(pager).toContainText(words.pageTwo);
  await expect(page.getByRole('table', { name: words.accountTable }).getByRole('row')).toHaveCount(1 + 5);
  await pull(page, words);
  await page.unroute(CARD_HISTORY);

  // Idle on the home screen: the last seconds are counted down, with a button to carry on.
  await insert(page, /记名卡 张伟/);
  await typeOnKeypad(page, words.pin, '123456', words.ok);
  await expect(page.getByRole('heading', { name: words.hello })).toBeVisible();
  await page.clock.runFor(IDLE_UNTIL_WARNING_MS);
  const countdown = page.getByRole('alertdialog');
  await expect(countdown.getByText(words.secondsLeft)).toBeVisible();
  await expectFits(page, at('14-idle-countdown'));
  await countdown.getByRole('button', { name: words.continue }).click();
  await expect(countdown).toBeHidden();
  await expect(page.getByRole('heading', { name: words.hello })).toBeVisible();
  // Left alone to the end, with the card still in: the start screen asks for it out.
  await page.clock.runFor(IDLE_TIMEOUT_MS + 1_000);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.takeOut);
  await expectFits(page, at('15-start-take-card-out'));
  await pull(page, words);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.insert);
}

// The held load request must be the page's own, not a service worker's.
test.use({ serviceWorkers: 'block' });

for (const size of SIZES) {
  for (const language of ['zh', 'en'] as const) {
    test(`every kiosk screen fits a ${size.width}×${size.height} kiosk in ${language === 'zh' ? 'Chinese' : 'English'} with nothing to scroll`, async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await walk(page, size, language);
    });
  }
}
