/**
 * The crash test's world: its limits, its kiosks (devices with known secrets and terminal ids),
 * its customers (one personal customer per card, each with a quota opened from BANK) and the chips
 * of one run. The chips are the simulation's kind (tests/sim/cards.ts's SimChip): a ccid/sim
 * FuelCard with the demo's test master keys, and the card's own record of every CREDIT FOR LOAD it
 * committed, the ground truth the checks hold the server to. The world is written once into the
 * run's fresh database, after the migrations and the demo seed (which holds the issuer keys).
 */
import { toHex } from '../../ccid/bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../ccid/crypto/demo-keys.ts';
import { buildAsn, CARD_TYPE } from '../../ccid/sim/card/files.ts';
import { issueFuelCard } from '../../ccid/sim/card/issue.ts';
import { storeDeviceSecret } from '../../server/auth/device-keys.ts';
import { DEMO_KEK_HEX } from '../../server/config.ts';
import type { Database } from '../../server/db/index.ts';
import { ensureAccount } from '../../server/ledger/accounts.ts';
import { createTransfers } from '../../server/ledger/transfers.ts';
import { watchChip, type SimChip } from '../sim/cards.ts';
import type { SimRandom } from '../sim/random.ts';

export const CRASH_LIMITS = {
  /** Kiosks running the full client (KioskController, Outbox, SyncLoop) at once: the storm. */
  kioskCount: 12,
  /** Three cards a kiosk, so a kiosk seldom waits for a card nobody holds. */
  cardCount: 36,
  /**
   * What each customer's quota opens with: 1,500 yuan, about fifteen average loads, so the
   * busiest cards run dry during a run and the funds check is stormed too.
   */
  quotaOpeningFen: 150_000,
  /** A load is 1 to this many yuan (whole yuan, as customers choose). */
  loadYuanMax: 200,
  /** Pause before a kiosk's next customer (seeded, ms): a storm, but not a busy loop. */
  nextCustomerMsMax: 30,
  /** The same when the last visit met a dead server. */
  nextCustomerOfflineMsMax: 500,
  /**
   * The faults of a run, in order: the server SIGKILLed three times; between the kills PostgreSQL
   * restarted (a fast stop and a start, as pg_ctlcluster restarts a cluster) and later stopped
   * for a few seconds (an immediate stop, as in a crash). `--no-database-faults`: the kills only.
   */
  faultPlan: ['server-kill', 'database-restart', 'server-kill', 'database-outage', 'server-kill'] as const,
  /**
   * A fault comes after this many more kiosk requests (seeded) since the last one was over: a
   * moment in the storm's own traffic, so it lands mid-load on a fast machine and a slow one.
   */
  killAfterRequestCountMin: 30,
  killAfterRequestCountMax: 400,
  /** ... or after this long, whichever comes first (a storm that stalls meets its fault anyway). */
  killAfterMsMax: 8_000,
  /** The same for a database fault: shorter, to keep the whole run near a minute on a busy machine. */
  databaseFaultAfterMsMax: 4_000,
  /** How long the server stays dead before it is started again (seeded, ms). */
  downMsMax: 1_500,
  /**
   * How long PostgreSQL stays stopped (an immediate stop, as in a crash) before it is started
   * again, in a database-outage round (seeded, ms): a few seconds of 503s for every kiosk.
   */
  databaseDownMsMin: 1_000,
  databaseDownMsMax: 3_000,
  /** After PostgreSQL is back, the server must answer /healthz again by itself within this (no restart of the server). */
  reconnectTimeoutMs: 30_000,
  /** After the last fault, the storm goes on this long, so replays meet new work. */
  tailMs: 2_000,
  /** Rounds of "drain every outbox, take every unsettled card to a kiosk" when healing. */
  healRoundCountMax: 5,
  /** Drains of one outbox per heal round before it is reported as stuck. */
  drainCountMax: 10,
} as const;

export const CRASH_PIN = '123456';
/** Card serials of the crash world: far from the demo's (1..9), the simulation's and the bench's. */
const CARD_SERIAL_BASE = 7_001;

export type CrashDevice = { id: string; terminalId: string; secret: string };

export const CRASH_DEVICES: readonly CrashDevice[] = Array.from({ length: CRASH_LIMITS.kioskCount }, (_, i) => ({
  id: `crash-kiosk-${i + 1}`,
  terminalId: `3201000030${String(i + 1).padStart(2, '0')}`,
  secret: `CRASH-kiosk-${i + 1}-secret-for-tests-only`,
}));

export function issueCrashChips(random: SimRandom): Map<string, SimChip> {
  const chips = new Map<string, SimChip>();
  for (let i = 0; i < CRASH_LIMITS.cardCount; i++) {
    const serial = CARD_SERIAL_BASE + i;
    const asn = buildAsn({ cardType: CARD_TYPE.USER, province: '32', serial });
    const spec = { cardNo: toHex(asn), asn, serial, role: 'single' as const, customerIndex: i, mainCardNo: null };
    const card = issueFuelCard({
      masters: DEMO_TEST_MASTER_KEYS,
      asn,
      startDate: '2024-01-01',
      expiryDate: '2034-12-31',
      holder: { holderFlag: 1 },
      pin: CRASH_PIN,
      rngSeed: random.int(1, 0x7fffffff),
    });
    const chip: SimChip = { spec, card, history: [] };
    watchChip(chip);
    chips.set(spec.cardNo, chip);
  }
  return chips;
}

/** Writes the kiosks, customers, cards and opening quotas; the demo seed must have run. */
export async function writeCrashWorld(db: Database, chips: ReadonlyMap<string, SimChip>): Promise<void> {
  await db.transaction(async (tx) => {
    const unit = async (code: string): Promise<bigint> =>
      (await tx.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id;
    const station = await unit('3201S01');
    const outlet = await unit('3201001');
    const province = await unit('32');
    for (const d of CRASH_DEVICES) {
      await tx.query("INSERT INTO device (id, kind, org_unit_id, name, terminal_id) VALUES ($1, 'kiosk', $2, $1, $3)", [
        d.id,
        station,
        d.terminalId,
      ]);
      // Sealed under the KEK the crash server is started with (server-process.ts).
      await storeDeviceSecret(tx, DEMO_KEK_HEX, d.id, d.secret);
    }
    const bank = await ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: province });
    for (const chip of chips.values()) {
      const name = `崩溃测试客户${chip.spec.customerIndex + 1}`;
      const customer = (
        await tx.query<{ id: bigint }>("INSERT INTO customer (kind, name, org_unit_id) VALUES ('personal', $1, $2) RETURNING id", [
          name,
          outlet,
        ])
      ).rows[0]!.id;
      await tx.query(
        `INSERT INTO card (card_no, customer_id, card_type, role, main_card_no, named, state, key_version, expires_on, issued_at, online_ttc_seen)
         VALUES ($1, $2, 'user', 'single', NULL, true, 'active', 1, '2034-12-31', now(), 0)`,
        [chip.spec.cardNo, customer],
      );
      await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: chip.spec.cardNo, customerId: customer });
      const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: customer });
      await createTransfers(tx, [
        { debitAccountId: bank, creditAccountId: quota, amountFen: BigInt(CRASH_LIMITS.quotaOpeningFen), code: 'OPENING' },
      ]);
    }
  });
}
