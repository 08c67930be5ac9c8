/**
 * The demo's stock cards (库存卡) as the server knows them: 'stock' rows with no customer, for the
 * bureau cards of ccid/sim/demo/stock.ts (the same numbers and expiry), so a person can issue one
 * at the outlet tablet in the running demo. The stock-in of real cards is its own work; this only
 * gives the demo something to issue. DEMO/TEST ONLY.
 */
import type { Sql } from '../db/index.ts';
import { DEMO_KEY_VERSION, demoCardNo } from './money.ts';

/** Serials and expiry as ccid/sim/demo/stock.ts makes the chips. */
export const DEMO_STOCK_SERIALS = [901, 902, 903] as const;
const DEMO_STOCK_EXPIRES_ON = '2036-12-31';

export async function seedDemoStockCards(tx: Sql): Promise<void> {
  for (const serial of DEMO_STOCK_SERIALS) {
    await tx.query(
      `INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version, expires_on)
       VALUES ($1, NULL, 'user', 'single', false, 'stock', $2, $3)`,
      [demoCardNo(serial), DEMO_KEY_VERSION, DEMO_STOCK_EXPIRES_ON],
    );
  }
}
