/**
 * An in-memory central-accounts stand-in for kiosk unit tests: it holds the demo master keys,
 * checks MAC1 and makes MAC2 with the real cryptography, keeps pending loads keyed by
 * (card, counter), and settles them only from the card's proof, as the real server does.
 * Tests flip `online` to cut the network.
 */
import { fromHex, toHex, equalBytes } from '../../../ccid/bytes.ts';
import { loadMac1, loadMac2, loadSessionKey, TRANS_TYPE } from '../../../ccid/crypto/index.ts';
import { deriveCardKey } from '../../../ccid/sim/fuel-card-keys.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../../ccid/sim/demo-cards.ts';
import { BackendError, type AccountView, type KioskBackend, type LoadAuthorisation, type LoadInitialiseRequest, type LoadSettlement } from '../backend.ts';

type Pending = { loadId: string; cardNo: string; onlineTtc: number; amountFen: number; terminalId: string; state: 'pending' | 'posted' | 'voided' };

export class FakeBackend implements KioskBackend {
  online = true;
  readonly waitingFen = new Map<string, number>();
  readonly cardState = new Map<string, string>();
  readonly loads: Pending[] = [];
  readonly settlements: LoadSettlement[] = [];
  queuedInquiries: string[] = [];
  #nextLoad = 1;

  #requireOnline(): void {
    if (!this.online) throw new BackendError('NETWORK', 'offline');
  }

  async inquiry(cardNo: string): Promise<AccountView> {
    this.#requireOnline();
    const pending = this.loads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    return {
      cardNo,
      cardState: this.cardState.get(cardNo) ?? 'active',
      waitingFen: this.waitingFen.get(cardNo) ?? 0,
      purseMirrorFen: 0,
      purseLimitFen: 500_000,
      history: [],
      pendingLoad: pending ? { loadId: pending.loadId, onlineTtc: pending.onlineTtc, amountFen: pending.amountFen, terminalId: pending.terminalId } : null,
    };
  }

  async loadInitialise(request: LoadInitialiseRequest): Promise<LoadAuthorisation> {
    this.#requireOnline();
    const asn = fromHex(request.cardNo);
    const dlk = deriveCardKey('DLK', { masters: DEMO_TEST_MASTER_KEYS, asn, issuerId: new Uint8Array(8), dpkDiversification: 'ASN_ONCE' });
    const sessionKey = loadSessionKey(dlk, fromHex(request.random), request.onlineTtc);
    const terminalId = fromHex(request.terminalId);
    const mac1 = loadMac1({ sessionKey, balanceFen: request.balanceFen, amountFen: request.amountFen, transType: TRANS_TYPE.LOAD_ED, terminalId });
    if (!equalBytes(mac1, fromHex(request.mac1))) throw new BackendError('MAC1_INVALID', 'MAC1 does not verify');
    const waiting = this.waitingFen.get(request.cardNo) ?? 0;
    if (waiting < request.amountFen) throw new BackendError('INSUFFICIENT_FUNDS', 'not enough waiting');
    this.waitingFen.set(request.cardNo, waiting - request.amountFen);
    const loadId = `load-${this.#nextLoad++}`;
    this.loads.push({ loadId, cardNo: request.cardNo, onlineTtc: request.onlineTtc, amountFen: request.amountFen, terminalId: request.terminalId, state: 'pending' });
    const date = fromHex('20261126');
    const time = fromHex('120000');
    const mac2 = loadMac2({ sessionKey, amountFen: request.amountFen, transType: TRANS_TYPE.LOAD_ED, terminalId, date, time });
    return { loadId, mac2: toHex(mac2), date: toHex(date), time: toHex(time) };
  }

  /** Settles on the card's word only: a TAC, or a counter that moved past the load's (with its proof). */
  async settleLoad(settlement: LoadSettlement): Promise<void> {
    this.settlements.push(settlement);
    const load = this.loads.find((l) => l.loadId === settlement.loadId);
    if (!load || load.state !== 'pending') return;
    const happened = settlement.kind === 'tac' || (settlement.probe.answer.onlineTtc > load.onlineTtc && settlement.prove !== undefined);
    if (happened) load.state = 'posted';
    else {
      load.state = 'voided';
      this.waitingFen.set(load.cardNo, (this.waitingFen.get(load.cardNo) ?? 0) + load.amountFen);
    }
  }

  async queueInquiry(cardNo: string): Promise<void> {
    this.queuedInquiries.push(cardNo);
  }
}
