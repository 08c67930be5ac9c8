/**
 * An anonymous card's record (anonymous_card, 0018_anonymous_cards.sql) as the anonymous cards'
 * calls share it: read under the card's lock, its view, the EF16 an anonymous card carries, and
 * the MAC1 probe that proves the genuine card answered after the last write (as an issuance's
 * completion does, server/cards/issue.ts). docs/domain.md "Anonymous cards".
 */
import { fromHex } from '../../ccid/bytes.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import type { Sql } from '../db/index.ts';
import type { AnonymousCardView, AnonymousProofRequest } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { KeyStoreError, type KeyStore } from '../keys/keystore.ts';
import { readCard, type CardRow } from './card.ts';

export type AnonymousRow = {
  card_no: string;
  state: 'initialising' | 'initialised' | 'sold' | 'upgraded';
  org_unit_id: bigint;
  customer_id: bigint | null;
  probe_challenge: string | null;
  probe_write: string | null;
  upgrade_details: UpgradeDetails | null;
  upgrade_ef16: string | null;
  upgrade_unit_id: bigint | null;
};
export const ANONYMOUS_COLUMNS =
  'card_no, state, org_unit_id, customer_id, probe_challenge, probe_write, upgrade_details, upgrade_ef16, upgrade_unit_id';

/** The buyer's details an upgrade gives the card's customer (customer-rules checked). */
export type UpgradeDetails = { name: string; idType: string; idNo: string; phone: string | null };

import { ANONYMOUS_EF16 } from '../contract/index.ts';

export { ANONYMOUS_EF16 };

/** The card locked, then its anonymous record locked (the card first, as everything of one card). */
export async function lockAnonymous(tx: Sql, principal: Principal, cardNo: string): Promise<{ card: CardRow; anon: AnonymousRow | null }> {
  const card = await readCard(tx, principal, { cardNo }, true);
  const found = await tx.query<AnonymousRow>(`SELECT ${ANONYMOUS_COLUMNS} FROM anonymous_card WHERE card_no = $1 FOR UPDATE`, [cardNo]);
  return { card, anon: found.rows[0] ?? null };
}

/** The record, or the refusal: a named card is not an anonymous one; a card never initialised is not either. */
export function requireAnonymous(card: CardRow, anon: AnonymousRow | null): AnonymousRow {
  if (!anon) throw new ApiError(card.named ? 'ANONYMOUS_CARD_NAMED' : 'ANONYMOUS_STATE_INVALID');
  return anon;
}

export function anonymousView(anon: AnonymousRow, card: Pick<CardRow, 'expires_on'> | null): AnonymousCardView {
  return {
    cardNo: anon.card_no,
    state: anon.state,
    customerId: anon.customer_id === null ? null : String(anon.customer_id),
    ef16: anon.upgrade_ef16 ?? ANONYMOUS_EF16,
    expiresOn: card?.expires_on ?? null,
  };
}

export async function keyed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyStoreError && error.code === 'KEY_VERSION_UNKNOWN') throw new ApiError('KEY_VERSION_UNKNOWN');
    throw error;
  }
}

/**
 * The card's read-back and probe checked: EF16 and the PIN mode as expected, the probe carrying
 * the last write's challenge, and its MAC1 genuine for this card number.
 */
export async function checkProof(
  tx: Sql,
  keys: KeyStore,
  card: CardRow,
  anon: AnonymousRow,
  r: AnonymousProofRequest,
  expect: { ef16: string; pinMode: number },
): Promise<void> {
  if (r.ef16.toUpperCase() !== expect.ef16 || r.pinMode !== expect.pinMode) throw new ApiError('ISSUE_NOT_WRITTEN');
  if (anon.probe_challenge === null || r.probe.terminalId.toUpperCase() !== anon.probe_challenge) throw new ApiError('ISSUE_PROBE_STALE');
  if (r.probe.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
  const genuine = await keyed(() =>
    keys.verifyMac1(tx, {
      kind: 'load',
      cardNo: card.card_no,
      keyVersion: r.probe.answer.keyVersion,
      random: fromHex(r.probe.answer.random),
      onlineTtc: r.probe.answer.onlineTtc,
      balanceFen: r.probe.answer.balanceFen,
      amountFen: r.probe.amountFen,
      transType: TRANS_TYPE.LOAD_ED,
      terminalId: fromHex(r.probe.terminalId),
      mac1: fromHex(r.probe.answer.mac1),
    }),
  );
  if (!genuine) throw new ApiError('MAC1_INVALID');
}
