/**
 * The outbox's transport over the sync API: one push request per batch, one verdict per operation.
 * The client (client.ts) fills in this app's contract version and refuses an answer of another;
 * a push the server refuses whole (another contract version, credentials, a busy server) throws,
 * and the outbox keeps the batch queued. A refusal that is only a version's is never a business
 * verdict: should a server ever answer one operation with CONTRACT_VERSION_MISMATCH, the whole
 * batch is treated as refused, not that operation recorded as rejected.
 */
import type { PushTransport, PushVerdict } from '../outbox/outbox.ts';
import { BackendError } from '../net/backend-error.ts';
import type { ApiClient } from './client.ts';

export function httpPush(api: ApiClient): PushTransport {
  return async (deviceId, operations) => {
    const response = await api.call('syncPush', {
      body: {
        operations: operations.map((op) => ({
          id: op.id,
          deviceId,
          seq: op.seq,
          type: op.type,
          payload: op.payload,
          ...(op.maker ? { maker: op.maker } : {}),
        })),
      },
    });
    return response.results.map((result): PushVerdict => {
      if (result.status === 'applied') return { id: result.id, outcome: 'applied', result: result.result };
      if (result.status === 'rejected' && result.error?.code === 'CONTRACT_VERSION_MISMATCH')
        throw new BackendError('CONTRACT_VERSION_MISMATCH', result.error.message);
      if (result.status === 'rejected')
        return { id: result.id, outcome: 'rejected', code: result.error?.code ?? 'REJECTED', result: result.error };
      return { id: result.id, outcome: 'retry' };
    });
  };
}
