/**
 * The anonymous cards' calls (不记名卡, server/contract/anonymous.ts) as the tablet makes them: every
 * call online with the operator's session; the writes' commands come whole from the server, which
 * alone holds the maintenance key. Over the app's ApiClient (the runtime's, or a test rig's).
 */
import type {
  AnonymousCardView,
  AnonymousInitRequest,
  AnonymousMoneyResponse,
  AnonymousProofRequest,
  AnonymousSellRequest,
  AnonymousTopUpRequest,
  AnonymousUpgradeRequest,
  AnonymousWriteRequest,
  IssueWriteResponse,
} from '../../server/contract/index.ts';
import type { ApiClient } from '../lib/sync/client.ts';

export interface AnonymousBackend {
  init(body: AnonymousInitRequest): Promise<AnonymousCardView>;
  write(cardNo: string, body: AnonymousWriteRequest): Promise<IssueWriteResponse>;
  initComplete(cardNo: string, body: AnonymousProofRequest): Promise<AnonymousCardView>;
  sell(body: AnonymousSellRequest): Promise<AnonymousMoneyResponse>;
  topUp(body: AnonymousTopUpRequest): Promise<AnonymousMoneyResponse>;
  upgrade(body: AnonymousUpgradeRequest): Promise<AnonymousCardView>;
  upgradeComplete(cardNo: string, body: AnonymousProofRequest): Promise<AnonymousCardView>;
}

export function anonymousBackend(api: ApiClient): AnonymousBackend {
  return {
    init: (body) => api.call('anonymousInit', { body }),
    write: (cardNo, body) => api.call('anonymousWrite', { params: { cardNo }, body }),
    initComplete: (cardNo, body) => api.call('anonymousInitComplete', { params: { cardNo }, body }),
    sell: (body) => api.call('anonymousSell', { body }),
    topUp: (body) => api.call('anonymousTopUp', { body }),
    upgrade: (body) => api.call('anonymousUpgrade', { body }),
    upgradeComplete: (cardNo, body) => api.call('anonymousUpgradeComplete', { params: { cardNo }, body }),
  };
}
