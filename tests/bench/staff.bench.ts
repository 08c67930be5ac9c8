/**
 * The outlet tablet's card issuing figure:
 * - `staff.issue_card_ms`: a bureau stock card inserted in the virtual CCID reader → issued to a
 *   customer (src/staff/issue.ts: read, start, EF16, CHANGE PIN, EF1B, probe, complete) and its
 *   first load (圈存, 100.00 yuan from the customer's quota) done on the card, machine time: the
 *   tablet's real ApiClient, outbox and reader stack against the real server (PGlite, the demo
 *   data) through fastify's inject, no socket and no person typing. The median of several cards
 *   after one warm-up. Goal ≤ 1,500.
 */
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { toHex } from '../../ccid/bytes.ts';
import { createDemoStockCard } from '../../ccid/sim/demo/stock.ts';
import { buildApp } from '../../server/app.ts';
import { DEMO_KEK_HEX } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import type { TestApp } from '../../server/testing/app.ts';
import { runOnlineTransaction } from '../../src/lib/online/transaction.ts';
import type { HttpStaffBackend } from '../../src/staff/backend.ts';
import { runIssue } from '../../src/staff/issue.ts';
import { staffRig } from '../../src/staff/testing/rig.ts';
import type { BenchResult } from './types.ts';
import { openTestShift } from '../../server/testing/shifts.ts';

const CARD_COUNT = 7;
const FIRST_LOAD_FEN = 10_000;
const PIN = '135790';
const FIRST_SERIAL = 950;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<BenchResult[]> {
  const db: Database = await openDatabase({});
  let app: FastifyInstance | undefined;
  try {
    await migrate(db);
    await seedDemo(db);
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX }, logger: false });
    // The rig needs the app and the database of a TestApp only (it signs in and signs requests itself).
    const rig = await staffRig({ app, db } as unknown as TestApp);
    const customer = await db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'");
    const customerId = String(customer.rows[0]!.id);
    await openTestShift(db as Parameters<typeof openTestShift>[0]); // the card fee goes into the clerk's shift drawer
    const timesMs: number[] = [];
    try {
      for (let i = 0; i <= CARD_COUNT; i++) {
        const { card, asn } = createDemoStockCard({ serial: FIRST_SERIAL + i });
        const cardNo = toHex(asn);
        await db.query(
          "INSERT INTO card (card_no, card_type, role, named, state, key_version, expires_on, stock_unit_id) SELECT $1, 'user', 'single', false, 'stock', 1, '2036-12-31', org_unit_id FROM operator WHERE username = 'demo.operator'",
          [cardNo],
        );
        const started = performance.now();
        const transmit = await rig.insert(card);
        await runIssue(
          { backend: rig.backend as HttpStaffBackend },
          { transmit, customerId, role: 'single', feeFen: 2_000, customerPin: () => Promise.resolve(PIN) },
        );
        await runOnlineTransaction({ port: rig.backend, db: rig.db, terminalId: rig.deps.terminalId, nowMs: Date.now() }, transmit, {
          kind: 'load',
          cardNo,
          amountFen: FIRST_LOAD_FEN,
        });
        if (i > 0) timesMs.push(performance.now() - started); // the first card warms up
      }
      await rig.sync.drain();
    } finally {
      await rig.close();
    }
    return [{ name: 'staff.issue_card_ms', value: median(timesMs), unit: 'ms' }];
  } finally {
    await app?.close();
    await db.close();
  }
}
