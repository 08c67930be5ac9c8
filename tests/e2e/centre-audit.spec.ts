/**
 * The audit log 审计日志 at /centre (src/centre/AuditScreen.svelte): the city's centre operator
 * (demo.center) changes an operator's name through the API (so the log holds an entry with
 * before and after values), opens the audit log, sees the chains verified in words, finds the
 * change by operator and action, and opens it: the before and after values side by side in a
 * table, no JSON. Then searches a card number no entry has, and is told so; and reads the state
 * history of a demo stock card (卡状态历史), and is told a card still at the province is none of its. In Chinese at
 * 1280×800 and in English at 800×1280, every screen fitting with nothing to scroll and clean under
 * axe; with SHOTS_DIR set, a screenshot of each.
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
    tab: '审计日志',
    verified: /审计链完好：已验证至 .+，共 \d+ 条记录。 最近的签名检查点：.+。/,
    operator: '操作员用户名',
    action: '操作',
    operatorUpdate: '修改操作员',
    card: '卡号',
    search: '查找',
    open: '修改操作员详情',
    before: '变更前',
    name: '姓名',
    role: '角色',
    roles: ['营业员', '网点主管'],
    after: '变更后',
    back: '返回审计日志',
    empty: '没有符合条件的审计记录',
    historyTab: '卡状态历史',
    show: '查询',
    inStock: /卡号 01000113200200000050（用户卡），当前状态：/,
    requisition: '领用下发',
    toOutlet: '演示市分公司 → 演示营业网点',
    notFound: '在您管辖的范围内没有这张卡的记录',
  },
  en: {
    signInTitle: 'Centre operator sign-in',
    username: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    tab: 'Audit log',
    verified: /The audit chains are intact: verified up to .+, \d+ entries\. Last signed checkpoint: .+\./,
    operator: 'Operator user name',
    action: 'Action',
    operatorUpdate: 'Operator changed',
    card: 'Card number',
    search: 'Search',
    open: 'Details of Operator changed',
    before: 'Before',
    name: 'Name',
    role: 'Role',
    roles: ['Outlet operator', 'Outlet supervisor'],
    after: 'After',
    back: 'Back to the audit log',
    empty: 'No audit entries match',
    historyTab: 'Card history',
    show: 'Show',
    inStock: /Card 01000113200200000050 \(User card\), state now: /,
    requisition: 'Requisitioned down',
    toOutlet: 'Demo City Branch → Demo Outlet',
    notFound: 'There is no record of this card in your part of the organisation',
  },
} as const;

/** The shared screen check (axe, nothing to scroll, a picture with SHOTS_DIR set), named for this spec. */
const check = (page: Page, where: string): Promise<void> => checkScreen(page, `centre-audit-${where}`);

const RUNS = [
  { lang: 'zh', width: 1280, height: 800 },
  { lang: 'en', width: 800, height: 1280 },
] as const;

for (const run of RUNS) {
  test(`a centre finds an operator change in the audit log, reads it as before and after, and sees the chains verified (${run.lang}, ${run.width}×${run.height})`, async ({
    page,
    request,
  }) => {
    const w = WORDS[run.lang];
    const where = (screen: string) => `${run.lang}-${run.width}x${run.height}-${screen}`;
    // An operator of this run's own, renamed once, so runs on one data folder never meet.
    const username = `e2e.audit.${run.lang}.${Date.now() % 1_000_000_000}`;
    const login = await request.post('/api/v1/auth/login', { data: { username: 'demo.center', password: PASSWORD } });
    const headers = { authorization: `Bearer ${(await login.json()).token}` };
    const units = (await (await request.get('/api/v1/admin/org-units', { headers })).json()).orgUnits as { id: string; code: string }[];
    const outlet = units.find((u) => u.code === '3201001')!.id;
    const created = await request.post('/api/v1/admin/operators', {
      headers,
      data: { username, displayName: '改名前', orgUnitId: outlet, role: 'outlet_operator' },
    });
    expect(created.ok()).toBe(true);
    const { operatorId } = await created.json();
    const updated = await request.post('/api/v1/admin/operators/update', {
      headers,
      data: { operatorId, displayName: '改名后', orgUnitId: outlet, role: 'outlet_supervisor' },
    });
    expect(updated.ok()).toBe(true);

    await page.setViewportSize({ width: run.width, height: run.height });
    await page.goto('/centre');
    if (run.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
    await page.getByLabel(w.username).fill('demo.center');
    await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: w.signIn, exact: true }).click();
    await page.getByRole('button', { name: w.tab, exact: true }).click();
    await expect(page.getByTestId('audit-verdict')).toHaveText(w.verified, { timeout: 30_000 });
    await check(page, where('list'));

    // Found by operator and action: the change just made, opened as a table of before and after.
    await page.getByRole('textbox', { name: w.operator, exact: true }).fill('demo.center');
    await page.getByRole('combobox', { name: w.action, exact: true }).selectOption({ label: w.operatorUpdate });
    await page.getByRole('button', { name: w.search, exact: true }).click();
    // Before the search the newest entries show this operator's creation too: one row left means the filter applied.
    await expect(page.getByRole('cell', { name: username, exact: true })).toHaveCount(1);
    await check(page, where('found'));
    await page
      .getByRole('row')
      .filter({ hasText: username })
      .getByRole('button', { name: new RegExp(w.open) })
      .click();
    const changes = page.getByTestId('audit-changes');
    await expect(changes.getByRole('columnheader', { name: w.before })).toBeVisible();
    await expect(changes.getByRole('columnheader', { name: w.after })).toBeVisible();
    const nameRow = changes.getByRole('row').filter({ has: page.getByRole('rowheader', { name: w.name, exact: true }) });
    await expect(nameRow.getByRole('cell')).toHaveText(['改名前', '改名后']);
    const roleRow = changes.getByRole('row').filter({ has: page.getByRole('rowheader', { name: w.role, exact: true }) });
    await expect(roleRow.getByRole('cell')).toHaveText([...w.roles]);
    await expect(page.locator('.audit')).not.toContainText('{');
    await check(page, where('detail'));

    // A card number no entry has: said in words.
    await page.getByRole('button', { name: w.back, exact: true }).click();
    await page.getByRole('textbox', { name: w.card, exact: true }).fill('99999999999999999999');
    await page.getByRole('button', { name: w.search, exact: true }).click();
    await expect(page.getByText(w.empty)).toBeVisible();

    // The state history of a demo stock card the city gave to its outlet (server/stock/demo.ts):
    // the two requisitions, with where from and where to; one still at the province is not the city's to see.
    await page.getByRole('button', { name: w.historyTab, exact: true }).click();
    await page.getByRole('textbox', { name: w.card, exact: true }).fill('01000113200200000050');
    await page.getByRole('button', { name: w.show, exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: w.inStock })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: w.requisition })).toHaveCount(2);
    await expect(page.getByRole('row').filter({ hasText: w.toOutlet })).toHaveCount(1);
    await check(page, where('card-history'));
    await page.getByRole('textbox', { name: w.card, exact: true }).fill('01000113200200000200');
    await page.getByRole('button', { name: w.show, exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(w.notFound);
  });
}
