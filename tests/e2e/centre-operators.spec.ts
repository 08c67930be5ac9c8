/**
 * Operator maintenance 操作员维护 at /centre (src/centre/OperatorsScreen.svelte): the city's centre
 * operator (demo.center) creates an outlet operator in the demo outlet with a password the server
 * makes up and the screen shows once; the new operator signs in on an outlet tablet at /staff with
 * it; the centre operator's attempt to make themself an administrator is refused in words; the
 * centre operator disables the new operator, whose sign-in is then refused in words. In Chinese at
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
    signOut: '退出登录',
    tab: '操作员维护',
    search: '按用户名或姓名查找',
    searchSubmit: '查找',
    newOperator: '新建操作员',
    newUsername: '登录用户名',
    name: '姓名',
    role: '角色',
    unit: '所属单位',
    outletOperator: '营业员',
    administrator: '管理员',
    outlet: '演示营业网点',
    create: '创建操作员',
    created: /已创建操作员 (\S+)，初始密码：([a-z2-9-]+)。/,
    open: (u: string) => `编辑 ${u}`,
    save: '保存修改',
    selfChange: '不能修改本人的角色、所属单位或状态，请由上级办理',
    disable: '停用',
    disabled: (u: string) => `已停用 ${u}，其所有登录已结束`,
    back: '返回操作员列表',
    staffTitle: '营业员登录',
    staffUsername: '用户名',
    staffSignIn: '登录',
    staffHome: '网点业务',
    staffSignOut: '退出登录',
    staffRefused: '用户名或密码错误',
  },
  en: {
    signInTitle: 'Centre operator sign-in',
    username: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    signOut: 'Sign out',
    tab: 'Operators',
    search: 'Search by user name or name',
    searchSubmit: 'Search',
    newOperator: 'New operator',
    newUsername: 'Sign-in user name',
    name: 'Name',
    role: 'Role',
    unit: 'Unit',
    outletOperator: 'Outlet operator',
    administrator: 'Administrator',
    outlet: 'Demo Outlet',
    create: 'Create the operator',
    created: /Operator (\S+) created\. Initial password: ([a-z2-9-]+)\./,
    open: (u: string) => `Edit ${u}`,
    save: 'Save the changes',
    selfChange: 'You cannot change your own role, unit or state; ask someone above you',
    disable: 'Disable',
    disabled: (u: string) => `${u} disabled; all their sessions have ended`,
    back: 'Back to the operators',
    staffTitle: 'Operator sign-in',
    staffUsername: 'Username',
    staffSignIn: 'Sign in',
    staffHome: 'Outlet work',
    staffSignOut: 'Sign out',
    staffRefused: 'Wrong username or password',
  },
} as const;
type Words = (typeof WORDS)[keyof typeof WORDS];

/** The shared screen check (axe, nothing to scroll, a picture with SHOTS_DIR set), named for this spec. */
const check = (page: Page, where: string): Promise<void> => checkScreen(page, `centre-operators-${where}`);

async function openOperator(page: Page, w: Words, username: string): Promise<void> {
  await page.getByRole('searchbox', { name: w.search }).fill(username);
  await page.getByRole('button', { name: w.searchSubmit, exact: true }).click();
  await page.getByRole('button', { name: w.open(username), exact: true }).click();
}

/** The tablet's sign-in with the given credentials (a fresh demo tablet of the demo outlet per browser). */
async function staffSignIn(page: Page, w: Words, lang: 'zh' | 'en', username: string, password: string): Promise<void> {
  await page.goto('/staff');
  if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: w.staffTitle })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('textbox', { name: w.staffUsername }).fill(username);
  await page.getByLabel(w.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: w.staffSignIn, exact: true }).click();
}

const RUNS = [
  { lang: 'zh', width: 1280, height: 800 },
  { lang: 'en', width: 800, height: 1280 },
] as const;

for (const run of RUNS) {
  test(`a centre creates an outlet operator who signs in at the tablet, cannot raise itself, and disables them (${run.lang}, ${run.width}×${run.height})`, async ({
    page,
    browser,
  }) => {
    const w = WORDS[run.lang];
    const where = (screen: string) => `${run.lang}-${run.width}x${run.height}-${screen}`;
    // A user name of this run's own, so runs on one data folder never meet.
    const username = `e2e.${run.lang}.${Date.now() % 1_000_000_000}`;
    await page.setViewportSize({ width: run.width, height: run.height });
    await page.goto('/centre');
    if (run.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
    await page.getByLabel(w.username).fill('demo.center');
    await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: w.signIn, exact: true }).click();
    await page.getByRole('button', { name: w.tab, exact: true }).click();
    await expect(page.getByRole('button', { name: w.open('demo.operator'), exact: true })).toBeVisible();
    await check(page, where('list'));

    // A new outlet operator of the demo outlet; the password is made up by the server and shown once.
    await page.getByRole('button', { name: w.newOperator, exact: true }).click();
    await page.getByLabel(w.newUsername).fill(username);
    await page.getByRole('textbox', { name: w.name, exact: true }).fill(run.lang === 'zh' ? '测试营业员' : 'Test Clerk');
    await page.getByRole('combobox', { name: w.role, exact: true }).selectOption({ label: w.outletOperator });
    await page.getByRole('combobox', { name: w.unit, exact: true }).selectOption({ label: w.outlet });
    await check(page, where('create'));
    await page.getByRole('button', { name: w.create, exact: true }).click();
    const created = page.getByRole('status').filter({ hasText: w.created });
    await expect(created).toBeVisible();
    const [, shownName, password] = w.created.exec((await created.textContent()) ?? '')!;
    expect(shownName).toBe(username);
    await check(page, where('created'));

    // The centre operator cannot make themself an administrator: refused in words, nothing changed.
    await openOperator(page, w, 'demo.center');
    await page.getByRole('combobox', { name: w.role, exact: true }).selectOption({ label: w.administrator });
    await page.getByRole('button', { name: w.save, exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(w.selfChange);
    await check(page, where('self-raise'));
    await page.getByRole('button', { name: w.back, exact: true }).click();

    // The new operator signs in on an outlet tablet with the password shown, then signs out.
    const tabletContext = await browser.newContext({ viewport: { width: run.width, height: run.height } });
    const tablet = await tabletContext.newPage();
    await staffSignIn(tablet, w, run.lang, username, password!);
    await expect(tablet.getByRole('heading', { name: w.staffHome })).toBeVisible();
    await tablet.getByRole('button', { name: w.staffSignOut }).click();
    await expect(tablet.getByRole('heading', { name: w.staffTitle })).toBeVisible();

    // The centre disables them: their sign-in is refused in words.
    await openOperator(page, w, username);
    await page.getByRole('button', { name: w.disable, exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: w.disabled(username) })).toBeVisible();
    await check(page, where('disabled'));
    await tablet.getByRole('textbox', { name: w.staffUsername }).fill(username);
    await tablet.getByLabel(w.password, { exact: true }).fill(password!);
    await tablet.getByRole('button', { name: w.staffSignIn, exact: true }).click();
    await expect(tablet.getByRole('alert').filter({ hasText: w.staffRefused })).toBeVisible();
    await tabletContext.close();
  });
}
