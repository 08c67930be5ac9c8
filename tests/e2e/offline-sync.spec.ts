/**
 * The kiosk without its server, and the outbox finding its way back (docs/architecture.md decisions
 * 4 and 6): started offline it still reads the card, shows the cached account with its age, queues
 * an inquiry and changes the PIN; reconnected, the queue drains and the server applies each
 * operation once, even when the page is reloaded mid-drain or the server is killed after applying a
 * batch whose answer never arrives. Each test has a server and a database of its own.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { LocalServer } from './local-server.ts';
import {
  START_HEADING,
  ServerView,
  chip,
  deviceState,
  expectQueueDrained,
  insert,
  money,
  openKiosk,
  pull,
  serverLastSeq,
  signIn,
  statusBar,
  typePin,
  AMOUNT_FEN,
  INS_CREDIT_FOR_LOAD,
} from './kiosk-helpers.ts';

test.describe.configure({ timeout: 240_000 });

let server: LocalServer;
test.beforeEach(async () => {
  server = await LocalServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

function mainStatus(page: Page, text: string | RegExp) {
  return page.getByRole('main').getByRole('status').filter({ hasText: text });
}

async function changePin(page: Page, oldPin: string, newPin: string): Promise<void> {
  await page.getByRole('button', { name: '修改密码' }).click();
  for (const pin of [oldPin, newPin, newPin]) {
    const keypad = page.getByRole('group').filter({ has: page.getByRole('button', { name: '确认' }) });
    for (const digit of pin) await keypad.getByRole('button', { name: digit, exact: true }).click();
    await keypad.getByRole('button', { name: '确认' }).click();
  }
  await expect(page.getByText('密码已修改')).toBeVisible();
}

/** Every operation the kiosk ever queued was applied, and the server's counter says each exactly once. */
async function expectEachAppliedOnce(page: Page, countMin: number): Promise<void> {
  // The outbox itself, not only the status bar: a drain may still be on its way.
  await expect
    .poll(async () => (await deviceState(page)).outbox.filter((op) => op.status === 'queued').length, { timeout: 90_000 })
    .toBe(0);
  const state = await deviceState(page);
  expect(state.identity).not.toBeNull();
  expect(state.outbox.length).toBeGreaterThanOrEqual(countMin);
  expect(state.outbox.map((op) => op.seq)).toEqual(state.outbox.map((_, i) => i + 1));
  expect(state.outbox.filter((op) => op.status !== 'applied')).toEqual([]);
  expect(await serverLastSeq(server.url, state.identity!)).toBe(state.outbox.length);
}

test('started offline, the kiosk reads the card, shows the cached account with its age, queues an inquiry and changes the PIN; reconnected, each is applied once', async ({
  page,
  context,
}) => {
  await openKiosk(page, server.url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  await signIn(page);
  const waitingOnline = await money(page, 'waiting');
  await pull(page);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
  await expect(statusBar(page)).toContainText('离线');
  await expect(page.getByText(/读卡器就绪/)).toBeVisible();
  await signIn(page);
  // The age in Chinese words (Intl.RelativeTimeFormat), no English units.
  await expect(page.getByText(/^离线：账户信息更新于\d+(秒钟|分钟)前$/)).toBeVisible();
  expect(await money(page, 'waiting')).toBe(waitingOnline);
  expect(await money(page, 'card-balance')).toBe((await chip(page, 'named')).balanceFen);

  // Loading needs the network: the button is disabled, the reason beside it.
  await expect(page.getByRole('button', { name: '圈存', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: '圈存', exact: true })).toHaveAccessibleDescription('圈存需要联网，当前离线');
  await page.getByRole('button', { name: '交易明细' }).click();
  await expect(page.getByText('当前离线，查询已排队，联网后自动获取')).toBeVisible();
  await expect(page.getByRole('table').first().getByRole('row')).not.toHaveCount(0);
  await expect(statusBar(page)).toContainText('待同步 1 笔');
  await page.getByRole('button', { name: '返回' }).click();
  await changePin(page, '123456', '135790');
  await pull(page);

  await context.setOffline(false);
  await expectQueueDrained(page);
  await expect(statusBar(page)).toContainText('已联网', { timeout: 60_000 });
  await expectEachAppliedOnce(page, 1);
  // The PIN changed offline is the card's PIN now.
  await insert(page, /记名卡 张伟/);
  await typePin(page, '135790');
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
  await expect(page.getByText(/账户信息更新于/)).toHaveCount(0);
  await pull(page);
});

test.describe('an outbox holding a load proven offline', () => {
  // Request interception below must see the page's own fetches, not a service worker's.
  test.use({ serviceWorkers: 'block' });

  type Before = { cardFen: number; waitingFen: number };

  /**
   * A load cut after the card wrote it, then the link goes down: at the next insertion the card
   * proves the load offline, and the proof waits in the outbox with a queued inquiry.
   */
  async function queueProvenLoadOffline(page: Page, context: BrowserContext): Promise<Before> {
    await openKiosk(page, server.url);
    await signIn(page);
    const before = { cardFen: await money(page, 'card-balance'), waitingFen: await money(page, 'waiting') };
    await page.evaluate(
      (ins) =>
        (globalThis as unknown as { __fuelcardDemoCards: { failNext(id: string, fault: unknown): void } }).__fuelcardDemoCards.failNext(
          'named',
          { when: 'after-write', ins },
        ),
      INS_CREDIT_FOR_LOAD,
    );
    await page.getByRole('button', { name: '圈存', exact: true }).click();
    await page.getByRole('button', { name: '¥100.00' }).click();
    await expect(mainStatus(page, '圈存过程中卡被拔出')).toBeVisible();
    await context.setOffline(true);
    await signIn(page);
    await expect(mainStatus(page, /上次中断的圈存 ¥100\.00 已确认写入卡内/)).toBeVisible();
    expect(await money(page, 'card-balance')).toBe(before.cardFen + AMOUNT_FEN);
    await page.getByRole('button', { name: '交易明细' }).click();
    await expect(page.getByText('当前离线，查询已排队，联网后自动获取')).toBeVisible();
    await page.getByRole('button', { name: '返回' }).click();
    await pull(page);
    await expect(statusBar(page)).toContainText('待同步 2 笔');
    return before;
  }

  async function expectLoadCountedOnce(page: Page, before: Before): Promise<void> {
    await expectEachAppliedOnce(page, 2);
    const state = await deviceState(page);
    // The batch was sent twice (its first answer was lost) and applied once.
    expect(state.outbox.find((op) => op.type === 'load.recover')?.attemptCount).toBeGreaterThanOrEqual(2);
    const ledger = new ServerView(server.url);
    await expect
      .poll(async () => ledger.card((await chip(page, 'named')).cardNo), { timeout: 30_000 })
      .toMatchObject({
        purseFen: before.cardFen + AMOUNT_FEN,
        pursePendingFen: 0,
        waitingFen: before.waitingFen - AMOUNT_FEN,
        waitingPendingFen: 0,
      });
    expect(await ledger.ledgerSound()).toBe(true);
    expect((await chip(page, 'named')).balanceFen).toBe(before.cardFen + AMOUNT_FEN);
    await signIn(page);
    expect(await money(page, 'card-balance')).toBe(before.cardFen + AMOUNT_FEN);
    expect(await money(page, 'waiting')).toBe(before.waitingFen - AMOUNT_FEN);
    await pull(page);
  }

  test('the page reloaded while the outbox drains: the batch is sent again and applied once', async ({ page, context }) => {
    const before = await queueProvenLoadOffline(page, context);
    let applied!: () => void;
    const appliedOnServer = new Promise<void>((resolve) => (applied = resolve));
    let reloaded!: () => void;
    const pageReloaded = new Promise<void>((resolve) => (reloaded = resolve));
    await page.route(
      '**/api/v1/sync/push',
      async (route) => {
        await route.fetch(); // the server applies the batch ...
        applied();
        await pageReloaded; // ... and its answer is lost with the page
        await route.abort('connectionreset').catch(() => {});
      },
      { times: 1 },
    );
    await context.setOffline(false);
    await appliedOnServer;
    await page.reload();
    reloaded();
    await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
    await expectQueueDrained(page, 90_000);
    await expectLoadCountedOnce(page, before);
  });

  test('the server killed mid-drain and started again: the queue waits, then drains, each operation applied once', async ({
    page,
    context,
  }) => {
    const before = await queueProvenLoadOffline(page, context);
    await page.route(
      '**/api/v1/sync/push',
      async (route) => {
        await route.fetch(); // the server applies the batch and dies before its answer leaves
        await server.kill('SIGKILL');
        await route.abort('connectionreset');
      },
      { times: 1 },
    );
    await context.setOffline(false);
    await expect.poll(() => server.running, { timeout: 60_000 }).toBe(false);
    // Online again: "being sent" for its first minute, "waiting" once it has not moved (queue-status.ts).
    await expect(statusBar(page)).toContainText(/待同步 2 笔|正在上传 2 笔记录/);
    await server.restart();
    await expectQueueDrained(page, 120_000);
    await expectLoadCountedOnce(page, before);
  });
});
