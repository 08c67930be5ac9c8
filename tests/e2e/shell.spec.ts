import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

test('the kiosk start screen loads offline once the service worker controls the page, in Chinese then English', async ({
  page,
  context,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });

  await context.setOffline(true);
  const serverReachable = await page.evaluate(() =>
    fetch('/healthz', { cache: 'no-store' }).then(
      () => true,
      () => false,
    ),
  );
  expect(serverReachable).toBe(false);

  await page.reload();
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  await expect(page.getByRole('banner').getByRole('status')).toContainText('离线');

  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Please insert your fuel card' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
});

test('the app starts and its service worker takes control under the server’s Content Security Policy, with no violation', async ({
  page,
}) => {
  // Violations are collected from the first script on, before the app's own code runs.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const consoleViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleViolations.push(message.text());
  });
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
  await page.reload();
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  expect(consoleViolations).toEqual([]);
});

test('the kiosk start screen has no accessibility violations and touch targets of at least 48 px', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '请插入您的加油卡' })).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  for (const button of await page.getByRole('button').all()) {
    const box = await button.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(48);
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(48);
  }
});

test('the server answers health checks and serves the web manifest with both icon sizes', async ({ request }) => {
  const health = await request.get('/healthz');
  expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });
  const manifest = await (await request.get('/manifest.webmanifest')).json();
  const sizes = manifest.icons.map((icon: { sizes: string; purpose: string }) => `${icon.sizes}/${icon.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(['192x192/maskable', '512x512/maskable', '192x192/any', '512x512/any']));
  for (const icon of manifest.icons as Array<{ src: string }>) expect((await request.get(icon.src)).status()).toBe(200);
});
