/**
 * The demo's people, keys, cards and money: operators of every role, device secrets, the issuer
 * master keys (sealed under the key-encryption key), the cards of ccid/sim/demo-cards.ts with the
 * same card numbers, and accounts whose purse mirrors equal what those simulated chips hold.
 *
 * DEMO/TEST ONLY: the master keys are the public test keys of docs/card-protocol.md §4.3 (MLK =
 * 11..11 ...), the passwords and device secrets are printed here. Never seed them into a real
 * installation.
 */
import { DEMO_TEST_MASTER_KEYS } from '../../ccid/crypto/demo-keys.ts';
import type { Sql } from '../db/index.ts';
import { hashPassword } from '../auth/secrets.ts';
import { storeDeviceSecret } from '../auth/device-keys.ts';
import { storeMasterKey } from '../keys/software.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { createTransfers } from '../ledger/transfers.ts';

type Units = { provinceId: bigint; centerId: bigint; outletId: bigint; stationId: bigint; otherCityOutletId: bigint };

export const DEMO_OPERATOR_PASSWORD = 'demo-password-123';
export const DEMO_DEVICE_SECRETS = {
  'demo-kiosk-1': 'DEMO-kiosk-1-secret-not-for-production',
  'demo-tablet-1': 'DEMO-tablet-1-secret-not-for-production',
} as const;

/**
 * docs/card-protocol.md §4.3 test master keys, key version 1 (the version digit of the demo card
 * numbers); MAMTK for issuing the demo's stock cards (server/cards/issue.ts).
 */
const DEMO_MASTER_KEYS = (['MLK', 'MPK', 'MTK', 'MULK', 'MUGK', 'MPUK', 'MRPK', 'MAMTK'] as const).map(
  (kind) => [kind, DEMO_TEST_MASTER_KEYS[kind]] as const,
);
export const DEMO_KEY_VERSION = 1;

/** A card number as ccid/sim/fuel-card-files.ts buildAsn makes it: 0100 type(2) keyVer(1) province(2) 00 serial(9). */
export function demoCardNo(serial: number, cardType = '01'): string {
  return `0100${cardType}${DEMO_KEY_VERSION}3200${String(serial).padStart(9, '0')}`;
}

const OPERATORS = [
  { username: 'demo.operator', name: '演示营业员', role: 'outlet_operator', unit: 'outletId' },
  { username: 'demo.supervisor', name: '演示网点主管', role: 'outlet_supervisor', unit: 'outletId' },
  { username: 'demo.center', name: '演示中心操作员', role: 'center_operator', unit: 'centerId' },
  { username: 'demo.admin', name: '演示管理员', role: 'administrator', unit: 'provinceId' },
  { username: 'demo.other', name: '演示外市营业员', role: 'outlet_operator', unit: 'otherCityOutletId' },
] as const;

/**
 * The demo devices' published secrets, sealed under the KEK. Also run at each demo start on a
 * database seeded before devices signed their requests (its demo devices had only a hash), and
 * for one whose devices were re-enrolled, so the documented secrets always work in demo mode.
 */
export async function storeDemoDeviceSecrets(tx: Sql, kekHex: string): Promise<void> {
  for (const [deviceId, secret] of Object.entries(DEMO_DEVICE_SECRETS)) await storeDeviceSecret(tx, kekHex, deviceId, secret);
}

export async function prepareDemoSecrets(): Promise<{ passwordHash: string }> {
  return { passwordHash: await hashPassword(DEMO_OPERATOR_PASSWORD) };
}

type DemoCardSpec = {
  serial: number;
  holder: string;
  role: 'single' | 'main' | 'sub';
  named: boolean;
  purseFen: number;
  loads: number;
  expiresOn?: string;
  grey?: boolean;
  reserveFen?: number;
};

/** Serials 1–6 are the simulated demo cards (the employee card, 7, holds no money and is not here). */
const DEMO_CARDS: readonly DemoCardSpec[] = [
  { serial: 1, holder: '演示客户张伟', role: 'single', named: true, purseFen: 80_000, loads: 2 },
  { serial: 8, holder: '演示物流有限公司', role: 'main', named: true, purseFen: 0, loads: 0, reserveFen: 0 },
  { serial: 2, holder: '演示物流有限公司', role: 'sub', named: true, purseFen: 200_000, loads: 1, reserveFen: 300_000 },
  { serial: 3, holder: '演示不记名卡持有人', role: 'single', named: false, purseFen: 10_000, loads: 1 },
  { serial: 4, holder: '演示客户王芳', role: 'single', named: true, purseFen: 40_000, loads: 1, grey: true },
  { serial: 5, holder: '演示客户刘洋', role: 'single', named: true, purseFen: 20_000, loads: 1 },
  { serial: 6, holder: '演示客户陈静', role: 'single', named: true, purseFen: 5_000, loads: 1, expiresOn: '2020-12-31' },
  { serial: 9, holder: '演示外市客户', role: 'single', named: true, purseFen: 0, loads: 0 },
];

/** The cards of one demo kiosk's virtual reader, with the unit's main card behind its sub card; not the other city's. */
export const DEMO_KIOSK_CARD_SERIALS: readonly number[] = [1, 8, 2, 3, 4, 5, 6];

const QUOTA_OPENING_FEN: Record<string, number> = {
  演示客户张伟: 100_000,
  演示物流有限公司: 500_000,
  演示外市客户: 50_000,
  演示不记名卡持有人: 20_000,
};
const UNIT_CUSTOMERS: readonly string[] = ['演示物流有限公司'];

async function customerId(tx: Sql, name: string, units: Units): Promise<bigint> {
  const found = await tx.query<{ id: bigint }>('SELECT id FROM customer WHERE name = $1', [name]);
  if (found.rows[0]) return found.rows[0].id;
  const unit = name === '演示外市客户' ? units.otherCityOutletId : units.outletId;
  const inserted = await tx.query<{ id: bigint }>(
    "INSERT INTO customer (kind, name, org_unit_id) VALUES ('personal', $1, $2) RETURNING id",
    [name, unit],
  );
  return inserted.rows[0]!.id;
}

/**
 * A set of demo cards and the money behind them: each card numbered from `serialBase` (as
 * ccid/sim/demo-cards.ts numbers the chips of that set), its purse mirror equal to what the chip
 * holds, its counter as the chip's, and the opening quotas of the holders in the set.
 * `customerOf` names the holder's customer row.
 */
export async function seedDemoCardSet(
  tx: Sql,
  options: { bank: bigint; serialBase: number; serials: readonly number[]; customerOf: (holder: string) => Promise<bigint> },
): Promise<void> {
  const { bank, serialBase } = options;
  const cards = DEMO_CARDS.filter((c) => options.serials.includes(c.serial));
  for (const c of cards) {
    const customer = await options.customerOf(c.holder);
    const cardNo = demoCardNo(serialBase + c.serial);
    await tx.query(
      `INSERT INTO card (card_no, customer_id, card_type, role, main_card_no, named, state, key_version, expires_on, issued_at, online_ttc_seen, grey)
       VALUES ($1, $2, 'user', $3, $4, $5, 'active', $6, $7, now(), $8, $9)`,
      [
        cardNo,
        customer,
        c.role,
        c.role === 'sub' ? demoCardNo(serialBase + 8) : null,
        c.named,
        DEMO_KEY_VERSION,
        c.expiresOn ?? '2034-12-31',
        c.loads,
        c.grey ?? false,
      ],
    );
    const purse = await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo, customerId: customer });
    if (c.purseFen > 0)
      await createTransfers(tx, [{ debitAccountId: bank, creditAccountId: purse, amountFen: BigInt(c.purseFen), code: 'OPENING' }]);
    if (c.reserveFen !== undefined) {
      const reserve = await ensureAccount(tx, 'RESERVE', { kind: 'card', cardNo, customerId: customer });
      if (c.reserveFen > 0)
        await createTransfers(tx, [{ debitAccountId: bank, creditAccountId: reserve, amountFen: BigInt(c.reserveFen), code: 'OPENING' }]);
    }
  }
  const holders = new Set(cards.map((c) => c.holder));
  for (const [holder, amount] of Object.entries(QUOTA_OPENING_FEN)) {
    if (!holders.has(holder)) continue;
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: await options.customerOf(holder) });
    await createTransfers(tx, [{ debitAccountId: bank, creditAccountId: quota, amountFen: BigInt(amount), code: 'OPENING' }]);
  }
}

/** Customers of their own for a demo kiosk's cards, named after the seeded ones and the kiosk. */
export function demoKioskCustomers(tx: Sql, outletId: bigint, kioskNumber: number): (holder: string) => Promise<bigint> {
  const made = new Map<string, Promise<bigint>>();
  return (holder) => {
    let id = made.get(holder);
    if (!id) {
      const kind = UNIT_CUSTOMERS.includes(holder) ? 'unit' : 'personal';
      id = tx
        .query<{ id: bigint }>('INSERT INTO customer (kind, name, org_unit_id) VALUES ($1, $2, $3) RETURNING id', [
          kind,
          `${holder}（演示终端 ${kioskNumber}）`,
          outletId,
        ])
        .then((r) => r.rows[0]!.id);
      made.set(holder, id);
    }
    return id;
  };
}

async function seedCards(tx: Sql, units: Units, bank: bigint): Promise<void> {
  await seedDemoCardSet(tx, {
    bank,
    serialBase: 0,
    serials: DEMO_CARDS.map((c) => c.serial),
    customerOf: (holder) => customerId(tx, holder, units),
  });
}

export async function seedDemoMoney(tx: Sql, units: Units, options: { kekHex: string; prepared: { passwordHash: string } }): Promise<void> {
  for (const [kind, key] of DEMO_MASTER_KEYS) await storeMasterKey(tx, options.kekHex, kind, DEMO_KEY_VERSION, key.slice());
  for (const op of OPERATORS) {
    await tx.query('INSERT INTO operator (username, display_name, org_unit_id, role, password_hash) VALUES ($1, $2, $3, $4, $5)', [
      op.username,
      op.name,
      units[op.unit],
      op.role,
      options.prepared.passwordHash,
    ]);
  }
  await storeDemoDeviceSecrets(tx, options.kekHex);
  const bank = await ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: units.provinceId });
  await seedCards(tx, units, bank);
}
