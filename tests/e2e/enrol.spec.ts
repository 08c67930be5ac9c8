/**
 * Device enrolment on first start against a production-like server (issue 6): demo mode off, so
 * GET /api/v1/info gives no code away and the kiosk asks for the device id and the one-time code
 * an administrator issued. A wrong code is refused and stores nothing; the right one stores the
 * device's secret in IndexedDB, survives a reload, authenticates device calls, and cannot be used
 * again by another browser. The server (its own process, its own database) is shared by this file,
 * and is set up only through the product (non-demo-seed.ts): the first administrator from
 * `npm run admin`, the organisation units and the kiosk from the admin API, which issues the code.
 */
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import type { LocalServer } from './local-server.ts';
import { NON_DEMO, issueEnrolmentCode, startNonDemoServer } from './non-demo-server.ts';
import { START_HEADING, demo, deviceState, serverLastSeq, statusBar } from './kiosk-helpers.ts';
import { signAsDevice } from '../../server/testing/device-signing.ts';
import { CONTRACT_VERSION } from '../../server/contract/version.ts';

test.describe.configure({ timeout: 180_000 });

const ENROL_HEADING = '终端注册';
const WRONG_CODE = 'not-the-code-1234';
/** The refusal of a wrong, used or expired code says what to do: ask the administrator for a new one. */
const CODE_REFUSED = '向管理员索取新的注册码';

let server: LocalServer;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startNonDemoServer();
});
test.afterAll(async () => {
  await server?.stop();
});

async function openEnrolScreen(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: ENROL_HEADING })).toBeVisible({ timeout: 30_000 });
}

async function submitEnrolment(page: Page, deviceId: string, code: string): Promise<void> {
  await page.getByRole('textbox', { name: '终端编号' }).fill(deviceId);
  await page.getByRole('textbox', { name: '注册码' }).fill(code);
  await page.getByRole('button', { name: '注册', exact: true }).click();
}

/** A device-authenticated call (the offline-data pull) with the given credentials: its HTTP status. */
async function pullStatus(identity: { deviceId: string; secret: string }): Promise<number> {
  const body = JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [] });
  const authorization = signAsDevice({ ...identity, method: 'POST', url: '/api/v1/sync/pull', body, timestampMs: Date.now() });
  const response = await fetch(`${server.url}/api/v1/sync/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body,
  });
  return response.status;
}

test('a non-demo server makes no demo kiosk and gives no enrolment code away, and its kiosk has no demo reader or demo strip', async ({
  page,
}) => {
  const info = (await (await fetch(`${server.url}/api/v1/info`)).json()) as { demo: boolean };
  expect(info).toEqual({ demo: false, contractVersion: 7 });
  const demoKiosk = await fetch(`${server.url}/api/v1/demo/kiosks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(demoKiosk.status).toBe(404);
  await openEnrolScreen(page);
  await expect(page.getByRole('textbox', { name: '终端编号' })).toHaveValue('');
  await expect(page.getByRole('textbox', { name: '注册码' })).toHaveValue('');
  await expect(demo(page)).toHaveCount(0);
  expect((await deviceState(page)).identity).toBeNull();
});

test('an unreachable server and an unexpected answer are explained in Chinese, the unexpected one with its code in small print', async ({
  page,
}) => {
  await openEnrolScreen(page);
  await page.route('**/api/v1/devices/enrol', (route) => route.abort('connectionrefused'));
  await submitEnrolment(page, NON_DEMO.device.id, WRONG_CODE);
  await expect(page.getByRole('alert')).toContainText('无法连接中心服务器');
  await expect(page.getByRole('alert')).toContainText('检查服务器地址和网络连接');
  await expect(page.getByRole('alert')).not.toContainText('NETWORK');

  await page.unroute('**/api/v1/devices/enrol');
  await page.route('**/api/v1/devices/enrol', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'busy' } }),
    }),
  );
  await submitEnrolment(page, NON_DEMO.device.id, WRONG_CODE);
  await expect(page.getByRole('alert')).toContainText('请联系管理员');
  await expect(page.getByRole('alert')).toContainText('故障代码：UNAVAILABLE');
  expect((await deviceState(page)).identity).toBeNull();
});

test('a kiosk served over plain HTTP from another machine sends no code, and says to use HTTPS, in Chinese and English', async ({
  page,
}) => {
  // The same server under a name that is not this machine, as a kiosk on the station network would reach it.
  const enrolments: string[] = [];
  await page.route('http://fuelcard-station.test/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/api/v1/devices/enrol') enrolments.push(url.pathname);
    await route.fulfill({ response: await route.fetch({ url: `${server.url}${url.pathname}${url.search}` }) });
  });
  await page.goto('http://fuelcard-station.test/');
  await expect(page.getByRole('heading', { name: ENROL_HEADING })).toBeVisible({ timeout: 30_000 });
  await submitEnrolment(page, NON_DEMO.device.id, WRONG_CODE);
  await expect(page.getByRole('alert')).toContainText('只能通过 HTTPS 连接中心服务器');
  await expect(page.getByRole('alert')).toContainText('https://');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('alert')).toContainText('the central server is reached over HTTPS only');
  expect(enrolments, 'the enrolment code never left the kiosk').toEqual([]);
  expect((await deviceState(page)).identity).toBeNull();
});

test('the enrolment screen, with a refusal on it, has no accessibility violations in English', async ({ page }) => {
  await openEnrolScreen(page);
  await submitEnrolment(page, NON_DEMO.device.id, WRONG_CODE);
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Register this kiosk' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('alert')).toContainText('Registration failed');
  await expect(page.getByRole('alert')).toContainText('ask your administrator for a new code');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
});

test('a kiosk enrolled with the administrator’s code keeps its secret across a reload, authenticates with it, and the code works only once', async ({
  page,
  browser,
}) => {
  const code = await issueEnrolmentCode(server.url);
  await openEnrolScreen(page);

  // A wrong code: refused in Chinese, nothing stored, and the right code is not used up by it.
  await submitEnrolment(page, NON_DEMO.device.id, WRONG_CODE);
  await expect(page.getByRole('alert')).toContainText('注册失败');
  await expect(page.getByRole('alert')).toContainText(CODE_REFUSED);
  await expect(page.getByRole('alert')).not.toContainText('ENROLMENT_FAILED');
  await expect(page.getByRole('heading', { name: ENROL_HEADING })).toBeVisible();
  expect((await deviceState(page)).identity).toBeNull();

  // The right code: the start screen, the secret in IndexedDB (and nowhere in localStorage).
  await submitEnrolment(page, NON_DEMO.device.id, code);
  await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('未连接读卡器')).toBeVisible();
  await expect(statusBar(page)).toContainText('已联网');
  const identity = (await deviceState(page)).identity;
  expect(identity?.deviceId).toBe(NON_DEMO.device.id);
  expect(identity?.secret.length ?? 0).toBeGreaterThanOrEqual(32);
  const localStorageText = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(localStorageText).not.toContain(identity!.secret);

  // The stored secret authenticates a device call; a wrong one does not.
  expect(await serverLastSeq(server.url, identity!)).toBe(0);
  expect(await pullStatus({ deviceId: identity!.deviceId, secret: `${identity!.secret.slice(0, -4)}AAAA` })).toBe(401);

  // A reload goes straight to the start screen with the same credentials.
  await page.reload();
  await expect(page.getByRole('heading', { name: START_HEADING })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { name: ENROL_HEADING })).toHaveCount(0);
  expect((await deviceState(page)).identity).toEqual(identity);

  // Another browser with the same code is refused, stores nothing, and the first kiosk still works.
  const other = await browser.newContext({ locale: 'zh-CN' });
  try {
    const otherPage = await other.newPage();
    await openEnrolScreen(otherPage);
    await submitEnrolment(otherPage, NON_DEMO.device.id, code);
    await expect(otherPage.getByRole('alert')).toContainText(CODE_REFUSED);
    expect((await deviceState(otherPage)).identity).toBeNull();
  } finally {
    await other.close();
  }
  expect(await pullStatus(identity!)).toBe(200);
});
