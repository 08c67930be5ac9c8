/**
 * What the kiosk tells a customer when the central accounts refuse a load, by the refusal's code
 * (docs/architecture.md §5: a customer never sees a raw message or code). The table is typed by
 * the contract's list of codes (ClientErrorCode: the server's catalogue and the client's own), so
 * a misspelt or retired code fails the compiler; a code not in it gets the general notice, which
 * carries the code in its values for the log but never shows it
 * (tests/unit/refusals.test.ts walks every code through here).
 */
import type { ClientErrorCode } from '../lib/net/backend-error.ts';
import type { Notice } from './screens.ts';

/** Server refusals the customer can act on, by the server's error code. */
export const REFUSAL_KEYS: Partial<Record<ClientErrorCode, Notice['key']>> = {
  INSUFFICIENT_FUNDS: 'kiosk.load.refused_funds',
  PURSE_LIMIT_EXCEEDED: 'kiosk.load.refused_limit',
  CARD_LOST: 'kiosk.load.refused_card_state',
  CARD_BLACKLISTED: 'kiosk.load.refused_card_state',
  CARD_CLOSED: 'kiosk.load.refused_card_state',
  CARD_EXPIRED: 'kiosk.load.refused_card_state',
  CARD_GREY: 'kiosk.notice.grey_no_load',
  LOAD_PENDING: 'kiosk.load.refused_pending',
  // The chip showed more than the accounts gave it (server/loads/chip-check.ts): a centre looks first.
  CARD_UNDER_REVIEW: 'kiosk.load.refused_review',
  // The server or its database is restarting or overloaded: nothing was reserved, a retry will do.
  UNAVAILABLE: 'kiosk.load.refused_busy',
  DATABASE_UNAVAILABLE: 'kiosk.load.refused_busy',
};

/** The notice for a load the central accounts refused (or could not be asked about: NETWORK). */
export function loadRefusalNotice(code: ClientErrorCode): Notice {
  if (code === 'NETWORK') return { key: 'kiosk.notice.load_needs_network', tone: 'warning' };
  return { key: REFUSAL_KEYS[code] ?? 'kiosk.load.refused_other', values: { code }, tone: 'error' };
}
