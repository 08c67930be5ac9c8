/**
 * Anonymous cards (不记名卡), their card writes (docs/domain.md "Anonymous cards"):
 *
 * - initialise (初始化): a stock user card held at the operator's outlet, with no issuance
 *   started, gets EF16 written as anonymous (ANONYMOUS_EF16) by a secure UPDATE BINARY the server
 *   builds and MACs for the card's challenge; the read-back (EF16 anonymous, EF1B[0] still 00: the
 *   default PIN stays) and a MAC1 probe with the write's probe challenge make it 'initialised'. It
 *   stays a stock card of the outlet, counted in its stock, ready to sell (anonymous-money.ts).
 * - upgrade (升级): a sold anonymous card, at any outlet, gets the buyer's details (checked as a
 *   customer's are) on the chip (EF16) and the customer's PIN (CHANGE PIN from the default on the
 *   pad, then EF1B[0] = 01), proved the same way; then the card's own customer row takes the
 *   details and belongs to the upgrading outlet, the card is named, and nothing moves in the
 *   ledger: quota, purse and their history stay where they are.
 *
 * Every start and completion is exactly once by its operation id; every write answers the same for
 * the same challenge. All under the card's row lock.
 */
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { encodeEf16 } from '../../ccid/fuelcard/files.ts';
import { SFI } from '../../ccid/fuelcard/spec.ts';
import type { Sql } from '../db/index.ts';
import {
  normaliseIdNumber,
  normaliseName,
  normalisePhone,
  type AnonymousCardView,
  type AnonymousInitRequest,
  type AnonymousProofRequest,
  type AnonymousUpgradeRequest,
  type AnonymousWriteRequest,
  type IssueWriteResponse,
} from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import type { Services } from '../http/services.ts';
import { requireKeyStore } from '../loads/online.ts';
import { PIN_MODE_CUSTOMER } from './issue.ts';
import { anonymousOnce } from './anonymous-once.ts';
import {
  ANONYMOUS_COLUMNS,
  ANONYMOUS_EF16,
  anonymousView,
  checkProof,
  keyed,
  lockAnonymous,
  requireAnonymous,
  type AnonymousRow,
  type UpgradeDetails,
} from './anonymous-card.ts';

/** EF1B[0] of an anonymous card: the default PIN, which terminals send themselves (docs/card-protocol.md §3.3). */
const PIN_MODE_DEFAULT = 0x00;
/** The probe's terminal id: six random bytes, as an issuance's (server/cards/issue.ts). */
const PROBE_CHALLENGE_BYTES = 6;
/** EF16 id type: 1 resident ID card, 4 other (docs/card-protocol.md §3.2). */
const EF16_ID_RESIDENT = 1;
const EF16_ID_OTHER = 4;

export function initAnonymous(services: Services, principal: Principal, r: AnonymousInitRequest): Promise<AnonymousCardView> {
  return anonymousOnce(services, principal, 'card.anonymous.init', r, async (tx) => {
    const { card, anon } = await lockAnonymous(tx, principal, r.cardNo);
    if (card.card_type !== 'user') throw new ApiError('ISSUE_CARD_TYPE_INVALID');
    if (anon) {
      // The same card again (a pulled card redone, or a second clerk): the initialisation under way answers.
      if (anon.state !== 'initialising') throw new ApiError('ANONYMOUS_STATE_INVALID');
      if (anon.org_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
      return anonymousView(anon, card);
    }
    if (card.state !== 'stock') throw new ApiError(card.named ? 'ANONYMOUS_CARD_NAMED' : 'ISSUE_CARD_NOT_IN_STOCK');
    const held = await tx.query<{ stock_unit_id: bigint | null }>('SELECT stock_unit_id FROM card WHERE card_no = $1', [card.card_no]);
    if (held.rows[0]?.stock_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
    const issuing = await tx.query("SELECT 1 FROM card_issue WHERE card_no = $1 AND state = 'started'", [card.card_no]);
    if (issuing.rows.length > 0) throw new ApiError('ISSUE_IN_PROGRESS');
    const row = (
      await tx.query<AnonymousRow>(
        `INSERT INTO anonymous_card (card_no, state, org_unit_id, init_operation_id) VALUES ($1, 'initialising', $2, $3)
         RETURNING ${ANONYMOUS_COLUMNS}`,
        [card.card_no, principal.orgUnitId, r.operationId],
      )
    ).rows[0]!;
    await appendAudit(tx, principal, { action: 'card.anonymous.init', subject: card.card_no, detail: { operationId: r.operationId } });
    return anonymousView(row, card);
  });
}

/** What the card's next write puts where, for the record's state. */
function writeOf(anon: AnonymousRow, r: AnonymousWriteRequest): { sfi: number; data: Uint8Array } {
  if (anon.state === 'initialising' && r.file === 'EF16') return { sfi: SFI.EF16, data: fromHex(ANONYMOUS_EF16) };
  if (anon.state === 'sold' && anon.upgrade_ef16 !== null)
    return r.file === 'EF16'
      ? { sfi: SFI.EF16, data: fromHex(anon.upgrade_ef16) }
      : { sfi: SFI.EF1B, data: Uint8Array.of(PIN_MODE_CUSTOMER) };
  throw new ApiError('ANONYMOUS_STATE_INVALID');
}

/** One secure write of an initialisation or an upgrade, for the card's challenge; a fresh probe challenge with it. */
export function anonymousWrite(
  services: Services,
  principal: Principal,
  cardNo: string,
  r: AnonymousWriteRequest,
): Promise<IssueWriteResponse> {
  const keys = requireKeyStore(services);
  return services.db.transaction(async (tx) => {
    const { card, anon: found } = await lockAnonymous(tx, principal, cardNo);
    const anon = requireAnonymous(card, found);
    // Only the outlet doing the work writes: the initialising outlet, or the one that started the upgrade.
    const unit = anon.state === 'initialising' ? anon.org_unit_id : anon.upgrade_unit_id;
    if (unit !== null && unit !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
    const { sfi, data } = writeOf(anon, r);
    const command = await keyed(() =>
      keys.secureWrite(tx, { cardNo: card.card_no, keyVersion: card.key_version, challenge: fromHex(r.challenge), sfi, offset: 0, data }),
    );
    const write = `${r.file}:${r.challenge.toUpperCase()}`;
    if (anon.probe_write === write && anon.probe_challenge !== null)
      return { command: toHex(command).toUpperCase(), probeChallenge: anon.probe_challenge };
    const probeChallenge = toHex(randomBytes(PROBE_CHALLENGE_BYTES)).toUpperCase();
    await tx.query('UPDATE anonymous_card SET probe_challenge = $2, probe_write = $3 WHERE card_no = $1', [
      card.card_no,
      probeChallenge,
      write,
    ]);
    return { command: toHex(command).toUpperCase(), probeChallenge };
  });
}

export function completeInit(
  services: Services,
  principal: Principal,
  cardNo: string,
  r: AnonymousProofRequest,
): Promise<AnonymousCardView> {
  const keys = requireKeyStore(services);
  return anonymousOnce(services, principal, 'card.anonymous.initialised', { ...r, cardNo }, async (tx) => {
    const { card, anon: found } = await lockAnonymous(tx, principal, cardNo);
    const anon = requireAnonymous(card, found);
    if (anon.state !== 'initialising') throw new ApiError('ANONYMOUS_STATE_INVALID');
    if (anon.org_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
    await checkProof(tx, keys, card, anon, r, { ef16: ANONYMOUS_EF16, pinMode: PIN_MODE_DEFAULT });
    if (r.probe.answer.balanceFen !== 0) throw new ApiError('ISSUE_CARD_NOT_BLANK');
    await tx.query(
      `UPDATE anonymous_card SET state = 'initialised', initialised_operation_id = $2, initialised_at = now(), probe_challenge = NULL, probe_write = NULL
        WHERE card_no = $1`,
      [cardNo, r.operationId],
    );
    await tx.query('UPDATE card SET named = false, online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), $2) WHERE card_no = $1', [
      cardNo,
      r.probe.answer.onlineTtc,
    ]);
    await appendAudit(tx, principal, {
      action: 'card.anonymous.initialised',
      subject: cardNo,
      detail: { onlineTtc: r.probe.answer.onlineTtc },
    });
    return anonymousView({ ...anon, state: 'initialised', probe_challenge: null, probe_write: null }, card);
  });
}

/** The buyer's details checked as a customer's are (server/contract/customer-rules.ts), and the EF16 they make. */
function upgradeDetails(r: AnonymousUpgradeRequest, today: Date): { details: UpgradeDetails; ef16: string } {
  const name = normaliseName(r.details.name, 'person');
  if (name === null) throw new ApiError('CUSTOMER_NAME_INVALID');
  const idNo = normaliseIdNumber(r.details.idType, r.details.idNo, today);
  if (idNo === null) throw new ApiError(r.details.idType === 'resident_id' ? 'RESIDENT_ID_INVALID' : 'ID_NUMBER_INVALID');
  const phone = r.details.phone === null || r.details.phone === undefined ? null : normalisePhone(r.details.phone);
  if (phone === null && r.details.phone !== null && r.details.phone !== undefined) throw new ApiError('PHONE_INVALID');
  let ef16: Uint8Array;
  try {
    ef16 = encodeEf16({
      holderFlag: 1,
      employeeFlag: 1,
      holderName: name,
      idNumber: idNo,
      idType: r.details.idType === 'resident_id' ? EF16_ID_RESIDENT : EF16_ID_OTHER,
    });
  } catch {
    // The chip holds 20 GBK bytes of name and 18 ASCII characters of number.
    throw new ApiError('ISSUE_HOLDER_INVALID');
  }
  return { details: { name, idType: r.details.idType, idNo, phone }, ef16: toHex(ef16).toUpperCase() };
}

/**
 * Starts (or restarts, with these details) the upgrade of a sold anonymous card: what EF16 and the
 * customer row will take. Nothing is final until the completion; a restart with other details
 * replaces them (the card's EF16 is written again).
 */
export function startUpgrade(services: Services, principal: Principal, r: AnonymousUpgradeRequest): Promise<AnonymousCardView> {
  return anonymousOnce(services, principal, 'card.anonymous.upgrade', r, async (tx) => {
    const { details, ef16 } = upgradeDetails(r, services.now());
    const { card, anon: found } = await lockAnonymous(tx, principal, r.cardNo);
    const anon = requireAnonymous(card, found);
    if (anon.state !== 'sold' || card.state !== 'active') throw new ApiError('ANONYMOUS_STATE_INVALID');
    if (anon.upgrade_unit_id !== null && anon.upgrade_unit_id !== principal.orgUnitId) throw new ApiError('ANONYMOUS_UPGRADE_ELSEWHERE');
    await tx.query(
      'UPDATE anonymous_card SET upgrade_details = $2::jsonb, upgrade_ef16 = $3, upgrade_unit_id = $4, probe_challenge = NULL, probe_write = NULL WHERE card_no = $1',
      [anon.card_no, JSON.stringify(details), ef16, principal.orgUnitId],
    );
    await appendAudit(tx, principal, {
      action: 'card.anonymous.upgrade',
      subject: anon.card_no,
      // The details are personal data: named, not copied into the hash-chained log (as customers' edits).
      detail: { customerId: String(anon.customer_id), fields: ['name', 'idType', 'idNo', 'phone'], operationId: r.operationId },
    });
    return anonymousView({ ...anon, upgrade_details: details, upgrade_ef16: ef16, upgrade_unit_id: principal.orgUnitId }, card);
  });
}

export function completeUpgrade(
  services: Services,
  principal: Principal,
  cardNo: string,
  r: AnonymousProofRequest,
): Promise<AnonymousCardView> {
  const keys = requireKeyStore(services);
  return anonymousOnce(services, principal, 'card.anonymous.upgraded', { ...r, cardNo }, async (tx) => {
    const { card, anon: found } = await lockAnonymous(tx, principal, cardNo);
    const anon = requireAnonymous(card, found);
    if (anon.state !== 'sold' || anon.upgrade_details === null || anon.upgrade_ef16 === null) throw new ApiError('ANONYMOUS_STATE_INVALID');
    if (anon.upgrade_unit_id !== principal.orgUnitId) throw new ApiError('ANONYMOUS_UPGRADE_ELSEWHERE');
    await checkProof(tx, keys, card, anon, r, { ef16: anon.upgrade_ef16, pinMode: PIN_MODE_CUSTOMER });
    const d = anon.upgrade_details;
    const customer = await tx.query<{ revision: number; name: string; phone: string | null }>(
      'SELECT revision, name, phone FROM customer WHERE id = $1 FOR UPDATE',
      [anon.customer_id],
    );
    const before = customer.rows[0]!;
    const revision = before.revision + 1;
    await tx.query(
      `UPDATE customer SET anonymous = false, name = $2, id_doc_type = $3, id_doc_no = $4, phone = $5, org_unit_id = $6, revision = $7, updated_at = now()
        WHERE id = $1`,
      [anon.customer_id, d.name, d.idType, d.idNo, d.phone, principal.orgUnitId, revision],
    );
    await tx.query(
      'INSERT INTO customer_revision (customer_id, revision, before, after, operator_id, device_id, operation_id) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)',
      [
        anon.customer_id,
        revision,
        JSON.stringify({ name: before.name, idType: null, idNo: null, phone: before.phone }),
        JSON.stringify({ name: d.name, idType: d.idType, idNo: d.idNo, phone: d.phone }),
        principal.operatorId,
        principal.deviceId,
        r.operationId,
      ],
    );
    await tx.query('UPDATE card SET named = true, online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), $2) WHERE card_no = $1', [
      cardNo,
      r.probe.answer.onlineTtc,
    ]);
    await tx.query(
      `UPDATE anonymous_card SET state = 'upgraded', upgrade_operation_id = $2, upgraded_at = now(), probe_challenge = NULL, probe_write = NULL
        WHERE card_no = $1`,
      [cardNo, r.operationId],
    );
    await appendAudit(tx, principal, {
      action: 'card.anonymous.upgraded',
      subject: cardNo,
      detail: { customerId: String(anon.customer_id), revision, onlineTtc: r.probe.answer.onlineTtc },
    });
    return anonymousView({ ...anon, state: 'upgraded', probe_challenge: null, probe_write: null }, card);
  });
}

/** The anonymous record of a card, for the tablet's reading (null: not an anonymous card). */
export async function anonymousOf(sql: Sql, cardNo: string): Promise<AnonymousRow | null> {
  const found = await sql.query<AnonymousRow>(`SELECT ${ANONYMOUS_COLUMNS} FROM anonymous_card WHERE card_no = $1`, [cardNo]);
  return found.rows[0] ?? null;
}
