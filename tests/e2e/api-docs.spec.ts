/**
 * The API reference (/api/docs, server/http/api-docs.ts) in a real Chromium against the compiled
 * server: Swagger UI loads from this origin under the app's Content Security Policy (a refused
 * script or style would show in the console), draws every operation grouped by tag, and an
 * operation opens on its examples and error codes.
 */
import { expect, test } from '@playwright/test';

test('the API reference draws every operation by tag with no console error', async ({ page }) => {
  // Swagger UI's bundle is 1.5 MB of script to parse and a 36-operation document to lay out.
  test.setTimeout(180_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.setViewportSize({ width: 1280, height: 800 });
  // As many groups as the document has tags: the reference draws each.
  const document = (await (await page.request.get('/api/openapi.json')).json()) as { tags: unknown[] };
  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { name: /Fuel card sync server/ })).toBeVisible({ timeout: 60_000 });
  const tags = page.locator('.opblock-tag-section');
  await expect(tags).toHaveCount(document.tags.length);
  for (const tag of ['loads', 'sync', 'issue', 'stock', 'centre', 'anonymous', 'station-cards'])
    await expect(page.locator(`#operations-tag-${tag}`)).toBeVisible();
  expect(await page.locator('.opblock').count()).toBeGreaterThan(30);
  await page.screenshot({ path: 'test-results/api-docs-overview.png' });

  await page.locator('#operations-loads-loadInitialise .opblock-summary-control').click();
  const load = page.locator('#operations-loads-loadInitialise');
  await expect(load.getByText(/Who may call:/)).toBeVisible({ timeout: 30_000 });
  await expect(load.locator('.responses-wrapper')).toContainText('MAC1_INVALID');
  await expect(load.locator('.responses-wrapper')).toContainText('"mac2": "3E7A90C1"');
  // Read-only: no "Try it out".
  await expect(load.getByRole('button', { name: 'Try it out' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/api-docs-load.png' });
  expect(problems).toEqual([]);
});
