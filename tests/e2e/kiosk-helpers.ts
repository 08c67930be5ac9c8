/**
 * What the kiosk end-to-end specs share: a customer's hands (insert and pull demo cards, type the
 * PIN on the on-screen keypad), the figures on screen, the demo hooks that pull a card at a precise
 * moment of a command, and the server's own view of a card's accounts (read as the demo
 * administrator), so a test counts the money on the card, on screen and in the ledger.
 */
import { expect, type Page } from '@playwright/test';
import { signAsDevice } from '../../server/testing/device-signing.ts';
import { CONTRACT_VERSION } from '../../server/contract/version.ts';

const DEMO_ADMIN = { username: 'demo.admin', password: 'demo-password-123' };

export const START_HEADING = '请插入您的加油卡';

/** The demo strip (an aside named 演示控制 / Demo controls). */
export function demo(page: Page) {
  return page.getByRole('complementary', { name: /演示控制|Demo controls/ });
}

export async function openKiosk(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/读卡器就绪/)).toBeVisible();
}

export async function insert(page: Page, label: RegExp): Promise<void> {
  await demo(page).getByRole('button', { name: label }).click();
}

export async function typePin(page: Page, pin: string): Promise<void> {
  const keypad = page.getByRole('group', { name: '请输入密码' });
  for (const digit of pin) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: '确认' }).click();
}

/** Inserts the card, types the demo PIN and waits for the home screen. */
export async function signIn(page: Page, label: RegExp = /记名卡 张伟/): Promise<void> {
  await insert(page, label);
  await typePin(page, '123456');
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible({ timeout: 20_000 });
}

export async function pull(page: Page): Promise<void> {
  await demo(page).getByRole('button', { name: '拔出卡' }).click();
  await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible();
}

/** A figure on screen (¥1,234.56) in fen. */
export async function money(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Math.round(Number(text.replace(/[¥,]/g, '')) * 100);
}

/** The status bar in the page's banner: online or offline, and the outbox's length. */
export function statusBar(page: Page) {
  return page.getByRole('banner').getByRole('status');
}

/** The outbox has drained: the status bar no longer shows a queue (正在上传 N 笔记录, or 待同步 N 笔 when stuck). */
export async function expectQueueDrained(page: Page, timeoutMs = 60_000): Promise<void> {
  await expect(statusBar(page).getByTestId('outbox-queue')).toHaveCount(0, { timeout: timeoutMs });
}

export type ChipFacts = { cardNo: string; balanceFen: number; onlineTtc: number };

/**
 * What the demo card itself holds (src/lib/demo/demo-usb.ts, demo mode only), its number included:
 * each browser's demo kiosk has cards of its own, numbered from the serial base the server gave it.
 */
export async function chip(page: Page, id: string): Promise<ChipFacts> {
  return page.evaluate(
    (cardId) => (globalThis as unknown as { __fuelcardDemoCards: { facts(id: string): ChipFacts } }).__fuelcardDemoCards.facts(cardId),
    id,
  );
}

export type CardAccounts = {
  purseFen: number;
  pursePendingFen: number;
  waitingFen: number;
  waitingPendingFen: number;
  onlineTtcSeen: number | null;
};

type Summary = {
  onlineTtcSeen: number | null;
  role: string;
  accounts: Array<{ code: string; balanceFen: number; availableFen: number; pendingFen: number }>;
};

/** The server's ledger for one card and a sound-ledger check, as the demo administrator sees them. */
export class ServerView {
  #token: string | null = null;
  constructor(readonly baseUrl: string) {}

  async #authorisation(): Promise<string> {
    if (this.#token === null) {
      const response = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(DEMO_ADMIN),
      });
      expect(response.status).toBe(200);
      this.#token = ((await response.json()) as { token: string }).token;
    }
    return `Bearer ${this.#token}`;
  }

  async card(cardNo: string): Promise<CardAccounts> {
    const response = await fetch(`${this.baseUrl}/api/v1/cards/${cardNo}`, { headers: { authorization: await this.#authorisation() } });
    expect(response.status).toBe(200);
    const summary = (await response.json()) as Summary;
    const account = (code: string) => summary.accounts.find((a) => a.code === code);
    const purse = account('PURSE');
    const waiting = account(summary.role === 'sub' ? 'RESERVE' : 'QUOTA');
    return {
      purseFen: purse?.balanceFen ?? 0,
      pursePendingFen: purse?.pendingFen ?? 0,
      waitingFen: waiting?.availableFen ?? 0,
      waitingPendingFen: waiting?.pendingFen ?? 0,
      onlineTtcSeen: summary.onlineTtcSeen,
    };
  }

  async ledgerSound(): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/api/v1/admin/ledger/check`, { headers: { authorization: await this.#authorisation() } });
    expect(response.status).toBe(200);
    const check = (await response.json()) as { ledgerSound: boolean; auditSound: boolean };
    return check.ledgerSound && check.auditSound;
  }
}

export type DeviceState = {
  identity: { deviceId: string; secret: string } | null;
  outbox: Array<{ id: string; seq: number; type: string; status: string; attemptCount: number }>;
};

/** The kiosk's IndexedDB (src/lib/device-db/database.ts): its credentials and its outbox, read as they are. */
export async function deviceState(page: Page): Promise<DeviceState> {
  return page.evaluate(
    () =>
      new Promise<DeviceState>((resolve, reject) => {
        const open = indexedDB.open('fuelcard-device');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['settings', 'outbox'], 'readonly');
          const identity = tx.objectStore('settings').get('device.identity');
          const outbox = tx.objectStore('outbox').getAll();
          tx.oncomplete = () => {
            db.close();
            const records = outbox.result as DeviceState['outbox'];
            resolve({
              identity: (identity.result as { value: DeviceState['identity'] } | undefined)?.value ?? null,
              outbox: records
                .map(({ id, seq, type, status, attemptCount }) => ({ id, seq, type, status, attemptCount }))
                .sort((a, b) => a.seq - b.seq),
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** The last operation number the server applied for this device (its exactly-once counter). */
export async function serverLastSeq(baseUrl: string, identity: { deviceId: string; secret: string }): Promise<number> {
  // Signed as the kiosk signs (its secret read from its IndexedDB, deviceState).
  const body = JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [] });
  const authorization = signAsDevice({ ...identity, method: 'POST', url: '/api/v1/sync/pull', body, timestampMs: Date.now() });
  const response = await fetch(`${baseUrl}/api/v1/sync/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { lastSeq: number }).lastSeq;
}

/** The load amount the fault tests use, in fen. */
export const AMOUNT_FEN = 10_000;
/** CREDIT FOR LOAD's INS (docs/card-protocol.md §1.2). */
export const INS_CREDIT_FOR_LOAD = 0x52;
