/** The outbox's transport over the sync API: one push request per batch, one verdict per operation. */
import type { PushTransport, PushVerdict } from '../outbox/outbox.ts';
import type { ApiClient } from './client.ts';
import type { OperationType } from '../../../server/contract/sync.ts';

export function httpPush(api: ApiClient): PushTransport {
  return async (deviceId, operations) => {
    const response = await api.call('syncPush', {
      body: { operations: operations.map((op) => ({ id: op.id, deviceId, seq: op.seq, type: op.type as OperationType, payload: op.payload })) },
    });
    return response.results.map((result): PushVerdict => {
      if (result.status === 'applied') return { id: result.id, outcome: 'applied', result: result.result };
      if (result.status === 'rejected') return { id: result.id, outcome: 'rejected', code: result.error?.code ?? 'REJECTED', result: result.error };
      return { id: result.id, outcome: 'retry' };
    });
  };
}
