/**
 * A demo kiosk, or outlet tablet, for each visitor (demo mode only). Every browser that opens the demo asks for a
 * kiosk of its own (POST /api/v1/demo/kiosks): a new device in the demo station with its own
 * terminal id and a one-time enrolment code, and its own customers and cards, numbered from a
 * serial base the answer names, which the browser's virtual reader numbers its chips from
 * (ccid/sim/demo-cards.ts). So one visitor's loads and PIN changes never reach another's kiosk or
 * cards; a second browser on the demo no longer takes the first one's kiosk away (its secret was
 * replaced) nor finds its cards' counters moved on (COUNTER_STALE).
 *
 * At most LIMITS.demoKiosksMax are active: past it the oldest is retired (its device disabled,
 * its key and code dropped), and the browser that held it gets a fresh kiosk at its next start.
 * Requests are limited per client address (server/info/routes.ts). The demo's own kiosk and tablet
 * (demo-kiosk-1, demo-tablet-1, whose secrets are published for tests) are never handed out.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { appendAudit } from '../audit/log.ts';
import { newSecret, sha256Hex } from '../auth/secrets.ts';
import type { DemoKiosk } from '../contract/index.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { DEMO_KIOSK_CARD_SERIALS, demoKioskCustomers, seedDemoCardSet } from './money.ts';

/** Visitor kiosks' card serials start here, far above the seeded set (1–9): base + 1 … base + 8. */
export const DEMO_KIOSK_SERIAL_BASE = 100_000_000;
/** Serials per kiosk: room for the set's 1–9. */
const SERIALS_PER_KIOSK = 10;
const PROVINCE_CODE = '32';
const STATION_CODE = '3201S01';
const OUTLET_CODE = '3201001';

export async function isDemoDatabase(sql: Sql): Promise<boolean> {
  const found = await sql.query<{ value: string }>("SELECT value FROM app_meta WHERE key = 'demo'");
  return found.rows[0]?.value === 'true';
}

/** `demo-visitor-12`, terminal `3201D000000C`: the number is the kiosk's in demo_kiosk. */
const deviceIdOf = (n: number) => `demo-visitor-${n}`;
const terminalIdOf = (n: number) => `3201D${n.toString(16).toUpperCase().padStart(7, '0')}`;

async function unitId(tx: Sql, code: string): Promise<bigint> {
  const found = await tx.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code]);
  if (!found.rows[0]) throw new ApiError('NOT_FOUND', `the demo data has no unit ${code}`);
  return found.rows[0].id;
}

/** Retires the oldest active visitor kiosks until fewer than `kiosksMax` are active. */
async function retireOldest(tx: Sql, kiosksMax: number): Promise<string[]> {
  const active = await tx.query<{ device_id: string }>('SELECT device_id FROM demo_kiosk WHERE retired_at IS NULL ORDER BY number');
  const retired = active.rows.slice(0, Math.max(0, active.rows.length - kiosksMax + 1)).map((r) => r.device_id);
  for (const deviceId of retired) {
    await tx.query('UPDATE demo_kiosk SET retired_at = now() WHERE device_id = $1', [deviceId]);
    await tx.query(
      "UPDATE device SET state = 'disabled', signing_key_sealed = NULL, enrolment_code_hash = NULL, enrolment_expires_at = NULL WHERE id = $1",
      [deviceId],
    );
  }
  return retired;
}

/**
 * Creates one visitor kiosk with its cards, in the caller's transaction; NOT_FOUND outside demo
 * mode. `kiosksMax` is for tests of the bound. `kind: 'tablet'` makes a visitor outlet tablet
 * instead (POST /api/v1/demo/tablets): a tablet device of the demo outlet, with a card set of
 * its own just as a kiosk's, counted in the same bound and retired the same way; the demo's
 * operators (demo.operator, demo.supervisor) sign in on it.
 */
export async function createDemoKiosk(
  tx: Sql,
  now: Date,
  options: { kiosksMax?: number; kind?: 'kiosk' | 'tablet' } = {},
): Promise<DemoKiosk> {
  const kind = options.kind ?? 'kiosk';
  // One creation at a time: the count of active kiosks and the retirements must not interleave.
  const demo = await tx.query<{ value: string }>("SELECT value FROM app_meta WHERE key = 'demo' FOR UPDATE");
  if (demo.rows[0]?.value !== 'true') throw new ApiError('NOT_FOUND');
  const retired = await retireOldest(tx, options.kiosksMax ?? LIMITS.demoKiosksMax);
  const n = Number((await tx.query<{ n: bigint }>("SELECT nextval('demo_kiosk_number') AS n")).rows[0]!.n);
  const serialBase = DEMO_KIOSK_SERIAL_BASE + n * SERIALS_PER_KIOSK;
  const deviceId = deviceIdOf(n);
  const code = newSecret(12);
  const expiresAt = new Date(now.getTime() + LIMITS.enrolmentCodeTtlMs);
  // A kiosk stands in the demo station; a tablet is the demo outlet's, where its operators work.
  const station = await unitId(tx, kind === 'kiosk' ? STATION_CODE : OUTLET_CODE);
  const name = kind === 'kiosk' ? `演示自助终端（访客 ${n}）` : `演示网点平板（访客 ${n}）`;
  await tx.query(
    `INSERT INTO device (id, kind, org_unit_id, name, terminal_id, enrolment_code_hash, enrolment_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [deviceId, kind, station, name, terminalIdOf(n), sha256Hex(code), expiresAt.toISOString()],
  );
  await tx.query('INSERT INTO demo_kiosk (number, device_id, card_serial_base) VALUES ($1, $2, $3)', [n, deviceId, serialBase]);
  const bank = await ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: await unitId(tx, PROVINCE_CODE) });
  await seedDemoCardSet(tx, {
    bank,
    serialBase,
    serials: DEMO_KIOSK_CARD_SERIALS,
    customerOf: demoKioskCustomers(tx, await unitId(tx, OUTLET_CODE), n),
  });
  // The new device's own audit chain starts with its creation, as an enrolled device's does with its enrolment.
  await appendAudit(
    tx,
    { deviceId, operatorId: null, orgUnitId: station },
    {
      action: kind === 'kiosk' ? 'demo.kiosk_create' : 'demo.tablet_create',
      subject: deviceId,
      detail: { cardSerialBase: serialBase, retired },
    },
  );
  return { deviceId, enrolmentCode: code, cardSerialBase: serialBase };
}
