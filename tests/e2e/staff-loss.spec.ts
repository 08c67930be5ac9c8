/**
 * Loss reports at the outlet tablet (挂失 / 解挂), in either orientation and either language: from
 * Home's customer-service entries, find the customer, pick the card, check the identity, record the
 * customer's choice, and read the slip with the time the loss takes effect; then cancel it (解挂)
 * before it does, with the identity again, and read the cancellation slip. The refusals in words: an
 * anonymous card is not reported lost, an ID that is not the customer's is refused. A personal card
 * (the seeded 演示客户张伟, whose ID number the demo holds) in one run of each size, a unit card (the
 * seeded 演示物流有限公司's sub card, with a letter of introduction) in the other. Every report is
 * cancelled in its own run, so the runs leave the cards as they found them. Axe clean (the demo
 * strip aside), nothing to scroll; with SHOTS_DIR set, each screen is saved.
 */
import { expect, test, type Page } from '@playwright/test';
import { checkScreen } from './staff-helpers.ts';

const ZHANG_WEI_ID = '320102199001011232';

const WORDS = {
  zh: {
    username: '用户名',
    password: '密码',
    signIn: '登录',
    home: '网点业务',
    loss: /^挂失/,
    lossCancel: /^解挂/,
    titleReport: '挂失',
    titleCancel: '解挂',
    query: '姓名、证件号、卡号或电话',
    search: '查询',
    results: '查询结果',
    cards: '名下卡片',
    anonymous: '不记名卡不能挂失，请先升级为记名卡。',
    idNo: '客户本人证件号码',
    letterRef: '介绍信编号',
    bearerName: '经办人姓名',
    bearerId: '经办人证件号码',
    refund: '余额退回额度账户',
    submitReport: '登记挂失',
    submitCancel: '确认解挂',
    wrongId: /证件与持卡人不符/,
    slipReport: '挂失凭条',
    slipCancel: '解挂凭条',
    effective: '生效时间',
    pending: /此卡已挂失，将于 .+ 生效/,
    done: '完成',
  },
  en: {
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    home: 'Outlet work',
    loss: /^Report loss/,
    lossCancel: /^Cancel loss/,
    titleReport: 'Report loss',
    titleCancel: 'Cancel loss',
    query: 'Name, ID number, card number or phone',
    search: 'Search',
    results: 'Results',
    cards: 'Cards',
    anonymous: 'An anonymous card cannot be reported lost: upgrade it to a named card first.',
    idNo: "The customer's own ID number",
    letterRef: 'Letter of introduction reference',
    bearerName: "Bearer's name",
    bearerId: "Bearer's ID number",
    refund: 'Back to the quota account',
    submitReport: 'Report the loss',
    submitCancel: 'Cancel the loss',
    wrongId: /not the card holder's/,
    slipReport: 'Loss report slip',
    slipCancel: 'Loss cancellation slip',
    effective: 'Takes effect',
    pending: /This card is reported lost, effective .+; it can be cancelled until then/,
    done: 'Done',
  },
} as const;
type Words = (typeof WORDS)[keyof typeof WORDS];

/** The seeded customer (not a demo tablet's copy, named with its tablet) and its card of serial `serial`. */
async function findCard(page: Page, w: Words, customer: string, serial: number): Promise<void> {
  await page.getByRole('searchbox', { name: w.query }).fill(customer);
  await page.getByRole('button', { name: w.search, exact: true }).click();
  await page
    .getByRole('list', { name: w.results })
    .getByRole('button', { name: new RegExp(`^${customer}\\s`) })
    .click();
  await page
    .getByRole('list', { name: w.cards })
    // The whole tail of the printed number: the card-issue spec gives 张伟 a stock card (0020 0000 001) too.
    .getByRole('button', { name: new RegExp(`0000 0000 00${serial}\\s`) })
    .click();
}

const RUNS = [
  { size: { width: 800, height: 1280 }, name: 'portrait', language: 'zh', holder: 'personal' },
  { size: { width: 800, height: 1280 }, name: 'portrait', language: 'en', holder: 'unit' },
  { size: { width: 1280, height: 800 }, name: 'landscape', language: 'zh', holder: 'unit' },
  { size: { width: 1280, height: 800 }, name: 'landscape', language: 'en', holder: 'personal' },
] as const;

for (const run of RUNS) {
  test(`a loss reported and cancelled, ${run.size.width}×${run.size.height}, ${run.language}, a ${run.holder} card`, async ({ page }) => {
    test.setTimeout(120_000);
    const w = WORDS[run.language];
    const at = (screen: string) => `staff-loss-${run.name}-${run.language}-${screen}`;
    await page.setViewportSize(run.size);
    await page.goto('/staff');
    await expect(page.getByRole('heading', { name: '营业员登录' })).toBeVisible({ timeout: 30_000 });
    if (run.language === 'en') await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('textbox', { name: w.username }).fill('demo.operator');
    await page.getByLabel(w.password, { exact: true }).fill('demo-password-123');
    await page.getByRole('button', { name: w.signIn, exact: true }).click();
    await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
    await checkScreen(page, at('01-home'));

    // An anonymous card: the screen says why not, and offers nothing.
    await page.getByRole('button', { name: w.loss }).click();
    await expect(page.getByRole('heading', { name: w.titleReport })).toBeVisible();
    await findCard(page, w, '演示不记名卡持有人', 3);
    await expect(page.getByText(w.anonymous)).toBeVisible();
    await checkScreen(page, at('02-anonymous'));

    // The holder's card: the identity checked, the choice recorded.
    await page.getByRole('button', { name: /换一个客户|Another customer/ }).click();
    const personal = run.holder === 'personal';
    await findCard(page, w, personal ? '演示客户张伟' : '演示物流有限公司', personal ? 1 : 2);
    if (personal) {
      await page.getByRole('textbox', { name: w.idNo }).fill('110105194912310021');
      await page.getByRole('radio', { name: w.refund }).check();
      await page.getByRole('button', { name: w.submitReport }).click();
      await expect(page.getByRole('alert')).toContainText(w.wrongId);
      await checkScreen(page, at('03-wrong-id'));
      await page.getByRole('textbox', { name: w.idNo }).fill(ZHANG_WEI_ID);
    } else {
      await page.getByRole('textbox', { name: w.letterRef }).fill('物流介字〔2026〕12号');
      await page.getByRole('textbox', { name: w.bearerName }).fill('李娜');
      await page.getByRole('textbox', { name: w.bearerId }).fill('32010219880202123X');
      await page.getByRole('radio', { name: w.refund }).check();
      await checkScreen(page, at('03-letter'));
    }
    await page.getByRole('button', { name: w.submitReport }).click();
    const slip = page.getByRole('article', { name: w.slipReport });
    await expect(slip).toBeVisible({ timeout: 20_000 });
    await expect(slip.getByText(w.effective, { exact: true })).toBeVisible();
    await expect(slip.getByText(w.refund)).toBeVisible();
    await checkScreen(page, at('04-report-slip'));
    await page.getByRole('button', { name: w.done }).click();

    // 解挂 before it takes effect: the pending report is shown, the identity checked again.
    await page.getByRole('button', { name: w.lossCancel }).click();
    await expect(page.getByRole('heading', { name: w.titleCancel })).toBeVisible();
    await findCard(page, w, personal ? '演示客户张伟' : '演示物流有限公司', personal ? 1 : 2);
    await expect(page.getByText(w.pending)).toBeVisible();
    if (personal) await page.getByRole('textbox', { name: w.idNo }).fill(ZHANG_WEI_ID);
    else {
      await page.getByRole('textbox', { name: w.letterRef }).fill('物流介字〔2026〕13号');
      await page.getByRole('textbox', { name: w.bearerName }).fill('李娜');
      await page.getByRole('textbox', { name: w.bearerId }).fill('32010219880202123X');
    }
    await checkScreen(page, at('05-cancel'));
    await page.getByRole('button', { name: w.submitCancel }).click();
    await expect(page.getByRole('article', { name: w.slipCancel })).toBeVisible({ timeout: 20_000 });
    await checkScreen(page, at('06-cancel-slip'));
    await page.getByRole('button', { name: w.done }).click();
    await expect(page.getByRole('heading', { name: w.home })).toBeVisible();
  });
}
