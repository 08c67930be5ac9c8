/**
 * Exactly once for a direct call carrying a device-made operation id (docs/architecture.md
 * decision 4, as server/cards/station-issue.ts keeps it): the first applied answer is stored with
 * the effect in one transaction and every retry of the same request gets it back; the same id with
 * another request, or by another operator, is IDEMPOTENCY_CONFLICT. A refusal stores nothing and
 * changes nothing.
 */
import type { Sql } from '../db/index.ts';
import type { Services } from '../http/services.ts';
import type { Principal } from '../auth/principal.ts';
import { MONEY_ISOLATION } from '../ledger/isolation.ts';
import { recordOperation, replayOf, requestHash } from './records.ts';

export async function exactlyOnce<T>(
  services: Pick<Services, 'db'>,
  principal: Pick<Principal, 'deviceId' | 'operatorId'>,
  type: string,
  operationId: string,
  request: unknown,
  work: (tx: Sql) => Promise<T>,
): Promise<T> {
  // The operator is in the hash: an id another operator used is a conflict, never their answer.
  const hash = requestHash(type, { operatorId: String(principal.operatorId), request });
  try {
    return await services.db.transaction(
      async (tx) => {
        const seen = await replayOf(tx, principal.deviceId, operationId, hash);
        if (seen) return seen.result as T;
        const result = await work(tx);
        await recordOperation(tx, { id: operationId, deviceId: principal.deviceId, seq: null, type, hash, status: 'applied', result });
        return result;
      },
      { isolation: MONEY_ISOLATION },
    );
  } catch (error) {
    // Two sends of one operation at once: the loser met the winner's record and answers as it did.
    if ((error as { code?: string }).code === '23505') {
      const winner = await replayOf(services.db, principal.deviceId, operationId, hash);
      if (winner) return winner.result as T;
    }
    throw error;
  }
}
