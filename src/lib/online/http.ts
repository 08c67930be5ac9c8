/**
 * The online-transaction port over HTTP, shared by the kiosk's and the outlet tablet's backends:
 * initialise is an online call (the card's write needs the server's MAC2; a load names no source
 * account, the server loads from the one the card's role loads from); the card's proofs go
 * through the outbox, so they reach the server exactly once whatever happens to the link or the
 * page. Who is asking (a kiosk's device signature, an operator's session bound to the tablet) is
 * the ApiClient's to add.
 */
import type { Outbox } from '../outbox/outbox.ts';
import { BackendError } from '../net/backend-error.ts';
import type { ApiClient } from '../sync/client.ts';
import type { SyncLoop } from '../sync/sync-loop.ts';
import type { CardProof, OnlineAuthorisation, OnlineInitialise, OnlinePort } from './port.ts';

export type HttpOnlinePortOptions = { api: ApiClient; outbox: Outbox; sync: SyncLoop };

export class HttpOnlinePort implements OnlinePort {
  protected readonly api: ApiClient;
  protected readonly outbox: Outbox;
  protected readonly sync: SyncLoop;

  constructor(options: HttpOnlinePortOptions) {
    this.api = options.api;
    this.outbox = options.outbox;
    this.sync = options.sync;
  }

  async initialise(request: OnlineInitialise): Promise<OnlineAuthorisation> {
    const { kind, operationId, cardNo, amountFen, terminalId, card, destination } = request;
    const answer =
      kind === 'load'
        ? await this.api.call('loadInitialise', { body: { operationId, cardNo, amountFen, terminalId, card } })
        : await this.api.call('unloadInitialise', {
            body: { operationId, cardNo, amountFen, destinationAccount: destination!, terminalId, card },
          });
    if (answer.load.kind !== kind || answer.load.cardNo !== cardNo || answer.load.amountFen !== amountFen) {
      throw new BackendError('RESPONSE_INVALID', `the server answered a ${kind} initialise with another transaction`);
    }
    // A pending transaction always has its challenge; a server that gave none is not one this device can recover with.
    if (answer.load.probeChallenge === null) throw new BackendError('PROTOCOL', 'the server gave no probe challenge with the MAC2');
    return {
      loadId: answer.load.loadId,
      mac2: answer.mac2,
      date: answer.date,
      time: answer.time,
      probeChallenge: answer.load.probeChallenge,
      balances: answer.balances,
    };
  }

  async queue(proof: CardProof): Promise<void> {
    switch (proof.kind) {
      case 'tac':
        await this.outbox.enqueue('load.complete', { loadId: proof.loadId, tac: proof.tac });
        return;
      case 'unload-mac3':
        await this.outbox.enqueue('unload.complete', { loadId: proof.loadId, tac: proof.mac3 });
        return;
      case 'recover': {
        const { cardNo, loadId, probe, prove } = proof;
        await this.outbox.enqueue('load.recover', { cardNo, loadId, probe, ...(prove ? { prove } : {}) });
        return;
      }
    }
  }

  async send(): Promise<void> {
    await this.sync.queuedChanged();
  }

  async flush(): Promise<boolean> {
    const report = await this.sync.drain();
    return report !== null && !report.networkFailed && report.remainingCount === 0;
  }
}
