/**
 * A card as the protocol needs it: its state, its customer's organisation unit (for scope), its
 * last seen online counter, and the accounts money moves through. Reading it FOR UPDATE
 * serialises everything that happens to one card, which is what a card is: one purse.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../http/services.ts';
import { storedResult, type OperationRecord } from '../sync/records.ts';
import { cardScopeRoot } from '../auth/policy.ts';

export type CardRow = {
  card_no: string;
  customer_id: bigint | null;
  customer_org_unit_id: bigint | null;
  card_type: string;
  role: 'single' | 'main' | 'sub';
  named: boolean;
  state: 'stock' | 'active' | 'lost' | 'blacklisted' | 'closed' | 'expired' | 'bad';
  key_version: number;
  expires_on: string | null;
  online_ttc_seen: number | null;
  grey: boolean;
  purse_max_fen: bigint | null;
  /** The card's pending load or unload (0006_one_statement_phases.sql); current only when read with the card's lock. */
  pending_load_id: string | null;
  /** Set while the card's loads and unloads wait for a review after a chip alarm (loads/chip-check.ts). */
  review_since: Date | null;
  /** A pending loss report's effective time (server/cards/loss-report.ts): from then the card is lost, swept or not. */
  loss_effective_at: Date | null;
  /** Whether the reading principal may see the card: anywhere at an outlet or kiosk, a centre its subtree (auth/policy.ts cardScopeRoot). */
  in_scope: boolean;
};

/**
 * The card, its customer's unit and, in the same statement, whether that unit lies under the
 * principal's scope root ($2; NULL = everywhere): one round trip instead of two on every load.
 * Safe to fold in: the organisation tree and a card's customer are not changed by anything that
 * locks the card, so a snapshot taken before waiting for the card's lock still answers correctly.
 * Nothing that the lock protects (the card's pending load, its counters) may be folded in here:
 * at READ COMMITTED a sub-select keeps the snapshot from before the wait (isolation.ts).
 */
const CARD_COLUMNS = `c.card_no, c.customer_id, cu.org_unit_id AS customer_org_unit_id, c.card_type, c.role, c.named, c.state,
  c.key_version, to_char(c.expires_on, 'YYYYMMDD') AS expires_on, c.online_ttc_seen, c.grey, c.purse_max_fen, c.pending_load_id, c.review_since, c.loss_effective_at,
  (cu.org_unit_id IS NOT NULL AND ($2::bigint IS NULL OR cu.org_unit_id = $2::bigint OR EXISTS (
     WITH RECURSIVE up (id, parent_id, depth) AS (
       SELECT o.id, o.parent_id, 0 FROM org_unit o WHERE o.id = cu.org_unit_id
       UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_unit o JOIN up ON o.id = up.parent_id WHERE up.depth < 16)
     SELECT 1 FROM up WHERE up.id = $2::bigint))) AS in_scope`;
const CARD_FROM = 'FROM card c LEFT JOIN customer cu ON cu.id = c.customer_id';
const CARD_SELECT = `SELECT ${CARD_COLUMNS} ${CARD_FROM}`;

export type CardLookup = { cardNo: string } | { loadId: string };

type Reader = Pick<Principal, 'scopeRootId' | 'role'>;

/** Reads a card (by number, or as the card of a load), locked FOR UPDATE when `lock`, with its scope for `principal`. */
export async function readCard(sql: Sql, principal: Reader, by: CardLookup, lock: boolean): Promise<CardRow> {
  const where = 'cardNo' in by ? 'WHERE c.card_no = $1' : 'WHERE c.card_no = (SELECT l.card_no FROM card_load l WHERE l.id = $1::uuid)';
  const found = await sql.query<CardRow>(`${CARD_SELECT} ${where}${lock ? ' FOR UPDATE OF c' : ''}`, [
    'cardNo' in by ? by.cardNo : by.loadId,
    cardScopeRoot(principal),
  ]);
  const card = found.rows[0];
  if (!card) throw new ApiError('cardNo' in by ? 'CARD_NOT_FOUND' : 'LOAD_NOT_FOUND');
  return card;
}

/**
 * The card locked FOR UPDATE, and in the same statement the record of operation `operationId` if
 * one was already applied (an initialise sent again): one round trip instead of two. The record
 * comes from the statement's snapshot, taken before any wait for the card's lock; a first send
 * that commits during that wait is found by the caller's retry (server/loads/online.ts initialise).
 */
export async function readCardAndRecord(
  sql: Sql,
  principal: Reader & Pick<Principal, 'deviceId'>,
  cardNo: string,
  operationId: string,
): Promise<CardRow & { record: OperationRecord | null }> {
  type Found = CardRow & {
    op_status: OperationRecord['status'] | null;
    op_result: unknown;
    op_request_hash: string | null;
    op_device_id: string | null;
    op_seq: bigint | null;
  };
  const found = await sql.query<Found>(
    `SELECT ${CARD_COLUMNS}, op.status AS op_status, op.result AS op_result, op.request_hash AS op_request_hash, op.device_id AS op_device_id, op.seq AS op_seq
       ${CARD_FROM} LEFT JOIN operation op ON op.id = $3::uuid AND coalesce(op.device_id, '') = coalesce($4::text, '')
       WHERE c.card_no = $1 FOR UPDATE OF c`,
    [cardNo, cardScopeRoot(principal), operationId, principal.deviceId],
  );
  const row = found.rows[0];
  if (!row) throw new ApiError('CARD_NOT_FOUND');
  const { op_status, op_result, op_request_hash, op_device_id, op_seq, ...card } = row;
  const record =
    op_status === null || op_request_hash === null
      ? null
      : { status: op_status, result: storedResult(op_result), request_hash: op_request_hash, device_id: op_device_id, seq: op_seq };
  return { ...card, record };
}

/**
 * Several cards by number in one statement, unlocked, each with its scope for `principal`; cards
 * that do not exist are simply absent from the map. For read-only answers (push inquiries, pull).
 */
export async function readCards(sql: Sql, principal: Reader, cardNos: readonly string[]): Promise<Map<string, CardRow>> {
  if (cardNos.length === 0) return new Map();
  const found = await sql.query<CardRow>(`${CARD_SELECT} WHERE c.card_no = ANY($1::text[])`, [
    [...new Set(cardNos)],
    cardScopeRoot(principal),
  ]);
  return new Map(found.rows.map((card) => [card.card_no, card]));
}

/** Refuses a card that may not take part in an online purse transaction, with the reason's code. */
export function requireUsable(card: CardRow, today: string, purpose: 'load' | 'unload'): void {
  if (card.card_type !== 'user') throw new ApiError('CARD_HAS_NO_PURSE');
  const refusals: Partial<Record<CardRow['state'], ConstructorParameters<typeof ApiError>[0]>> = {
    stock: 'CARD_NOT_ISSUED',
    lost: 'CARD_LOST',
    blacklisted: 'CARD_BLACKLISTED',
    closed: 'CARD_CLOSED',
    bad: 'CARD_BAD',
    expired: 'CARD_EXPIRED',
  };
  // An expired card may still give its money back (unload); it may not take more.
  const expired = card.state === 'expired' || (card.expires_on !== null && card.expires_on < today);
  if (expired && purpose === 'load') throw new ApiError('CARD_EXPIRED');
  const refusal = card.state === 'expired' ? undefined : refusals[card.state];
  if (refusal) throw new ApiError(refusal);
  if (card.grey) throw new ApiError('CARD_GREY');
  // A chip that showed more money than the ledger gave it: nothing moves until a centre has looked.
  if (card.review_since !== null) throw new ApiError('CARD_UNDER_REVIEW');
}

/**
 * Refuses CARD_LOST once a pending loss report's time has come by the server's clock: the sweep
 * that marks the card lost (loss-report.ts) may not have run yet, and the effect may not wait for it.
 */
export function requireNoLossInEffect(card: Pick<CardRow, 'loss_effective_at'>, now: Date): void {
  if (card.loss_effective_at !== null && card.loss_effective_at.getTime() <= now.getTime()) throw new ApiError('CARD_LOST');
}

/** Refuses a card outside the scope of the principal that read it (readCard computes `in_scope`). */
export function requireCardInScope(card: CardRow): void {
  if (!card.in_scope) throw new ApiError('OUT_OF_SCOPE');
}

export function purseMaxFen(card: CardRow, services: Pick<Services, 'purseMaxNamedFen' | 'purseMaxAnonymousFen'>): number {
  if (card.purse_max_fen !== null) return Number(card.purse_max_fen);
  return card.named ? services.purseMaxNamedFen : services.purseMaxAnonymousFen;
}

/** The server clock as the card wants it: China time (UTC+8, no daylight saving), BCD digits. */
export function chinaDateTime(now: Date): { date: string; time: string } {
  const local = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return { date: local.slice(0, 10).replace(/-/g, ''), time: local.slice(11, 19).replace(/:/g, '') };
}
