/**
 * The demo's stock (docs/operations.md § Card stock): a batch of user cards stocked in at the demo
 * province and part of it requisitioned down to the demo city and on to the demo outlet, through
 * the same functions the API runs, so the demo outlet holds stock cards to issue. Their numbers
 * follow the ASN rule for the demo's key version (demo/money.ts demoCardNo), on serials far from
 * the demo's issued cards and the demo kiosks' (demo/kiosks.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import type { Principal } from '../auth/principal.ts';
import { demoCardNo, DEMO_KEY_VERSION } from '../demo/money.ts';
import { stockIn } from './stock-in.ts';
import { requisition } from './requisition.ts';

/** The demo's stock serials: 200 cards at the province, 100 of them to the city, 50 on to the outlet. */
export const DEMO_STOCK_SERIALS = { first: 200_000_001, last: 200_000_200, toCityLast: 200_000_100, toOutletLast: 200_000_050 } as const;

/**
 * The demo's station stock (docs/domain.md § Station cards): per station card type, a batch of 20
 * stocked in at the province and given whole to the demo city, whose centre issues them to the
 * demo station (ccid/sim/demo/station-stock.ts holds the chips of the first ones).
 */
export const DEMO_STATION_STOCK = [
  { cardType: 'employee', asnType: '04', first: 210_000_001, last: 210_000_020 },
  { cardType: 'maintenance', asnType: '06', first: 211_000_001, last: 211_000_020 },
  { cardType: 'test', asnType: '05', first: 212_000_001, last: 212_000_020 },
] as const;

export async function seedDemoStock(tx: Sql, units: { provinceId: bigint; cityId: bigint; outletId: bigint }, now: Date): Promise<void> {
  const admin = await tx.query<{ id: bigint }>(
    "SELECT id FROM operator WHERE role = 'administrator' AND org_unit_id = $1 ORDER BY id LIMIT 1",
    [units.provinceId],
  );
  const principal: Principal = {
    role: 'administrator',
    orgUnitId: units.provinceId,
    scopeRootId: null,
    deviceId: null,
    terminalId: null,
    operatorId: admin.rows[0]!.id,
  };
  const s = DEMO_STOCK_SERIALS;
  // The expiry the demo's bureau chips carry in EF15 (ccid/sim/demo/stock.ts DEMO_STOCK_EXPIRY_DATE).
  const expiresOn = '2036-12-31';
  await stockIn(
    tx,
    principal,
    {
      operationId: randomUUID(),
      firstCardNo: demoCardNo(s.first),
      lastCardNo: demoCardNo(s.last),
      cardType: 'user',
      keyVersion: DEMO_KEY_VERSION,
      expiresOn,
    },
    now,
  );
  await requisition(tx, principal, {
    operationId: randomUUID(),
    toUnitId: String(units.cityId),
    firstCardNo: demoCardNo(s.first),
    lastCardNo: demoCardNo(s.toCityLast),
  });
  await requisition(tx, principal, {
    operationId: randomUUID(),
    toUnitId: String(units.outletId),
    firstCardNo: demoCardNo(s.first),
    lastCardNo: demoCardNo(s.toOutletLast),
  });
  for (const batch of DEMO_STATION_STOCK) {
    const firstCardNo = demoCardNo(batch.first, batch.asnType);
    const lastCardNo = demoCardNo(batch.last, batch.asnType);
    const stockInRequest = {
      operationId: randomUUID(),
      firstCardNo,
      lastCardNo,
      cardType: batch.cardType,
      keyVersion: DEMO_KEY_VERSION,
      expiresOn,
    };
    await stockIn(tx, principal, stockInRequest, now);
    await requisition(tx, principal, { operationId: randomUUID(), toUnitId: String(units.cityId), firstCardNo, lastCardNo });
  }
}
