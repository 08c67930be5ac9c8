/**
 * The invariants (docs/ledger.md "Invariants and where each is enforced"), read from the server's
 * database, the chips and the devices' IndexedDB:
 * - during the run: the ledger's own check (sums zero, figures equal their transfers, nothing below
 *   zero where it may not go), no load voided whose MAC2 the card has accepted, and no card holding
 *   money the ledger did not post (nor lacking money it did: checkChipMoney);
 * - at the end, after healing and settling: nothing pending, each chip's purse equals its PURSE
 *   mirror, every chip transaction posted exactly once and nothing posted that no chip did, no
 *   card alarm raised, every outbox operation the devices ever held applied exactly once with the
 *   same answer, every device drained, no device's journal still holding an open load or unload,
 *   and each operator's cash drawer equal to the cash the simulation handed over.
 */
import type { Database } from '../../server/db/index.ts';
import { checkLedger } from '../../server/ledger/check.ts';
import type { OutboxRecord } from '../../src/lib/device-db/database.ts';
import { chipMoneyFen, type SimChip } from './cards.ts';

export type Violation = { rule: string; detail: string };

type LoadRow = {
  id: string;
  kind: string;
  card_no: string;
  online_ttc: number;
  amount_fen: bigint;
  state: string;
  mac2: string;
  settled_by: string | null;
};

type PurseRow = { card_no: string; posted: bigint; pending_in: bigint; pending_out: bigint };

async function purseMirrors(db: Database): Promise<Map<string, PurseRow>> {
  const purses = await db.query<PurseRow>(
    "SELECT card_no, credits_posted - debits_posted AS posted, credits_pending AS pending_in, debits_pending AS pending_out FROM account WHERE code = 'PURSE'",
  );
  return new Map(purses.rows.map((r) => [r.card_no, r]));
}

/**
 * No card holds money the ledger did not post: at any moment a chip's money (ED and EP) is at
 * most its PURSE mirror plus the loads still pending (the card may have taken them already), and
 * at least the mirror minus the unloads still pending (it may have paid them out already). Above
 * is money made on a chip (a load voided that the card took, a MAC2 the card should have refused);
 * below is money a card lost (an unload voided that the card made). With nothing pending the two
 * bounds meet: chip equals mirror. Purchases would take money off a chip before the ledger hears of
 * them (the mirror minus collected purchases); the simulation makes none.
 */
export async function checkChipMoney(db: Database, chips: ReadonlyMap<string, SimChip>): Promise<Violation[]> {
  const violations: Violation[] = [];
  const mirrors = await purseMirrors(db);
  for (const chip of chips.values()) {
    const mirror = mirrors.get(chip.spec.cardNo);
    if (!mirror) continue;
    const onChip = BigInt(chipMoneyFen(chip));
    const figures = `chip ${onChip}, mirror ${mirror.posted} (pending +${mirror.pending_in} −${mirror.pending_out})`;
    if (onChip > mirror.posted + mirror.pending_in) {
      violations.push({
        rule: 'purse.chip_above_ledger',
        detail: `card ${chip.spec.cardNo} holds ${onChip - mirror.posted - mirror.pending_in} fen the ledger never gave it: ${figures}`,
      });
    } else if (onChip < mirror.posted - mirror.pending_out) {
      violations.push({
        rule: 'purse.chip_below_ledger',
        detail: `card ${chip.spec.cardNo} lacks ${mirror.posted - mirror.pending_out - onChip} fen the ledger says it holds: ${figures}`,
      });
    }
  }
  return violations;
}

export async function checkDuring(db: Database, chips: ReadonlyMap<string, SimChip>): Promise<Violation[]> {
  const violations: Violation[] = (await checkLedger(db)).map((v) => ({
    rule: `ledger.${v.rule}`,
    detail: `account ${String(v.accountId)} ${v.detail}`,
  }));
  violations.push(...(await checkChipMoney(db, chips)));
  const applied = new Set<string>();
  for (const chip of chips.values()) for (const t of chip.history) applied.add(`${t.cardNo}:${t.mac2}`);
  const voided = await db.query<LoadRow>("SELECT id, card_no, online_ttc, mac2, settled_by FROM card_load WHERE state = 'voided'");
  for (const l of voided.rows) {
    if (applied.has(`${l.card_no}:${l.mac2.toUpperCase()}`)) {
      violations.push({
        rule: 'load.voided_but_applied_on_card',
        detail: `load ${l.id} of card ${l.card_no} at counter ${l.online_ttc} voided (${l.settled_by}) though the card accepted its MAC2`,
      });
    }
  }
  return violations;
}

async function checkLoads(db: Database, chips: ReadonlyMap<string, SimChip>): Promise<Violation[]> {
  const violations: Violation[] = [];
  const rows = (await db.query<LoadRow>('SELECT id, kind, card_no, online_ttc, amount_fen, state, mac2, settled_by FROM card_load')).rows;
  for (const l of rows)
    if (l.state === 'pending')
      violations.push({ rule: 'load.still_pending', detail: `load ${l.id} of card ${l.card_no} at counter ${l.online_ttc} never settled` });
  const byMac2 = new Map(rows.map((l) => [`${l.card_no}:${l.mac2.toUpperCase()}`, l]));
  for (const chip of chips.values()) {
    for (const t of chip.history) {
      const l = byMac2.get(`${t.cardNo}:${t.mac2}`);
      if (!l)
        violations.push({
          rule: 'load.unknown_to_server',
          detail: `card ${t.cardNo} ${t.kind} at counter ${t.onlineTtc} has no server record`,
        });
      else if (l.state !== 'posted' || Number(l.amount_fen) !== t.amountFen || l.kind !== t.kind) {
        violations.push({
          rule: 'load.card_applied_server_disagrees',
          detail: `card ${t.cardNo} ${t.kind} ${t.amountFen} at counter ${t.onlineTtc}: server ${l.kind} ${l.amount_fen} ${l.state}`,
        });
      }
    }
  }
  const applied = new Set([...chips.values()].flatMap((c) => c.history.map((t) => `${t.cardNo}:${t.mac2}`)));
  for (const l of rows) {
    if (l.state === 'posted' && !applied.has(`${l.card_no}:${l.mac2.toUpperCase()}`)) {
      violations.push({
        rule: 'load.posted_but_not_on_card',
        detail: `load ${l.id} of card ${l.card_no} at counter ${l.online_ttc} posted (${l.settled_by}) but the card never accepted it`,
      });
    }
  }
  return violations;
}

async function checkPurses(db: Database, chips: ReadonlyMap<string, SimChip>): Promise<Violation[]> {
  const violations: Violation[] = [];
  const byCard = await purseMirrors(db);
  for (const chip of chips.values()) {
    const mirror = byCard.get(chip.spec.cardNo);
    const onChip = chipMoneyFen(chip);
    if (!mirror) violations.push({ rule: 'purse.no_mirror', detail: `card ${chip.spec.cardNo}` });
    else if (Number(mirror.posted) !== onChip || mirror.pending_in !== 0n || mirror.pending_out !== 0n) {
      violations.push({
        rule: 'purse.chip_differs_from_mirror',
        detail: `card ${chip.spec.cardNo}: chip ${onChip}, mirror ${mirror.posted} (pending +${mirror.pending_in} −${mirror.pending_out})`,
      });
    }
  }
  return violations;
}

/** What the simulation knows each device ever held in its outbox (read after every event). */
export type OutboxSighting = { id: string; seq: number; type: string };

type OperationRow = { id: string; device_id: string; seq: bigint; type: string; status: string };

export async function checkOutboxes(
  db: Database,
  devices: ReadonlyArray<{ deviceId: string; records: OutboxRecord[]; seen: ReadonlyMap<string, OutboxSighting> }>,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const operations = (await db.query<OperationRow>('SELECT id, device_id, seq, type, status FROM operation WHERE seq IS NOT NULL')).rows;
  const heads = new Map(
    (await db.query<{ device_id: string; last_seq: bigint }>('SELECT device_id, last_seq FROM device_sync')).rows.map((r) => [
      r.device_id,
      Number(r.last_seq),
    ]),
  );
  for (const d of devices) {
    const onServer = new Map(operations.filter((o) => o.device_id === d.deviceId).map((o) => [o.id, o]));
    const local = new Map(d.records.map((r) => [r.id, r]));
    for (const r of d.records) {
      if (r.status === 'queued')
        violations.push({ rule: 'device.not_drained', detail: `${d.deviceId} still holds ${r.type} seq ${r.seq}` });
      const o = onServer.get(r.id);
      if (!o && r.status !== 'queued')
        violations.push({ rule: 'outbox.settled_but_unknown_to_server', detail: `${d.deviceId} ${r.type} seq ${r.seq} ${r.status}` });
      if (o && (Number(o.seq) !== r.seq || (r.status !== 'queued' && o.status !== r.status))) {
        violations.push({
          rule: 'outbox.answer_differs',
          detail: `${d.deviceId} ${r.type} seq ${r.seq}: device ${r.status}, server seq ${o.seq} ${o.status}`,
        });
      }
    }
    for (const s of d.seen.values()) {
      if (!local.has(s.id))
        violations.push({
          rule: 'outbox.entry_lost',
          detail: `${d.deviceId} ${s.type} seq ${s.seq} was queued and is gone from the device`,
        });
      if (!onServer.has(s.id))
        violations.push({ rule: 'outbox.never_applied', detail: `${d.deviceId} ${s.type} seq ${s.seq} never reached the server` });
    }
    for (const o of onServer.values()) {
      if (!local.has(o.id) && !d.seen.has(o.id))
        violations.push({ rule: 'outbox.applied_but_never_queued', detail: `${d.deviceId} ${o.type} seq ${o.seq}` });
    }
    const maxSeq = Math.max(0, ...d.records.map((r) => r.seq));
    const head = heads.get(d.deviceId) ?? 0;
    if (head !== maxSeq)
      violations.push({ rule: 'outbox.server_head_differs', detail: `${d.deviceId}: device up to seq ${maxSeq}, server at ${head}` });
  }
  return violations;
}

/** After healing every card came back: no device's journal may still hold a load or unload the card's counter has not settled. */
export function checkJournals(
  devices: ReadonlyArray<{ deviceId: string; open: ReadonlyArray<{ loadId: string; cardNo: string; kind?: string }> }>,
): Violation[] {
  return devices.flatMap((d) =>
    d.open.map((j) => ({
      rule: 'journal.still_open',
      detail: `${d.deviceId} ${j.kind ?? 'load'} ${j.loadId} of card ${j.cardNo} never settled on the device`,
    })),
  );
}

/**
 * Every drawer equals the cash it took (docs/ledger.md "Shifts and drawers"): an open shift's
 * drawer holds its float plus the cash receipts taken into it (card fees in, cash paid out: none
 * in this workload), and a closed shift's drawer exactly the cash counted at the close.
 */
export async function checkCashDrawers(db: Database, takenFen: ReadonlyMap<string, number>): Promise<Violation[]> {
  const violations: Violation[] = [];
  const rows = await db.query<{ username: string; closed: boolean; float: bigint; counted: bigint | null; balance: bigint }>(
    `SELECT o.username, s.closed_at IS NOT NULL AS closed, s.opening_float_fen AS float, s.counted_fen AS counted,
            coalesce(a.debits_posted - a.credits_posted, 0) AS balance
       FROM shift s JOIN operator o ON o.id = s.operator_id
       LEFT JOIN account a ON a.code = 'CASH' AND a.owner_key = 'shift:' || s.id::text`,
  );
  for (const r of rows.rows)
    if (r.closed && r.balance !== r.counted)
      violations.push({
        rule: 'cash.closed_drawer_differs',
        detail: `${r.username}: counted ${r.counted} fen at the close, the drawer books ${r.balance}`,
      });
  const open = new Map(rows.rows.filter((r) => !r.closed).map((r) => [r.username, Number(r.balance) - Number(r.float)]));
  for (const [username, taken] of takenFen) {
    const booked = open.get(username) ?? 0;
    if (booked !== taken)
      violations.push({
        rule: 'cash.drawer_differs',
        detail: `${username}: took ${taken} fen in cash, the ledger books ${booked} above the float`,
      });
  }
  return violations;
}

/**
 * No card alarm (server/loads/chip-check.ts): with honest chips and a right ledger no chip ever
 * shows more than the ledger gave it, so an alarm is either money made or a false alarm that
 * stopped an honest card's loads. Either is a bug.
 */
async function checkAlarms(db: Database): Promise<Violation[]> {
  const alarms = await db.query<{
    card_no: string;
    chip_balance_fen: bigint;
    ledger_max_fen: bigint;
    online_ttc: number;
    device_id: string | null;
  }>('SELECT card_no, chip_balance_fen, ledger_max_fen, online_ttc, device_id FROM card_alarm ORDER BY id');
  return alarms.rows.map((a) => ({
    rule: 'card.alarm_raised',
    detail: `card ${a.card_no} at counter ${a.online_ttc} showed ${a.chip_balance_fen} fen to ${a.device_id ?? 'a user'}, above the ledger's ${a.ledger_max_fen}`,
  }));
}

export async function checkEnd(db: Database, chips: ReadonlyMap<string, SimChip>): Promise<Violation[]> {
  return [
    ...(await checkDuring(db, chips)),
    ...(await checkLoads(db, chips)),
    ...(await checkPurses(db, chips)),
    ...(await checkAlarms(db)),
  ];
}
