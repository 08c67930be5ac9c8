/**
 * Issuing station cards 站内卡 (docs/domain.md § Station cards): an employee (员工卡), maintenance
 * (维修卡) or pump-verification (验泵卡, type `test`) card goes from a management centre's own stock
 * to one filling station of the centre's subtree. The card steps are those of a customer card
 * (server/cards/issue.ts, docs/card-protocol.md §3.2–3.3): the server builds each secure UPDATE
 * BINARY of EF16 (the holder) and EF1B[0] (PIN mode 01: the holder's PIN, set on the pad) for the
 * card's challenge with MAMTK, and the completion takes the read-back. Only the pump-verification
 * card has a purse (the chip refuses purse commands on the others): for it the completion also
 * takes an INITIALIZE FOR LOAD probe whose MAC1 proves the genuine card answered after the last
 * write with an empty purse. An employee or maintenance card's read-back is the client's word, as
 * a customer card's is (server/cards/issue.ts): no money ever moves on these cards.
 *
 * What differs: no customer, no fee, no accounts. The card type comes from the bureau in the ASN
 * and must be the one the operator chose; the holder is the employee's name and staff number, the
 * servicing unit or person, or the station manager. A station card's purse is never loaded
 * (server/cards/card.ts refuses it CARD_HAS_NO_PURSE). Each card belongs to exactly one station (the
 * later white list's rule); withdrawing it (an employee leaves) closes the card and drops it from
 * the station's list of issued cards.
 *
 * Start, complete and withdraw are exactly once by the client's operation id (the first answer is
 * replayed; the hash covers the operator). Everything of one card runs under the card's row lock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import { encodeEf16 } from '../../ccid/fuelcard/files.ts';
import { SFI } from '../../ccid/fuelcard/spec.ts';
import type { Sql } from '../db/index.ts';
import type {
  IssueWriteRequest,
  IssueWriteResponse,
  StationCardCompleteRequest,
  StationCardList,
  StationCardStartRequest,
  StationCardType,
  StationCardView,
  StationCardWithdrawRequest,
} from '../contract/index.ts';
import { STATION_CARDS_LISTED_MAX, stationCardHasPurse } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import { inScope, type Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { KeyStoreError } from '../keys/keystore.ts';
import type { Services } from '../http/services.ts';
import { recordOperation, replayOf, requestHash } from '../sync/records.ts';
import { requireKeyStore } from '../loads/online.ts';
import { actingUnitId } from '../stock/acting-unit.ts';
import { chinaDateTime, readCard } from './card.ts';
import { PIN_MODE_CUSTOMER } from './issue.ts';

type StationCardRow = {
  id: string;
  card_no: string;
  station_id: bigint;
  card_type: StationCardType;
  holder_name: string;
  holder_number: string;
  probe_challenge: string | null;
  probe_write: string | null;
  state: 'started' | 'issued' | 'cancelled' | 'withdrawn';
  issued_at: Date | null;
  withdrawn_at: Date | null;
  withdraw_reason: string | null;
  expires_on: string | null;
};
const COLUMNS = `s.id, s.card_no, s.station_id, s.card_type, s.holder_name, s.holder_number, s.probe_challenge, s.probe_write, s.state,
  s.issued_at, s.withdrawn_at, s.withdraw_reason, CASE WHEN s.state IN ('issued', 'withdrawn') THEN to_char(c.expires_on, 'YYYYMMDD') END AS expires_on`;
const FROM = 'FROM station_card s JOIN card c ON c.card_no = s.card_no';

const STATION_CARD_TYPES: ReadonlySet<string> = new Set<StationCardType>(['employee', 'maintenance', 'test']);
/** EF16 byte 0: one holder per card. */
const HOLDER_FLAG_SINGLE = 1;
/** EF16 byte 1: 0 marks a Sinopec employee's card (§3.2): every station card's holder is the company's. */
const EMPLOYEE_FLAG_STAFF = 0;
/** EF16 byte 40: 4 other; the holder's number (staff number, unit code) is its ID number. */
const ID_TYPE_OTHER = 4;
/** How long an issued card runs when its stock row names no expiry. */
const CARD_LIFE_YEARS = 10;
const PROBE_CHALLENGE_BYTES = 6;

function ef16Of(row: Pick<StationCardRow, 'holder_name' | 'holder_number'>): Uint8Array {
  return encodeEf16({
    holderFlag: HOLDER_FLAG_SINGLE,
    employeeFlag: EMPLOYEE_FLAG_STAFF,
    holderName: row.holder_name,
    idNumber: row.holder_number,
    idType: ID_TYPE_OTHER,
  });
}

function iso(at: Date | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

function viewOf(row: StationCardRow): StationCardView {
  return {
    stationCardId: row.id,
    cardNo: row.card_no,
    stationId: String(row.station_id),
    cardType: row.card_type,
    holder: { name: row.holder_name, number: row.holder_number },
    ef16: toHex(ef16Of(row)).toUpperCase(),
    state: row.state,
    expiresOn: row.expires_on,
    issuedAt: iso(row.issued_at),
    withdrawnAt: iso(row.withdrawn_at),
    withdrawReason: row.withdraw_reason,
  };
}

/** Runs `work` exactly once by operation id: a request seen before answers its first answer. */
async function once<T>(
  services: Services,
  principal: Principal,
  type: string,
  operationId: string,
  request: unknown,
  work: (tx: Sql) => Promise<T>,
): Promise<T> {
  const hash = requestHash(type, { operatorId: String(principal.operatorId), request });
  try {
    return await services.db.transaction(async (tx) => {
      const seen = await replayOf(tx, principal.deviceId, operationId, hash);
      if (seen) return seen.result as T;
      const result = await work(tx);
      await recordOperation(tx, { id: operationId, deviceId: principal.deviceId, seq: null, type, hash, status: 'applied', result });
      return result;
    });
  } catch (error) {
    // Two sends of one operation at once: the loser met the winner's record and answers as it did.
    if ((error as { code?: string }).code === '23505') {
      const winner = await replayOf(services.db, principal.deviceId, operationId, hash);
      if (winner) return winner.result as T;
    }
    throw error;
  }
}

/** A `station` unit in the principal's subtree, else STATION_INVALID (nothing said of stations elsewhere). */
async function requireStation(tx: Sql, principal: Principal, stationId: string): Promise<bigint> {
  const found = await tx.query<{ id: bigint; kind: string }>('SELECT id, kind FROM org_unit WHERE id = $1', [stationId]);
  const unit = found.rows[0];
  if (!unit || unit.kind !== 'station' || !(await inScope(tx, principal, unit.id))) throw new ApiError('STATION_INVALID');
  return unit.id;
}

async function readRow(tx: Sql, id: string, lock: boolean): Promise<StationCardRow | null> {
  const found = await tx.query<StationCardRow>(`SELECT ${COLUMNS} ${FROM} WHERE s.id = $1${lock ? ' FOR UPDATE OF s' : ''}`, [id]);
  return found.rows[0] ?? null;
}

/** The station card and its card, both locked (the card first), of a station in the principal's subtree. */
async function lockStationCard(tx: Sql, principal: Principal, id: string): Promise<StationCardRow> {
  const found = await tx.query<{ card_no: string; station_id: bigint }>('SELECT card_no, station_id FROM station_card WHERE id = $1', [id]);
  const first = found.rows[0];
  if (!first || !(await inScope(tx, principal, first.station_id))) throw new ApiError('STATION_CARD_NOT_FOUND');
  await readCard(tx, principal, { cardNo: first.card_no }, true);
  return (await readRow(tx, id, true))!;
}

async function keyed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyStoreError && error.code === 'KEY_VERSION_UNKNOWN') throw new ApiError('KEY_VERSION_UNKNOWN');
    throw error;
  }
}

export function startStationCard(services: Services, principal: Principal, r: StationCardStartRequest): Promise<StationCardView> {
  return once(services, principal, 'station_card.start', r.operationId, r, async (tx) => {
    const card = await readCard(tx, principal, { cardNo: r.cardNo }, true);
    if (!STATION_CARD_TYPES.has(card.card_type) || card.card_type !== r.cardType) throw new ApiError('STATION_CARD_TYPE_INVALID');
    const stationId = await requireStation(tx, principal, r.stationId);
    if (card.state !== 'stock') throw new ApiError('ISSUE_CARD_NOT_IN_STOCK');
    // Issued from the centre's own stock: the card lies at the unit the centre acts for.
    const acting = await actingUnitId(tx, principal);
    const held = await tx.query<{ stock_unit_id: bigint | null }>('SELECT stock_unit_id FROM card WHERE card_no = $1', [card.card_no]);
    const heldAt = held.rows[0]?.stock_unit_id ?? null;
    if (heldAt === null || acting === null || heldAt !== acting) throw new ApiError('STATION_CARD_NOT_IN_STOCK');
    const row: StationCardRow = {
      id: randomUUID(),
      card_no: card.card_no,
      station_id: stationId,
      card_type: r.cardType,
      holder_name: r.holder.name,
      holder_number: r.holder.number,
      probe_challenge: null,
      probe_write: null,
      state: 'started',
      issued_at: null,
      withdrawn_at: null,
      withdraw_reason: null,
      expires_on: null,
    };
    try {
      ef16Of(row); // the name must fit 20 GBK bytes
    } catch {
      throw new ApiError('ISSUE_HOLDER_INVALID');
    }
    const started = await tx.query<StationCardRow>(`SELECT ${COLUMNS} ${FROM} WHERE s.card_no = $1 AND s.state = 'started'`, [
      card.card_no,
    ]);
    const before = started.rows[0];
    if (before) {
      // The same issuance asked again (a pulled card, a lost answer): its started row, unchanged.
      if (before.station_id === stationId && before.holder_name === row.holder_name && before.holder_number === row.holder_number)
        return viewOf(before);
      // Another choice for the card (a typo put right): nothing was paid, the earlier start gives way.
      await tx.query("UPDATE station_card SET state = 'cancelled' WHERE id = $1", [before.id]);
    }
    await tx.query(
      `INSERT INTO station_card (id, card_no, station_id, card_type, holder_name, holder_number, state, issued_by_unit_id, operator_id,
         device_id, start_operation_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'started', $7, $8, $9, $10)`,
      [
        row.id,
        row.card_no,
        stationId,
        row.card_type,
        row.holder_name,
        row.holder_number,
        heldAt,
        principal.operatorId,
        principal.deviceId,
        r.operationId,
      ],
    );
    await appendAudit(tx, principal, {
      action: 'station_card.start',
      subject: card.card_no,
      detail: { stationCardId: row.id, stationId: r.stationId, cardType: r.cardType, supersedes: before?.id ?? null },
    });
    return viewOf(row);
  });
}

/** One secure write of the station card's issue, for the card's challenge; a fresh probe challenge with it. */
export function stationCardWrite(services: Services, principal: Principal, id: string, r: IssueWriteRequest): Promise<IssueWriteResponse> {
  const keys = requireKeyStore(services);
  return services.db.transaction(async (tx) => {
    const row = await lockStationCard(tx, principal, id);
    if (row.state !== 'started') throw new ApiError('ISSUE_NOT_STARTED');
    const card = await readCard(tx, principal, { cardNo: row.card_no }, false);
    const [sfi, data] = r.file === 'EF16' ? [SFI.EF16, ef16Of(row)] : [SFI.EF1B, Uint8Array.of(PIN_MODE_CUSTOMER)];
    const command = await keyed(() =>
      keys.secureWrite(tx, { cardNo: card.card_no, keyVersion: card.key_version, challenge: fromHex(r.challenge), sfi, offset: 0, data }),
    );
    // The same write sent again (its answer lost) answers the same probe challenge.
    const write = `${r.file}:${r.challenge.toUpperCase()}`;
    if (row.probe_write === write && row.probe_challenge !== null)
      return { command: toHex(command).toUpperCase(), probeChallenge: row.probe_challenge };
    const probeChallenge = toHex(randomBytes(PROBE_CHALLENGE_BYTES)).toUpperCase();
    await tx.query('UPDATE station_card SET probe_challenge = $2, probe_write = $3 WHERE id = $1', [id, probeChallenge, write]);
    return { command: toHex(command).toUpperCase(), probeChallenge };
  });
}

function addYears(yyyymmdd: string, years: number): string {
  return `${Number(yyyymmdd.slice(0, 4)) + years}${yyyymmdd.slice(4)}`;
}

export function completeStationCard(
  services: Services,
  principal: Principal,
  id: string,
  r: StationCardCompleteRequest,
): Promise<StationCardView> {
  const keys = requireKeyStore(services);
  return once(services, principal, 'station_card.complete', r.operationId, { id, ...r }, async (tx) => {
    const row = await lockStationCard(tx, principal, id);
    if (row.state !== 'started') throw new ApiError('ISSUE_NOT_STARTED');
    const card = await readCard(tx, principal, { cardNo: row.card_no }, false);
    if (r.ef16.toUpperCase() !== toHex(ef16Of(row)).toUpperCase() || r.pinMode !== PIN_MODE_CUSTOMER)
      throw new ApiError('ISSUE_NOT_WRITTEN');
    let onlineTtc = 0;
    if (stationCardHasPurse(row.card_type)) {
      // A pump-verification card has a purse: its MAC1 proves the genuine card answered after the
      // last write, with the purse empty (a station card carries no money of the network).
      const probe = r.probe;
      if (!probe || row.probe_challenge === null || probe.terminalId.toUpperCase() !== row.probe_challenge)
        throw new ApiError('ISSUE_PROBE_STALE');
      if (probe.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
      const genuine = await keyed(() =>
        keys.verifyMac1(tx, {
          kind: 'load',
          cardNo: card.card_no,
          keyVersion: probe.answer.keyVersion,
          random: fromHex(probe.answer.random),
          onlineTtc: probe.answer.onlineTtc,
          balanceFen: probe.answer.balanceFen,
          amountFen: probe.amountFen,
          transType: TRANS_TYPE.LOAD_ED,
          terminalId: fromHex(probe.terminalId),
          mac1: fromHex(probe.answer.mac1),
        }),
      );
      if (!genuine) throw new ApiError('MAC1_INVALID');
      if (probe.answer.balanceFen !== 0) throw new ApiError('ISSUE_CARD_NOT_BLANK');
      onlineTtc = probe.answer.onlineTtc;
    } else if (r.probe !== undefined) {
      // Employee and maintenance cards have no purse to probe: a probe says the client is confused.
      throw new ApiError('CARD_HAS_NO_PURSE');
    }
    const expiresOn = card.expires_on ?? addYears(chinaDateTime(services.now()).date, CARD_LIFE_YEARS);
    await tx.query(
      `UPDATE card SET state = 'active', named = true, issued_at = now(), expires_on = to_date($2, 'YYYYMMDD'),
         online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), $3) WHERE card_no = $1`,
      [card.card_no, expiresOn, onlineTtc],
    );
    await tx.query("UPDATE station_card SET state = 'issued', complete_operation_id = $2, issued_at = now() WHERE id = $1", [
      id,
      r.operationId,
    ]);
    await appendAudit(tx, principal, {
      action: 'station_card.complete',
      subject: card.card_no,
      detail: { stationCardId: id, stationId: String(row.station_id), cardType: row.card_type, expiresOn },
    });
    return viewOf((await readRow(tx, id, false))!);
  });
}

/** An employee leaves (or a card is given back): the card closed, off the station's white list. */
export function withdrawStationCard(
  services: Services,
  principal: Principal,
  id: string,
  r: StationCardWithdrawRequest,
): Promise<StationCardView> {
  return once(services, principal, 'station_card.withdraw', r.operationId, { id, ...r }, async (tx) => {
    const row = await lockStationCard(tx, principal, id);
    if (row.state !== 'issued') throw new ApiError('STATION_CARD_NOT_ISSUED');
    await tx.query("UPDATE card SET state = 'closed' WHERE card_no = $1", [row.card_no]);
    await tx.query(
      `UPDATE station_card SET state = 'withdrawn', withdraw_operation_id = $2, withdraw_reason = $3, withdrawn_by = $4, withdrawn_at = now()
        WHERE id = $1`,
      [id, r.operationId, r.reason, principal.operatorId],
    );
    await appendAudit(tx, principal, {
      action: 'station_card.withdraw',
      subject: row.card_no,
      detail: { stationCardId: id, stationId: String(row.station_id), reason: r.reason },
    });
    return viewOf((await readRow(tx, id, false))!);
  });
}

/** A station's cards: the issued ones (the white list's source), then the withdrawn, newest first. */
export async function stationCards(sql: Sql, principal: Principal, stationId: string): Promise<StationCardList> {
  const id = await requireStation(sql, principal, stationId);
  const found = await sql.query<StationCardRow>(
    `SELECT ${COLUMNS} ${FROM} WHERE s.station_id = $1 AND s.state IN ('issued', 'withdrawn')
      ORDER BY s.state = 'issued' DESC, s.issued_at DESC, s.id LIMIT $2`,
    [id, STATION_CARDS_LISTED_MAX + 1],
  );
  const rows = found.rows.slice(0, STATION_CARDS_LISTED_MAX);
  return { stationId: String(id), cards: rows.map(viewOf), truncated: found.rows.length > STATION_CARDS_LISTED_MAX };
}
