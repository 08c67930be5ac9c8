/**
 * Exactly once for the online stock calls (docs/architecture.md decision 4, as sync/records.ts
 * keeps it for pushed operations): the client makes an operation id and sends it with every try;
 * the first applied answer is stored with the effect in one transaction and every retry of the
 * same request gets it back, while the same id with another request is IDEMPOTENCY_CONFLICT. The
 * request hash covers the operator too, so an id another operator used is a conflict, never their
 * answer. A refusal stores nothing and changes nothing: a retry is refused again or, if the world
 * changed meanwhile, applied.
 */
import type { Sql } from '../db/index.ts';
import type { Services } from '../http/services.ts';
import type { Principal } from '../auth/principal.ts';
import { recordOperation, replayOf, requestHash } from '../sync/records.ts';

export async function exactlyOnce<T>(
  services: Services,
  principal: Principal,
  type: 'stock.in' | 'stock.requisition',
  request: { operationId: string },
  apply: (tx: Sql) => Promise<T>,
): Promise<T> {
  const hash = requestHash(type, { operatorId: String(principal.operatorId), request });
  const deviceId = principal.deviceId;
  try {
    return await services.db.transaction(async (tx) => {
      const seen = await replayOf(tx, deviceId, request.operationId, hash);
      if (seen) return seen.result as T;
      const result = await apply(tx);
      await recordOperation(tx, { id: request.operationId, deviceId, seq: null, type, hash, status: 'applied', result });
      return result;
    });
  } catch (error) {
    // Two sends of one operation at once: the loser meets the winner's record and answers as it did.
    if ((error as { code?: unknown }).code === '23505') {
      const winner = await replayOf(services.db, deviceId, request.operationId, hash);
      if (winner) return winner.result as T;
    }
    throw error;
  }
}
