/**
 * An in-memory central-accounts stand-in for kiosk unit tests: it holds the demo master keys,
 * checks MAC1 and makes MAC2 with the real cryptography, keeps pending loads and unloads keyed by
 * (card, counter), and settles them only from the card's word, as the real server does
 * (server/loads/online.ts settleFromCounter). Tests flip `online` to cut the network; an outlet
 * tablet's unload is made with `unloadInitialise`, which a kiosk never calls.
 */
import { fromHex, toHex, equalBytes } from '../../../ccid/bytes.ts';
import { loadMac1, loadMac2, loadSessionKey, TRANS_TYPE, unloadSessionKey } from '../../../ccid/crypto/index.ts';
import type { OnlineRequest } from '../../../ccid/fuelcard/load.ts';
import { deriveCardKey } from '../../../ccid/sim/card/keys.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../../ccid/crypto/demo-keys.ts';
import type { OnlineKind } from '../../lib/online/recovery.ts';
import { BackendError, type ClientErrorCode } from '../../lib/net/backend-error.ts';
import type { CardProof, OnlineAuthorisation, OnlineInitialise } from '../../lib/online/port.ts';
import type { AccountView, KioskBackend } from '../backend.ts';
import type { StationInfo } from '../../../server/contract/station.ts';

type LoadAuthorisation = OnlineAuthorisation;
type LoadSettlement = CardProof;
/** The card's INITIALIZE FOR LOAD answer flattened, with who and which operation. */
type LoadInitialiseRequest = { operationId: string; cardNo: string } & Omit<OnlineRequest, 'transType'>;

type Pending = {
  loadId: string;
  kind: OnlineKind;
  cardNo: string;
  onlineTtc: number;
  amountFen: number;
  terminalId: string;
  probeChallenge: string;
  state: 'pending' | 'posted' | 'voided';
};

const DATE = '20261126';

function onlineSessionKeyOf(keyKind: 'DLK' | 'DULK', cardKey: Uint8Array, random: Uint8Array, onlineTtc: number): Uint8Array {
  return keyKind === 'DLK' ? loadSessionKey(cardKey, random, onlineTtc) : unloadSessionKey(cardKey, random, onlineTtc);
}
const TIME = '120000';

export class FakeBackend implements KioskBackend {
  online = true;
  readonly waitingFen = new Map<string, number>();
  readonly cardState = new Map<string, string>();
  readonly loads: Pending[] = [];
  readonly settlements: LoadSettlement[] = [];
  queuedInquiries: string[] = [];
  /** Online inquiries answered, by card. */
  readonly inquiries: string[] = [];
  /** The waiting account's movements by card, newest first, as the server's history lists them. */
  readonly movements = new Map<string, AccountView['history']>();
  /** The server's refusal of the next load initialise, by its error code (a test sets it). */
  refuseNextLoad: ClientErrorCode | null = null;
  #nextLoad = 1;

  /** The station the server tells the kiosk it stands at (the demo seed's, by default). */
  stationInfo: StationInfo = {
    code: '3201S01',
    nameZh: '演示加油站',
    nameEn: 'Demo Station',
    addressZh: '南京市玄武区中山东路188号',
    addressEn: '188 Zhongshan East Road, Xuanwu District, Nanjing',
    hotline: '95504',
  };

  async station(): Promise<StationInfo> {
    this.#requireOnline();
    return this.stationInfo;
  }

  #requireOnline(): void {
    if (!this.online) throw new BackendError('NETWORK', 'offline');
  }

  async inquiry(cardNo: string): Promise<AccountView> {
    this.#requireOnline();
    this.inquiries.push(cardNo);
    const pending = this.loads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    return {
      cardNo,
      cardState: this.cardState.get(cardNo) ?? 'active',
      waitingFen: this.waitingFen.get(cardNo) ?? 0,
      purseMirrorFen: 0,
      purseLimitFen: 500_000,
      history: [...(this.movements.get(cardNo) ?? [])],
      pendingLoad: pending
        ? {
            loadId: pending.loadId,
            kind: pending.kind,
            onlineTtc: pending.onlineTtc,
            amountFen: pending.amountFen,
            probeChallenge: pending.probeChallenge,
            terminalId: pending.terminalId,
          }
        : null,
    };
  }

  /** The shared port's initialise, by kind: a kiosk's load, or (a test acting as a tablet) an unload. */
  async initialise(request: OnlineInitialise): Promise<OnlineAuthorisation> {
    const { kind, operationId, cardNo, amountFen, terminalId, card } = request;
    if (kind === 'load') return this.loadInitialise({ operationId, cardNo, amountFen, terminalId, ...card });
    return this.unloadInitialise({ transType: TRANS_TYPE.UNLOAD, cardNo, amountFen, terminalId, ...card });
  }

  async loadInitialise(request: LoadInitialiseRequest): Promise<LoadAuthorisation> {
    this.#requireOnline();
    const refusal = this.refuseNextLoad;
    this.refuseNextLoad = null;
    if (refusal !== null) throw new BackendError(refusal, 'refused by the test');
    const { sessionKey } = this.#checkMac1({ ...request, transType: TRANS_TYPE.LOAD_ED });
    this.#settleEarlier(request.cardNo, request.onlineTtc);
    const waiting = this.waitingFen.get(request.cardNo) ?? 0;
    if (waiting < request.amountFen) throw new BackendError('INSUFFICIENT_FUNDS', 'not enough waiting');
    this.waitingFen.set(request.cardNo, waiting - request.amountFen);
    return this.#open('load', request, sessionKey);
  }

  /** An outlet tablet's unload initialise (not a kiosk call): the money goes to the waiting account once the card's word posts it. */
  async unloadInitialise(request: OnlineRequest & { cardNo: string }): Promise<LoadAuthorisation> {
    this.#requireOnline();
    const { sessionKey } = this.#checkMac1({ ...request, transType: TRANS_TYPE.UNLOAD });
    this.#settleEarlier(request.cardNo, request.onlineTtc);
    return this.#open('unload', request, sessionKey);
  }

  async queue(settlement: LoadSettlement): Promise<void> {
    this.settlements.push(settlement);
    const pending = this.loads.find((l) => l.loadId === settlement.loadId);
    if (!pending || pending.state !== 'pending') return;
    // As the server: a counter past the transaction's posts it, proven or not (a later online
    // transaction may have replaced the card's proof); an unchanged counter voids it only on a
    // probe that carries the transaction's challenge (otherwise refused, nothing changed).
    const happened = settlement.kind !== 'recover' || settlement.probe.answer.onlineTtc > pending.onlineTtc;
    if (!happened && settlement.kind === 'recover' && settlement.probe.terminalId !== pending.probeChallenge) return;
    this.#settle(pending, happened);
  }

  async send(): Promise<void> {}

  /** Proofs apply as they are queued here: flushed whenever the test's network is up. */
  async flush(): Promise<boolean> {
    return this.online;
  }

  async queueInquiry(cardNo: string): Promise<void> {
    this.queuedInquiries.push(cardNo);
  }

  #checkMac1(request: Omit<OnlineRequest, 'transType'> & { cardNo: string; transType: number }): { sessionKey: Uint8Array } {
    const asn = fromHex(request.cardNo);
    // A load's session key comes from the card's load key (DLK), an unload's from its unload key (DULK).
    const keyKind = request.transType === TRANS_TYPE.UNLOAD ? 'DULK' : 'DLK';
    const cardKey = deriveCardKey(keyKind, {
      masters: DEMO_TEST_MASTER_KEYS,
      asn,
      issuerId: new Uint8Array(8),
      dpkDiversification: 'ASN_ONCE',
    });
    const sessionKey = onlineSessionKeyOf(keyKind, cardKey, fromHex(request.random), request.onlineTtc);
    const mac1 = loadMac1({
      sessionKey,
      balanceFen: request.balanceFen,
      amountFen: request.amountFen,
      transType: request.transType,
      terminalId: fromHex(request.terminalId),
    });
    if (!equalBytes(mac1, fromHex(request.mac1))) throw new BackendError('MAC1_INVALID', 'MAC1 does not verify');
    return { sessionKey };
  }

  /** As the server's initialise: an earlier pending transaction is settled by the counter, or holds the card. */
  #settleEarlier(cardNo: string, onlineTtc: number): void {
    const pending = this.loads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    if (!pending) return;
    if (onlineTtc === pending.onlineTtc) throw new BackendError('LOAD_PENDING', 'an earlier transaction of the card is pending');
    this.#settle(pending, true);
  }

  #settle(pending: Pending, happened: boolean): void {
    pending.state = happened ? 'posted' : 'voided';
    // A voided load gives its money back to the waiting account; a posted unload brings the purse's there.
    const released = pending.kind === 'load' ? !happened : happened;
    if (released) this.waitingFen.set(pending.cardNo, (this.waitingFen.get(pending.cardNo) ?? 0) + pending.amountFen);
    // What the customer sees of it: a posted load took the money from the waiting account.
    if (pending.kind === 'load' && happened) {
      const movement = { atIso: new Date().toISOString(), kind: 'load', amountFen: -pending.amountFen };
      this.movements.set(pending.cardNo, [movement, ...(this.movements.get(pending.cardNo) ?? [])]);
    }
  }

  #open(kind: OnlineKind, request: Omit<OnlineRequest, 'transType'> & { cardNo: string }, sessionKey: Uint8Array): LoadAuthorisation {
    const loadId = `${kind}-${this.#nextLoad++}`;
    const probeChallenge = toHex(crypto.getRandomValues(new Uint8Array(6))).toUpperCase();
    this.loads.push({
      loadId,
      kind,
      cardNo: request.cardNo,
      onlineTtc: request.onlineTtc,
      amountFen: request.amountFen,
      terminalId: request.terminalId,
      probeChallenge,
      state: 'pending',
    });
    const transType = kind === 'load' ? TRANS_TYPE.LOAD_ED : TRANS_TYPE.UNLOAD;
    const mac2 = loadMac2({
      sessionKey,
      amountFen: request.amountFen,
      transType,
      terminalId: fromHex(request.terminalId),
      date: fromHex(DATE),
      time: fromHex(TIME),
    });
    // As the server answers them: the waiting account once the card takes it (a load's amount is
    // already held back) and the purse mirror, here the chip's balance ± the amount.
    const waiting = this.waitingFen.get(request.cardNo) ?? 0;
    const balances = {
      account: 'QUOTA' as const,
      accountAvailableFen: kind === 'load' ? waiting : waiting + request.amountFen,
      purseMirrorFen: kind === 'load' ? request.balanceFen + request.amountFen : request.balanceFen - request.amountFen,
    };
    return { loadId, mac2: toHex(mac2), date: DATE, time: TIME, probeChallenge, balances };
  }
}
