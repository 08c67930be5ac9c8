/**
 * The organisation tree 组织机构 and devices 设备管理 at /centre (src/centre/OrgTreeScreen.svelte,
 * DevicesScreen.svelte): the city's centre operator (demo.center) creates an outlet under the demo
 * city, sees it in the tree and renames it; registers a tablet there, whose enrolment code is
 * shown once; and disables it. In Chinese at 1280×800 and in English at 800×1280, every screen
 * fitting with nothing to scroll and clean under axe; with SHOTS_DIR set, a screenshot of each.
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
    orgTab: '组织机构',
    devicesTab: '设备管理',
    city: '演示市分公司',
    addUnder: (name: string) => `在${name}下新建机构`,
    renameOf: (name: string) => `为${name}改名`,
    kind: '类型',
    outletKind: '营业厅',
    code: '编码',
    nameZh: '中文名称',
    nameEn: '英文名称',
    create: '新建',
    created: (name: string, code: string) => `已新建${name}（${code}）。`,
    saveNames: '保存名称',
    renamed: (name: string, code: string) => `已改名为${name}（${code}）。`,
    registerDevice: '登记设备',
    unit: '所在机构',
    deviceKind: '类型',
    tablet: '平板',
    deviceName: '设备名称',
    deviceId: '设备编号',
    terminal: '终端号',
    register: '登记并生成注册码',
    codeFor: (id: string) => `设备 ${id} 的注册码：`,
    disableOf: (name: string) => `停用${name}`,
    disabled: (name: string) => `已停用${name}，在其上登录的会话已结束。`,
    disabledState: '已停用',
  },
  en: {
    signInTitle: 'Centre operator sign-in',
    username: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    orgTab: 'Organisation',
    devicesTab: 'Devices',
    city: 'Demo City Branch',
    addUnder: (name: string) => `Add a unit under ${name}`,
    renameOf: (name: string) => `Rename ${name}`,
    kind: 'Kind',
    outletKind: 'Outlet',
    code: 'Code',
    nameZh: 'Chinese name',
    nameEn: 'English name',
    create: 'Create',
    created: (name: string, code: string) => `${name} (${code}) created.`,
    saveNames: 'Save names',
    renamed: (name: string, code: string) => `Renamed to ${name} (${code}).`,
    registerDevice: 'Register a device',
    unit: 'Unit',
    deviceKind: 'Kind',
    tablet: 'Tablet',
    deviceName: 'Device name',
    deviceId: 'Device id',
    terminal: 'Terminal number',
    register: 'Register and issue a code',
    codeFor: (id: string) => `Enrolment code for device ${id}:`,
    disableOf: (name: string) => `Disable ${name}`,
    disabled: (name: string) => `${name} disabled; the sessions signed in on it have ended.`,
    disabledState: 'Disabled',
  },
} as const;

/** The shared screen check (axe, nothing to scroll, a picture with SHOTS_DIR set), named for this spec. */
const check = (page: Page, where: string): Promise<void> => checkScreen(page, `centre-admin-${where}`);

const RUNS = [
  { lang: 'zh', width: 1280, height: 800 },
  { lang: 'en', width: 800, height: 1280 },
] as const;

for (const run of RUNS) {
  test(`a centre creates and renames an outlet, registers a tablet there with its enrolment code, and disables it (${run.lang}, ${run.width}×${run.height})`, async ({
    page,
  }) => {
    const w = WORDS[run.lang];
    const where = (screen: string) => `${run.lang}-${run.width}x${run.height}-${screen}`;
    // Codes and ids of this run's own, so runs on one data folder never meet.
    const n = Date.now() % 1_000_000_000;
    const code = `E${n}`;
    const deviceId = `e2e-tablet-${run.lang}-${n}`;
    const terminalId = `E2${n.toString(16).toUpperCase().padStart(10, '0')}`;
    const first = { zh: `测试营业厅${n}`, en: `Test outlet ${n}` };
    const renamed = { zh: `测试北营业厅${n}`, en: `Test North outlet ${n}` };
    const shown = (names: { zh: string; en: string }) => names[run.lang];
    const tabletName = run.lang === 'zh' ? '测试平板' : 'Test tablet';

    await page.setViewportSize({ width: run.width, height: run.height });
    await page.goto('/centre');
    if (run.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { name: w.signInTitle })).toBeVisible();
    await page.getByLabel(w.username).fill('demo.center');
    await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: w.signIn, exact: true }).click();

    // The tree: the demo city at the top of the centre's part; a new outlet under it.
    await page.getByRole('button', { name: w.orgTab, exact: true }).click();
    await expect(page.getByRole('rowheader', { name: w.city, exact: true })).toBeVisible();
    await check(page, where('tree'));
    await page.getByRole('button', { name: w.addUnder(w.city), exact: true }).click();
    await page.getByRole('combobox', { name: w.kind, exact: true }).selectOption({ label: w.outletKind });
    await page.getByRole('textbox', { name: w.code }).fill(code);
    await page.getByRole('textbox', { name: w.nameZh, exact: true }).fill(first.zh);
    await page.getByRole('textbox', { name: w.nameEn, exact: true }).fill(first.en);
    await check(page, where('create'));
    await page.getByRole('button', { name: w.create, exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: w.created(shown(first), code) })).toBeVisible();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: shown(first), exact: true }) });
    await expect(row).toContainText(code);
    await expect(row).toContainText(w.outletKind);

    // Renamed: only the names change.
    await page.getByRole('button', { name: w.renameOf(shown(first)), exact: true }).click();
    await page.getByRole('textbox', { name: w.nameZh, exact: true }).fill(renamed.zh);
    await page.getByRole('textbox', { name: w.nameEn, exact: true }).fill(renamed.en);
    await check(page, where('rename'));
    await page.getByRole('button', { name: w.saveNames, exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: w.renamed(shown(renamed), code) })).toBeVisible();
    await expect(page.getByRole('rowheader', { name: shown(renamed), exact: true })).toBeVisible();
    await expect(page.getByRole('rowheader', { name: shown(first), exact: true })).toHaveCount(0);
    await check(page, where('renamed'));

    // A tablet registered in the new outlet: its enrolment code shown once.
    await page.getByRole('button', { name: w.devicesTab, exact: true }).click();
    await page.getByRole('button', { name: w.registerDevice, exact: true }).click();
    await page.getByRole('combobox', { name: w.deviceKind, exact: true }).selectOption({ label: w.tablet });
    await page.getByRole('combobox', { name: w.unit, exact: true }).selectOption({ label: shown(renamed) });
    await page.getByRole('textbox', { name: w.deviceName, exact: true }).fill(tabletName);
    await page.getByRole('textbox', { name: w.deviceId }).fill(deviceId);
    await page.getByRole('textbox', { name: w.terminal }).fill(terminalId);
    await check(page, where('register'));
    await page.getByRole('button', { name: w.register, exact: true }).click();
    await expect(page.getByText(w.codeFor(deviceId))).toBeVisible();
    await expect(page.getByTestId('enrolment-code')).toHaveText(/^\S{12,}$/);
    const device = page.getByRole('row').filter({ hasText: deviceId });
    await expect(device).toContainText(shown(renamed));
    await check(page, where('code'));

    // Disabled: said in words, its state in the list.
    await page.getByRole('button', { name: w.disableOf(tabletName), exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: w.disabled(tabletName) })).toBeVisible();
    await expect(device).toContainText(w.disabledState);
    await check(page, where('disabled'));
  });
}
