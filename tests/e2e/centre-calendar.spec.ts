/**
 * The working-day calendar at /centre (src/centre/CalendarScreen.svelte): the city's centre
 * operator (demo.center) reads 2026 as shipped from the State Council's notice (Spring Festival's
 * days off, its make-up Saturdays), enters a provincial holiday and puts it back, and is told in
 * words that a make-up working day must fall at a weekend. In Chinese at 1280×800 and English at
 * 800×1280, nothing to scroll, axe clean; with SHOTS_DIR set, a screenshot of each screen.
 */
import { checkScreen } from './staff-helpers.ts';
import { expect, test, type Page } from '@playwright/test';

const WORDS = {
  zh: {
    signInTitle: '中心操作员登录',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    signOut: '退出登录',
    tab: '工作日历',
    year: '年份',
    date: '日期',
    kind: '类别',
    name: '节日',
    source: '依据',
    holiday: '放假',
    workday: '调休上班',
    normal: '恢复正常（周一至周五上班）',
    save: '保存这一天',
    saved: '已保存 2026-12-31',
    weekdayRefused: '调休上班日只能是星期六或星期日',
    springSaturday: /2026-02-14/,
    days: '2026 年放假日与调休上班日',
  },
  en: {
    signInTitle: 'Centre operator sign-in',
    username: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    signOut: 'Sign out',
    tab: 'Working days',
    year: 'Year',
    date: 'Date',
    kind: 'Kind',
    name: 'Occasion',
    source: 'Source',
    holiday: 'Holiday',
    workday: 'Make-up working day',
    normal: 'Back to normal (Monday to Friday)',
    save: 'Save the day',
    saved: 'Saved 2026-12-31',
    weekdayRefused: 'A make-up working day must be a Saturday or a Sunday',
    springSaturday: /2026-02-14/,
    days: 'Holidays and make-up working days of 2026',
  },
} as const;

/** The shared screen check (axe, nothing to scroll, a picture with SHOTS_DIR set), named for this spec. */
const check = (page: Page, where: string): Promise<void> => checkScreen(page, `centre-calendar-${where}`);

const RUNS = [
  { lang: 'zh', width: 1280, height: 800 },
  { lang: 'en', width: 800, height: 1280 },
] as const;

for (const run of RUNS) {
  test(`the working-day calendar kept by a centre (${run.lang}, ${run.width}×${run.height})`, async ({ page }) => {
    const w = WORDS[run.lang];
    const where = (screen: string) => `${run.lang}-${run.width}x${run.height}-${screen}`;
    await page.setViewportSize({ width: run.width, height: run.height });
    await page.goto('/centre');
    if (run.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
    await page.getByLabel(w.username).fill('demo.center');
    await page.getByLabel(w.password, { exact: true }).fill('demo-password-123');
    await page.getByRole('button', { name: w.signIn, exact: true }).click();
    await expect(page.getByRole('button', { name: w.signOut })).toBeVisible();

    await page.getByRole('button', { name: w.tab, exact: true }).click();
    await page.getByLabel(w.year).fill('2026');
    const table = page.getByRole('region', { name: w.days });
    await expect(table.getByRole('rowheader', { name: w.springSaturday })).toBeVisible();
    await expect(table.getByRole('row', { name: w.springSaturday })).toContainText(w.workday);
    await expect(table.getByRole('row', { name: /2026-02-16/ })).toContainText(w.holiday);
    await check(page, where('2026'));

    // A make-up working day on a Wednesday: refused in words, nothing saved.
    await page.getByLabel(w.date).fill('2026-12-30');
    await page.getByLabel(w.kind).selectOption({ label: w.workday });
    await page.getByLabel(w.name).fill('调休');
    await page.getByLabel(w.source).fill('省政府通知');
    await page.getByRole('button', { name: w.save }).click();
    await expect(page.getByRole('alert')).toHaveText(w.weekdayRefused);
    await check(page, where('refused'));

    // A provincial holiday entered, then put back to the weekly rule.
    await page.getByLabel(w.date).fill('2026-12-31');
    await page.getByLabel(w.kind).selectOption({ label: w.holiday });
    await page.getByRole('button', { name: w.save }).click();
    await expect(page.getByText(w.saved)).toBeVisible();
    await expect(table.getByRole('row', { name: /2026-12-31/ })).toContainText('省政府通知');
    await check(page, where('saved'));
    await page.getByLabel(w.kind).selectOption({ label: w.normal });
    await page.getByRole('button', { name: w.save }).click();
    await expect(page.getByText(w.saved)).toBeVisible();
    await expect(table.getByRole('row', { name: /2026-12-31/ })).toHaveCount(0);
  });
}
