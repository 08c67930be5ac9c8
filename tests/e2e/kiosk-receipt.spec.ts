/**
 * The kiosk's receipt end to end (docs/operations.md "Receipts"): a load at the demo kiosk, then
 * the receipt names the demo station, its address and the 95504 hotline, the holder and the card
 * masked, the amount in 大写; printed (print media, and headless Chromium's own print to PDF) it is
 * the receipt alone, at the roll's width, on one page. In Chinese on 80 mm paper and in English on
 * 58 mm (a kiosk launched with ?paper=58).
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { openKiosk, pull, signIn } from './kiosk-helpers.ts';

const SHOTS_DIR = process.env.SHOTS_DIR;
const PX_PER_MM = 96 / 25.4;

/** Pages in a PDF Chromium wrote: its page objects (not the /Pages tree node). */
function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS_DIR) await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`), fullPage: true });
}

const RUNS = [
  { lang: 'zh-CN', paperMm: 80 },
  { lang: 'en', paperMm: 58 },
] as const;

for (const run of RUNS) {
  test(`a load's receipt in ${run.lang} names the station and masks the customer, and prints alone on ${run.paperMm} mm paper`, async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openKiosk(page, run.paperMm === 58 ? '/?paper=58' : '/');
    await signIn(page);
    await page.getByRole('button', { name: '圈存', exact: true }).click();
    await page.getByRole('button', { name: '¥100.00' }).click();
    await expect(page.getByRole('heading', { name: '圈存成功' })).toBeVisible({ timeout: 20_000 });
    if (run.lang === 'en') {
      await page.getByRole('button', { name: 'English' }).click();
      await expect(page.getByRole('heading', { name: 'Loaded' })).toBeVisible();
    }
    const receipt = page.getByTestId('receipt');
    await expect(receipt).toHaveAttribute('data-paper-mm', String(run.paperMm));
    const en = run.lang === 'en';
    await expect(page.getByTestId('receipt-station')).toHaveText(en ? 'Demo Station' : '演示加油站');
    await expect(page.getByTestId('receipt-address')).toHaveText(
      en ? '188 Zhongshan East Road, Xuanwu District, Nanjing' : '南京市玄武区中山东路188号',
    );
    await expect(page.getByTestId('receipt-hotline')).toHaveText(en ? 'Service hotline 95504' : '服务热线 95504');
    await expect(page.getByTestId('receipt-holder')).toHaveText('张*');
    await expect(receipt).not.toContainText('张伟');
    await expect(page.getByTestId('receipt-card-no')).toHaveText(/^\d{4} \*{4} \*{4} \*{3}\d \d{3}$/);
    await expect(page.getByTestId('receipt-amount')).toHaveText('¥100.00');
    await expect(page.getByTestId('receipt-capitals')).toHaveText('壹佰元整');
    // English dates name the month, day first; Chinese keep year/month/day.
    await expect(page.getByTestId('receipt-time')).toHaveText(
      en ? /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2}$/ : /^\d{4}\/\d{2}\/\d{2} /,
    );
    // The proof on its way after an online load reads as normal, not as a fault.
    await expect(page.getByRole('banner').getByRole('status')).not.toContainText(en ? 'waiting' : '待同步');
    // Labels left, figures right.
    const row = page.getByTestId('receipt-amount').locator('..');
    const [label, figure, box] = await Promise.all([
      row.locator('dt').boundingBox(),
      page.getByTestId('receipt-amount').boundingBox(),
      receipt.boundingBox(),
    ]);
    expect(label!.x - box!.x).toBeLessThan(40);
    expect(box!.x + box!.width - (figure!.x + figure!.width)).toBeLessThan(40);
    await shot(page, `kiosk-receipt-${run.lang}-screen`);

    await page.emulateMedia({ media: 'print' });
    const printed = await receipt.boundingBox();
    expect(Math.abs(printed!.width - run.paperMm * PX_PER_MM)).toBeLessThan(2);
    await expect(receipt).toBeVisible();
    for (const other of [
      page.getByRole('banner'),
      page.getByRole('heading', { name: en ? 'Loaded' : '圈存成功' }),
      page.getByRole('button', { name: en ? 'Print receipt' : '打印凭条' }),
      page.getByRole('complementary', { name: /演示控制|Demo controls/ }),
    ])
      await expect(other).toBeHidden();
    await shot(page, `kiosk-receipt-${run.lang}-print-${run.paperMm}mm`);
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    expect(pdfPageCount(pdf), 'the receipt prints on one page').toBe(1);
    const mediaBox = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(Math.abs(Number(mediaBox![1]) - (run.paperMm / 25.4) * 72), 'the page is the roll’s width').toBeLessThan(2);
    if (SHOTS_DIR) writeFileSync(join(SHOTS_DIR, `kiosk-receipt-${run.lang}-${run.paperMm}mm.pdf`), pdf);
    await page.emulateMedia({ media: 'screen' });
    if (!en) await pull(page);
  });
}
