/**
 * Pull: what a device needs to work offline — the state and balances behind the cards it has seen
 * (cards out of its scope are left out, not refused, so nothing leaks), its last applied seq, the
 * pending loads of those cards, and the versions of the lists it caches.
 */
import { CONTRACT_VERSION, type PullRequest, type PullResponse } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { requireContractVersion } from '../http/contract-version.ts';
import type { Services } from '../http/services.ts';
import { readCards } from '../cards/card.ts';
import { cardSummaries } from '../cards/inquiry.ts';
import { pendingLoadsOf } from '../loads/online.ts';

export async function pull(services: Services, principal: Principal, request: PullRequest): Promise<PullResponse> {
  // The route refused another version before anything else already; this holds for any caller.
  requireContractVersion(request.contractVersion);
  if (principal.deviceId === null) throw new ApiError('DEVICE_REQUIRED');
  const db = services.db;
  const found = await readCards(db, principal, request.cardNos);
  const cards = [...new Set(request.cardNos)].flatMap((cardNo) => {
    const card = found.get(cardNo);
    return card?.in_scope ? [card] : [];
  });
  const summaries = await cardSummaries(db, cards, services);
  const head = await db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [principal.deviceId]);
  const lists = await db.query<{ key: string; value: string }>(
    "SELECT key, value FROM app_meta WHERE key IN ('list.blacklist.version', 'list.greylist.version')",
  );
  const listVersion = (key: string): string => lists.rows.find((r) => r.key === key)?.value ?? '0';
  return {
    contractVersion: CONTRACT_VERSION,
    serverTime: services.now().toISOString(),
    deviceId: principal.deviceId,
    lastSeq: Number(head.rows[0]?.last_seq ?? 0n),
    cards: cards.map((c) => summaries.get(c.card_no)!),
    pendingLoads: await pendingLoadsOf(
      db,
      cards.map((c) => c.card_no),
    ),
    lists: { blacklistVersion: listVersion('list.blacklist.version'), greylistVersion: listVersion('list.greylist.version') },
  };
}
