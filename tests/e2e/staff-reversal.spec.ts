/**
 * A supervisor's reversal (冲正) at the clerk's tablet, and the shift's list of money operations:
 * the clerk opens a shift and takes a cash receipt → the Shift screen lists it with its time, kind,
 * customer, amount and the totals by kind → the clerk asks for its reversal; the clerk's own
 * password is refused (only a supervisor reverses), the supervisor's is taken → the reversal slip
 * shows the amount in figures and capitals, the original's reference, the reason and who reversed
 * it → the list shows the receipt reversed, the drawer's expected cash has dropped by it (as the
 * server books it) → the shift-close slip lists the reversed receipt. Portrait in Chinese,
 * landscape in English; axe clean and nothing to scroll on every screen.
 */
import { expect, test, type Page } from '@playwright/test';
import { checkScreen, closeLeftoverShift, DEMO_OPERATOR, drawerFen, sessionOf } from './staff-helpers.ts';

const SUPERVISOR = { username: 'demo.supervisor', password: 'demo-password-123' };

const WORDS = {
  zh: {
    home: '网点业务',
    noShift: '未开班',
    shiftSince: '班次',
    shiftMenu: /^班次/,
    openTitle: '开班',
    float: '备用金',
    openConfirm: '确认开班',
    query: '姓名、证件号、卡号或电话',
    search: '查询',
    results: '查询结果',
    takeCash: '现金收取',
    amount: '金额（元）',
    confirmReceipt: '确认收款',
    receiptSlip: '现金收款凭条',
    done: '完成',
    closeTitle: '交班',
    operations: '本班业务',
    totals: '分类合计（不含已冲正）',
    cashKind: '现金收取',
    reversalKind: '冲正',
    reverse: '冲正 现金收取 ¥88.00',
    reversalTitle: '冲正',
    reason: '冲正原因',
    reasonText: '客户收款金额录错',
    username: '主管用户名',
    password: '主管密码',
    confirm: '确认冲正',
    notSupervisor: '只有网点主管可以冲正。',
    slip: '冲正凭条',
    reversedBy: '演示网点主管',
    reversed: '已冲正',
    expected: '钱箱应有',
    counted: '实点现金',
    note: /^备注/,
    closeConfirm: '确认交班',
    shiftSlip: '交班单',
    slipOperations: '本班业务明细',
    signOut: '退出登录',
  },
  en: {
    home: 'Outlet work',
    noShift: 'No shift open',
    shiftSince: 'Shift since',
    shiftMenu: /^Shift/,
    openTitle: 'Open a shift',
    float: 'Opening float',
    openConfirm: 'Open the shift',
    query: 'Name, ID number, card number or phone',
    search: 'Search',
    results: 'Results',
    takeCash: 'Take cash',
    amount: 'Amount (yuan)',
    confirmReceipt: 'Take the cash',
    receiptSlip: 'Cash receipt',
    done: 'Done',
    closeTitle: 'Close the shift',
    operations: "This shift's operations",
    totals: 'Totals by kind (reversed left out)',
    cashKind: 'Cash receipt',
    reversalKind: 'Reversal',
    reverse: 'Reverse Cash receipt ¥88.00',
    reversalTitle: 'Reverse an operation',
    reason: 'Reason for the reversal',
    reasonText: 'amount keyed wrongly',
    username: "Supervisor's username",
    password: "Supervisor's password",
    confirm: 'Reverse it',
    notSupervisor: 'Only an outlet supervisor may reverse an operation.',
    slip: 'Reversal slip',
    reversedBy: '演示网点主管',
    reversed: 'Reversed',
    expected: 'Drawer should hold',
    counted: 'Cash counted',
    note: /^Note/,
    closeConfirm: 'Close the shift',
    shiftSlip: 'Shift close',
    slipOperations: 'Operations of the shift',
    signOut: 'Sign out',
  },
} as const;
type Words = (typeof WORDS)[keyof typeof WORDS];

const RUNS = [
  { name: 'portrait', width: 800, height: 1280, language: 'zh' },
  { name: 'landscape', width: 1280, height: 800, language: 'en' },
] as const;

async function signIn(page: Page, language: 'zh' | 'en', w: Words): Promise<void> {
  await page.goto('/staff');
  await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
  if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('textbox', { name: language === 'en' ? 'Username' : '用户名' }).fill(DEMO_OPERATOR.username);
  await page.getByLabel(language === 'en' ? 'Password' : '密码', { exact: true }).fill(DEMO_OPERATOR.password);
  await page.getByRole('button', { name: language === 'en' ? 'Sign in' : '登录', exact: true }).click();
  await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
}

for (const run of RUNS) {
  test(`a cash receipt reversed by the supervisor at the clerk's tablet, ${run.width}×${run.height}, ${run.language}`, async ({ page }) => {
    test.setTimeout(150_000);
    const w = WORDS[run.language];
    const at = (screen: string) => `reversal-${run.name}-${run.language}-${screen}`;
    const bearer = sessionOf(page);
    await page.setViewportSize({ width: run.width, height: run.height });
    await signIn(page, run.language, w);
    await closeLeftoverShift(page, run.language);
    const banner = page.getByRole('banner');

    // 开班 with 300 yuan, then a cash receipt of 88 yuan from 张伟: the drawer should hold 388.
    await page.getByRole('button', { name: w.shiftMenu }).click();
    await expect(page.getByRole('heading', { name: w.openTitle })).toBeVisible();
    await page.getByRole('textbox', { name: w.float }).fill('300');
    await page.getByRole('button', { name: w.openConfirm, exact: true }).click();
    await expect(page.getByRole('heading', { name: w.home })).toBeVisible({ timeout: 20_000 });
    await page.getByRole('button', { name: new RegExp(`^${w.takeCash}`) }).click();
    await page.getByRole('searchbox', { name: w.query }).fill('张伟');
    await page.getByRole('button', { name: w.search, exact: true }).click();
    await page.getByRole('list', { name: w.results }).getByRole('button', { name: /张伟/ }).first().click();
    await page.getByRole('button', { name: w.takeCash, exact: true }).click();
    await page.getByRole('textbox', { name: w.amount }).fill('88');
    await page.getByRole('button', { name: w.confirmReceipt }).click();
    await expect(page.getByRole('heading', { name: w.receiptSlip })).toBeVisible({ timeout: 20_000 });
    await page.getByRole('button', { name: w.done }).click();
    await expect(banner.getByText(w.shiftSince)).toContainText('¥388.00');
    // The clerk's session, held now: the supervisor's sign-in for the reversal presents its own.
    const clerk = bearer();
    expect(await drawerFen(page, clerk)).toBe(38_800);

    // The Shift screen lists the receipt (kind, customer, amount) and its total.
    await page.getByRole('button', { name: w.shiftMenu }).click();
    await expect(page.getByRole('heading', { name: w.closeTitle })).toBeVisible();
    const list = page.getByRole('list', { name: w.operations });
    const row = list.getByRole('listitem').filter({ hasText: w.cashKind }).filter({ hasText: '¥88.00' });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(w.cashKind);
    await expect(row).toContainText('张伟');
    await expect(page.getByRole('definition').filter({ hasText: '¥88.00' })).toBeVisible();
    await checkScreen(page, at('01-shift-operations'));

    // The reversal: what it was, a reason; the clerk's own password is not a supervisor's.
    await row.getByRole('button', { name: w.reverse }).click();
    await expect(page.getByRole('heading', { name: w.reversalTitle })).toBeVisible();
    await expect(page.getByText('捌拾捌元整')).toBeVisible();
    await page.getByRole('textbox', { name: w.reason }).fill(w.reasonText);
    await page.getByRole('textbox', { name: w.username }).fill(DEMO_OPERATOR.username);
    await page.getByLabel(w.password, { exact: true }).fill(DEMO_OPERATOR.password);
    await page.getByRole('button', { name: w.confirm }).click();
    await expect(page.getByRole('alert')).toContainText(w.notSupervisor);
    await expect(page.getByLabel(w.password, { exact: true })).toHaveValue('');
    await checkScreen(page, at('02-reversal-refused'));
    expect(await drawerFen(page, clerk)).toBe(38_800);

    // The supervisor's: reversed, and its slip.
    await page.getByRole('textbox', { name: w.username }).fill(SUPERVISOR.username);
    await page.getByLabel(w.password, { exact: true }).fill(SUPERVISOR.password);
    await page.getByRole('button', { name: w.confirm }).click();
    await expect(page.getByRole('heading', { name: w.slip })).toBeVisible({ timeout: 20_000 });
    const slip = page.getByRole('article');
    await expect(slip.getByText('¥88.00')).toBeVisible();
    await expect(slip.getByText('捌拾捌元整')).toBeVisible();
    await expect(slip.getByText(w.reasonText)).toBeVisible();
    await expect(slip.getByText(w.reversedBy)).toBeVisible();
    await checkScreen(page, at('03-reversal-slip'));

    // Back on the Shift screen: the receipt shows reversed and cannot be reversed again; the drawer dropped by 88.
    await page.getByRole('button', { name: w.done }).click();
    await expect(page.getByRole('heading', { name: w.closeTitle })).toBeVisible();
    await expect(row).toContainText(w.reversed);
    await expect(row.getByRole('button')).toHaveCount(0);
    // The reversal is its own row: the cash back out, below zero, not reversible itself.
    const reversalRow = list.getByRole('listitem').filter({ hasText: '-¥88.00' });
    await expect(reversalRow).toHaveCount(1);
    await expect(reversalRow).toContainText(w.reversalKind);
    await expect(reversalRow).toContainText('张伟');
    await expect(reversalRow.getByRole('button')).toHaveCount(0);
    await expect(banner.getByText(w.shiftSince)).toContainText('¥300.00');
    expect(await drawerFen(page, clerk)).toBe(30_000);
    await checkScreen(page, at('04-shift-reversed'));

    // 交班 with the 300 yuan counted: balanced, and the slip lists the reversed receipt.
    await page.getByRole('textbox', { name: w.counted }).fill('300');
    await page.getByRole('button', { name: w.closeConfirm, exact: true }).click();
    await expect(page.getByRole('heading', { name: w.shiftSlip })).toBeVisible({ timeout: 20_000 });
    const closeSlip = page.getByRole('article');
    await expect(closeSlip.getByText('叁佰元整').first()).toBeVisible();
    const listed = closeSlip.getByRole('list', { name: w.slipOperations }).getByRole('listitem');
    await expect(listed).toHaveCount(2);
    await expect(listed.filter({ hasText: w.cashKind })).toContainText(w.reversed);
    await expect(listed.filter({ hasText: '-¥88.00' })).toContainText(w.reversalKind);
    await checkScreen(page, at('05-shift-slip'));
    await page.getByRole('button', { name: w.done }).click();
    await expect(banner.getByText(w.noShift)).toBeVisible();
    await page.getByRole('button', { name: w.signOut }).click();
  });
}
