/**
 * The card pulled at each step of a load (docs/ledger.md "A load, step by step"), then inserted
 * again: the customer is told what happened, and the money is counted exactly once on the card, on
 * the kiosk's screen and in the server's ledger. Each test has a server and a database of its own,
 * so the ledger it counts is touched by nobody else. The pulls are made by the virtual reader's
 * fault script (a card pulled while a command runs) and by the demo card's power loss (before or
 * after its write), the way a hand pulls a real card; one is timed on the request to the server.
 */
import { expect, test, type Page } from '@playwright/test';
import { LocalServer } from './local-server.ts';
import {
  AMOUNT_FEN,
  INS_CREDIT_FOR_LOAD,
  ServerView,
  START_HEADING,
  chip,
  expectQueueDrained,
  money,
  openKiosk,
  pull,
  signIn,
} from './kiosk-helpers.ts';

// Request interception below must see the page's own fetches, not a service worker's.
test.use({ serviceWorkers: 'block' });
test.describe.configure({ timeout: 180_000 });

let server: LocalServer;
test.beforeEach(async () => {
  server = await LocalServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

type Before = { cardFen: number; waitingFen: number };

async function homeFigures(page: Page): Promise<Before> {
  return { cardFen: await money(page, 'card-balance'), waitingFen: await money(page, 'waiting') };
}

async function addReaderFault(page: Page, index: number): Promise<void> {
  await page.evaluate((i) => {
    const usb = (globalThis as unknown as { __fuelcardVirtualUsb: { addFault(rule: unknown): void } }).__fuelcardVirtualUsb;
    usb.addFault({ command: 'XfrBlock', index: i, fault: { kind: 'removeCard' } });
  }, index);
}

async function armPowerLoss(page: Page, when: 'before-write' | 'after-write', ins: number): Promise<void> {
  await page.evaluate(
    ({ w, i }) =>
      (globalThis as unknown as { __fuelcardDemoCards: { failNext(id: string, fault: unknown): void } }).__fuelcardDemoCards.failNext(
        'named',
        { when: w, ins: i },
      ),
    { w: when, i: ins },
  );
}

async function startLoad(page: Page): Promise<void> {
  await page.getByRole('button', { name: '圈存', exact: true }).click();
  await page.getByRole('button', { name: '¥100.00' }).click();
}

/** The load was cut: back at the start, told the money is safe and will be checked at the next insertion. */
async function expectToldInterrupted(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: '圈存过程中卡被拔出' })).toBeVisible();
}

/** The card again: the kiosk settles the load from the card's counter and says how it ended. */
async function insertAgain(page: Page, told: RegExp | null): Promise<Before> {
  await signIn(page);
  if (told) await expect(page.getByRole('main').getByRole('status').filter({ hasText: told })).toBeVisible();
  else
    await expect(
      page
        .getByRole('main')
        .getByRole('status')
        .filter({ hasText: /中断的圈存/ }),
    ).toHaveCount(0);
  return homeFigures(page);
}

/** Exactly once: the card, the kiosk's screen and the ledger agree, nothing is left pending. */
async function expectCountedOnce(page: Page, before: Before, after: Before, loaded: boolean): Promise<void> {
  const moved = loaded ? AMOUNT_FEN : 0;
  expect(after.cardFen).toBe(before.cardFen + moved);
  expect((await chip(page, 'named')).balanceFen).toBe(before.cardFen + moved);
  expect(after.waitingFen).toBe(before.waitingFen - moved);
  await expectQueueDrained(page);
  const ledger = new ServerView(server.url);
  await expect
    .poll(async () => ledger.card((await chip(page, 'named')).cardNo), { timeout: 30_000 })
    .toMatchObject({ purseFen: before.cardFen + moved, pursePendingFen: 0, waitingFen: before.waitingFen - moved, waitingPendingFen: 0 });
  expect(await ledger.ledgerSound()).toBe(true);
  // Read once more: the server's own figures on screen agree too.
  await pull(page);
  const again = await insertAgain(page, null);
  expect(again).toEqual({ cardFen: before.cardFen + moved, waitingFen: before.waitingFen - moved });
}

test('a card pulled before INITIALIZE FOR LOAD answers: nothing happened anywhere, and the customer is told', async ({ page }) => {
  await openKiosk(page, server.url);
  await signIn(page);
  const before = await homeFigures(page);
  const counterBefore = (await chip(page, 'named')).onlineTtc;
  await addReaderFault(page, 0); // the next command the reader carries is INITIALIZE FOR LOAD
  await startLoad(page);
  await expectToldInterrupted(page);
  const after = await insertAgain(page, null);
  expect((await chip(page, 'named')).onlineTtc).toBe(counterBefore);
  await expectCountedOnce(page, before, after, false);
});

test('a card pulled after INITIALIZE while the server reserves the money: the reservation is released at the next insertion', async ({
  page,
}) => {
  await openKiosk(page, server.url);
  await signIn(page);
  const before = await homeFigures(page);
  // The card leaves while the load request is on its way; the server still reserves and answers MAC2.
  await page.route('**/api/v1/loads/initialise', async (route) => {
    await page.evaluate(() =>
      (globalThis as unknown as { __fuelcardVirtualUsb: { removeCard(): void } }).__fuelcardVirtualUsb.removeCard(),
    );
    await route.continue();
  });
  await startLoad(page);
  await expectToldInterrupted(page);
  await page.unrouteAll({ behavior: 'wait' });
  const ledger = new ServerView(server.url);
  await expect.poll(async () => (await ledger.card((await chip(page, 'named')).cardNo)).waitingPendingFen, { timeout: 30_000 }).not.toBe(0);
  const after = await insertAgain(page, /上次中断的圈存 ¥100\.00 未写入卡内，款项已退回账户/);
  await expectCountedOnce(page, before, after, false);
});

test('a card pulled after MAC2 as CREDIT FOR LOAD is sent: the load did not happen and is voided on the card’s word', async ({ page }) => {
  await openKiosk(page, server.url);
  await signIn(page);
  const before = await homeFigures(page);
  await addReaderFault(page, 1); // 0: INITIALIZE FOR LOAD, 1: CREDIT FOR LOAD
  await startLoad(page);
  await expectToldInterrupted(page);
  const after = await insertAgain(page, /上次中断的圈存 ¥100\.00 未写入卡内，款项已退回账户/);
  await expectCountedOnce(page, before, after, false);
});

test('a card that loses power during CREDIT FOR LOAD before its write: the load is voided once', async ({ page }) => {
  await openKiosk(page, server.url);
  await signIn(page);
  const before = await homeFigures(page);
  await armPowerLoss(page, 'before-write', INS_CREDIT_FOR_LOAD);
  await startLoad(page);
  await expectToldInterrupted(page);
  const after = await insertAgain(page, /上次中断的圈存 ¥100\.00 未写入卡内，款项已退回账户/);
  await expectCountedOnce(page, before, after, false);
});

test('a card that loses power during CREDIT FOR LOAD after its write: the load is proven by the card and posted once', async ({ page }) => {
  await openKiosk(page, server.url);
  await signIn(page);
  const before = await homeFigures(page);
  await armPowerLoss(page, 'after-write', INS_CREDIT_FOR_LOAD);
  await startLoad(page);
  await expectToldInterrupted(page);
  const after = await insertAgain(page, /上次中断的圈存 ¥100\.00 已确认写入卡内/);
  await expectCountedOnce(page, before, after, true);
});
