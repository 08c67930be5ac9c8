/**
 * A card as the protocol needs it: its state, its customer's organisation unit (for scope), its
 * last seen online counter, and the accounts money moves through. Reading it FOR UPDATE
 * serialises everything that happens to one card, which is what a card is: one purse.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { inScope } from '../auth/principal.ts';
import type { Services } from '../http/services.ts';

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
};

const CARD_SELECT = `SELECT c.card_no, c.customer_id, cu.org_unit_id AS customer_org_unit_id, c.card_type, c.role, c.named, c.state,
  c.key_version, to_char(c.expires_on, 'YYYYMMDD') AS expires_on, c.online_ttc_seen, c.grey, c.purse_max_fen
  FROM card c LEFT JOIN customer cu ON cu.id = c.customer_id WHERE c.card_no = $1`;

export async function readCard(sql: Sql, cardNo: string, lock: boolean): Promise<CardRow> {
  const found = await sql.query<CardRow>(lock ? `${CARD_SELECT} FOR UPDATE OF c` : CARD_SELECT, [cardNo]);
  const card = found.rows[0];
  if (!card) throw new ApiError('CARD_NOT_FOUND');
  return card;
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
}

export async function requireCardInScope(sql: Sql, principal: Principal, card: CardRow): Promise<void> {
  if (card.customer_org_unit_id === null) throw new ApiError('OUT_OF_SCOPE');
  if (!(await inScope(sql, principal, card.customer_org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
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
