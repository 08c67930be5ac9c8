/**
 * Station cards (站内卡) at the centre console (/centre, src/centre/StationCardsScreen.svelte): the
 * demo city's centre operator issues an employee card (员工卡) from the city's stock to the demo
 * station through the centre's (virtual) reader, the holder's PIN typed twice; the card then stands
 * in the station's list as in use, and is withdrawn with a reason when the employee leaves. Refused
 * in words: the two PINs differing, and a card of another type in the reader than the one chosen.
 * Chinese at 1280×800 and English at 800×1280, every screen fitting with nothing to scroll and clean
 * under axe; with SHOTS_DIR set, a screenshot of each. Each run issues a demo employee card of its
 * own (employee1, employee2), since a card once issued stays issued on the server.
 */
import { checkScreen } from './staff-helpers.ts';
import { expect, test, type Page } from '@playwright/test';

/** server/demo/money.ts DEMO_OPERATOR_PASSWORD. */
const PASSWORD = 'demo-password-123';

const WORDS = {
  zh: {
    signInTitle: '中心操作员登录',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    signOut: '退出登录',
    tab: '站内卡',
    title: '站内卡发放',
    station: '加油站',
    employee: '员工卡',
    maintenance: '维修卡',
    holderName: '员工姓名',
    holderNumber: '工号',
    pin: '持卡人密码（4–6位数字）',
    pinAgain: '再次输入密码',
    submit: '写卡并发放',
    pinMismatch: '两次输入的密码不一致，请重新输入。',
    wrongCard: '读卡器中的卡不是所选卡种。',
    issued: (cardNo: string, holder: string) => `卡号 ${cardNo} 已发放给 ${holder}。`,
    inUse: '使用中',
    withdraw: '收回',
    reason: (cardNo: string) => `收回 ${cardNo} 的原因`,
    withdrawConfirm: '确认收回',
    withdrawn: (cardNo: string) => `卡号 ${cardNo} 已收回，将从本站白名单中删除。`,
    withdrawnState: '已收回（调往他站）',
    reasonText: '调往他站',
    holder: '王建国',
  },
  en: {
    signInTitle: 'Centre operator sign-in',
    username: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    signOut: 'Sign out',
    tab: 'Station cards',
    title: 'Station cards',
    station: 'Station',
    employee: 'Employee card 员工卡',
    maintenance: 'Maintenance card 维修卡',
    holderName: "Employee's name",
    holderNumber: 'Staff number',
    pin: "Holder's PIN (4–6 digits)",
    pinAgain: 'PIN again',
    submit: 'Write and issue the card',
    pinMismatch: 'The two PINs differ: enter the same PIN twice.',
    wrongCard: 'The card in the reader is not of the type chosen.',
    issued: (cardNo: string, holder: string) => `Card ${cardNo} issued to ${holder}.`,
    inUse: 'In use',
    withdraw: 'Withdraw',
    reason: (cardNo: string) => `Reason for withdrawing ${cardNo}`,
    withdrawConfirm: 'Withdraw the card',
    withdrawn: (cardNo: string) => `Card ${cardNo} withdrawn: it leaves the station's white list.`,
    withdrawnState: 'Withdrawn (moved to another station)',
    reasonText: 'moved to another station',
    holder: 'Wang Jianguo',
  },
} as const;
type Words = (typeof WORDS)[keyof typeof WORDS];

/** ccid/sim/demo/station-stock.ts: employee cards (type 04) from serial 210,000,001, key version 1, province 32. */
const employeeCardNo = (n: 1 | 2) => `01000413200${String(210_000_000 + n).padStart(9, '0')}`;

/** The shared screen check (axe, nothing to scroll, a picture with SHOTS_DIR set), named for this spec. */
const check = (page: Page, where: string): Promise<void> => checkScreen(page, `centre-station-${where}`);

async function signIn(page: Page, w: Words): Promise<void> {
  await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible({ timeout: 30_000 });
  await page.getByLabel(w.username).fill('demo.center');
  await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: w.signIn, exact: true }).click();
  await expect(page.getByRole('button', { name: w.signOut })).toBeVisible();
}

async function fillHolder(page: Page, w: Words, pin: string, pinAgain: string): Promise<void> {
  await page.getByLabel(w.holderName).fill(w.holder);
  await page.getByLabel(w.holderNumber).fill('E0721');
  await page.getByLabel(w.pin, { exact: true }).fill(pin);
  await page.getByLabel(w.pinAgain, { exact: true }).fill(pinAgain);
}

const RUNS = [
  { lang: 'zh', width: 1280, height: 800, card: 1 },
  { lang: 'en', width: 800, height: 1280, card: 2 },
] as const;

for (const run of RUNS) {
  test(`a centre issues an employee card to a station and withdraws it (${run.lang}, ${run.width}×${run.height})`, async ({ page }) => {
    test.setTimeout(120_000);
    const w = WORDS[run.lang];
    const where = (screen: string) => `${run.lang}-${run.width}x${run.height}-${screen}`;
    const cardNo = employeeCardNo(run.card);
    await page.setViewportSize({ width: run.width, height: run.height });
    await page.goto('/centre');
    if (run.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await signIn(page, w);
    await page.getByRole('button', { name: w.tab, exact: true }).click();
    await expect(page.getByRole('heading', { name: w.title, exact: true })).toBeVisible();
    // The demo city has one station: chosen already.
    await expect(page.getByRole('combobox', { name: new RegExp(`^${w.station}`) })).not.toHaveValue('');
    await page.getByRole('radio', { name: w.employee }).check();

    // The two PINs differ: the button stays off until they agree (the form says nothing was written).
    await fillHolder(page, w, '246810', '246811');
    const submit = page.getByRole('button', { name: w.submit });
    await expect(submit).toBeDisabled();

    // A card of another type in the reader than the one chosen: refused in words, nothing issued.
    // (What was typed stays when the type changes; only the labels change.)
    await page.getByRole('button', { name: new RegExp(`^员工卡${run.card} Employee ${run.card}$`) }).click();
    await page.getByLabel(w.pinAgain, { exact: true }).fill('246810');
    await page.getByRole('radio', { name: w.maintenance }).check();
    await page.getByRole('button', { name: w.submit }).click();
    await expect(page.getByRole('alert')).toHaveText(w.wrongCard, { timeout: 20_000 });
    await check(page, where('wrong-card'));

    // The employee card chosen: written, issued, listed as in use.
    await page.getByRole('radio', { name: w.employee }).check();
    await expect(page.getByLabel(w.holderName)).toHaveValue(w.holder);
    await page.getByRole('button', { name: w.submit }).click();
    await expect(page.getByRole('status').filter({ hasText: w.issued(cardNo, w.holder) })).toBeVisible({ timeout: 30_000 });
    const row = page.getByRole('row').filter({ hasText: cardNo });
    await expect(row).toContainText(w.inUse);
    await expect(row).toContainText(`${w.holder} · E0721`);
    await check(page, where('issued'));

    // Withdrawn when the employee leaves: with a reason, and the list says so.
    await row.getByRole('button', { name: w.withdraw, exact: true }).click();
    await page.getByLabel(w.reason(cardNo)).fill(w.reasonText);
    await check(page, where('withdraw'));
    await page.getByRole('button', { name: w.withdrawConfirm }).click();
    await expect(page.getByRole('status').filter({ hasText: w.withdrawn(cardNo) })).toBeVisible();
    await expect(row).toContainText(w.withdrawnState);
    await expect(row.getByRole('button', { name: w.withdraw, exact: true })).toHaveCount(0);

    // The same card again: the server knows it was issued, so nothing is written twice.
    await page.getByRole('button', { name: new RegExp(`^员工卡${run.card} Employee ${run.card}$`) }).click();
    await fillHolder(page, w, '246810', '246810');
    await page.getByRole('button', { name: w.submit }).click();
    await expect(page.getByRole('alert')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole('row').filter({ hasText: cardNo })).toHaveCount(1);
  });
}
