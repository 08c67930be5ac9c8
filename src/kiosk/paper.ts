/**
 * The receipt printer's paper width (docs/operations.md "Receipts"): kiosks come with 80 mm or
 * 58 mm roll printers. The kiosk is launched once with `?paper=58` (or 80) and keeps the width in
 * its own storage, so later starts without the parameter print on the same paper; 80 mm when
 * never told.
 */
export type PaperWidthMm = 58 | 80;

export const PAPER_WIDTHS_MM: readonly PaperWidthMm[] = [58, 80];
export const DEFAULT_PAPER_WIDTH_MM: PaperWidthMm = 80;
const PAPER_SETTING_KEY = 'fuelcard.kiosk.paper';

function paperOf(text: string | null): PaperWidthMm | null {
  const width = Number(text);
  return PAPER_WIDTHS_MM.find((w) => w === width) ?? null;
}

/** The width from the page's address (kept for next time), else the one kept, else 80 mm. */
export function receiptPaperWidth(search: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null): PaperWidthMm {
  const asked = paperOf(new URLSearchParams(search).get('paper'));
  if (asked !== null) {
    storage?.setItem(PAPER_SETTING_KEY, String(asked));
    return asked;
  }
  return paperOf(storage?.getItem(PAPER_SETTING_KEY) ?? null) ?? DEFAULT_PAPER_WIDTH_MM;
}
