/**
 * A dispenser harness: it drives a user card and a PSAM the way a Sinopec pump's card reader does
 * (docs/card-protocol.md §1.1 insertion order, §1.3 grey lock → fuelling → DEBIT FOR UNLOCK, §1.4
 * PSAM commands, §5.2 grey recovery), so tests and demos make purchase records and grey cards like
 * a real pump. Each step is a method, so a test can pull the card between any two of them. The
 * bare § numbers below are docs/card-protocol.md's too.
 */
import { equalBytes, fromHex, readU16be, toHex } from '../../bytes.ts';
import { TRANS_TYPE } from '../../crypto/index.ts';
import * as C from '../../fuelcard/commands.ts';
import { decodeLayout } from '../../fuelcard/layout.ts';
import * as M from '../../fuelcard/messages.ts';
import { AID, FILE_BYTES, PURSE, SFI } from '../../fuelcard/spec.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { pinToBcd } from '../card/files.ts';
import { exchange } from '../card/issuer.ts';
import type { SimulatedPsam } from './psam.ts';

export interface PumpSession {
  card: SimulatedCard;
  asn: Uint8Array;
  issuerId: Uint8Array;
  /** Grey flag from GET LOCK PROOF (00 when the card never locked: 6985). */
  greyStatus: number;
  lockProof: Uint8Array | null;
  balanceFen: number;
}

type Clock = { date: Uint8Array; time: Uint8Array };

/** What a pump journals for a grey lock, and what another pump needs to finish it (§5.2). */
export interface GreyRecord {
  asn: Uint8Array;
  purse: 1 | 2;
  balanceFen: number;
  offlineTtc: number;
  terminalId: Uint8Array;
  psamTtc: number;
  date: Uint8Array;
  time: Uint8Array;
  /** GTAC and MAC2 of the GREY LOCK answer: null while the answer is unknown (card pulled during the lock). */
  gtac: Uint8Array | null;
  mac2: Uint8Array | null;
  /** Set once the nozzle hangs up: the amount and its GMAC from the PSAM. */
  amountFen?: number;
  gmac?: Uint8Array;
}

export interface PurchaseRecord {
  asn: Uint8Array;
  transType: number;
  amountFen: number;
  offlineTtc: number;
  terminalId: Uint8Array;
  psamTtc: number;
  date: Uint8Array;
  time: Uint8Array;
  tac: Uint8Array;
  mac2?: Uint8Array;
  balanceFenAfter: number;
}

export class Pump {
  readonly psam: SimulatedPsam;
  /**
   * The pump's grey journal, written before GREY LOCK is sent (as S2 journals), so a card pulled
   * mid-lock can be unlocked here from the journal and the card's lock proof.
   */
  readonly journal: GreyRecord[] = [];
  private psamKeyIndex = 1;

  constructor(o: { psam: SimulatedPsam }) {
    this.psam = o.psam;
    this.psam.powerOn();
    exchange(this.psam, 'PSAM SELECT PSE', C.selectByName(AID.PSE));
    const fci = exchange(this.psam, 'PSAM SELECT SINOPEC1', C.selectByName(AID.SINOPEC1));
    // 6F len 84 0D AID A5 len 9F0C len keyIndex...: the key index is the first byte of 9F0C.
    this.psamKeyIndex = fci[2 + 2 + 13 + 2 + 3] ?? 1;
  }

  get terminalId(): Uint8Array {
    return this.psam.terminalId;
  }

  /** Card in: power, SELECT LOYALTY (absent is fine), SELECT SINOPEC, files, VERIFY, lock proof, balance. */
  insert(card: SimulatedCard, pin: string): PumpSession {
    card.powerOn();
    card.transmit(C.selectByName(AID.LOYALTY));
    exchange(card, 'SELECT SINOPEC', C.selectByName(AID.SINOPEC));
    const ef15 = exchange(card, 'READ EF15', C.readBinary({ sfi: SFI.EF15, length: FILE_BYTES.EF15 }));
    for (const sfi of [SFI.EF16, SFI.EF1B, SFI.EF1C]) exchange(card, 'READ BINARY', C.readBinary({ sfi, length: 256 }));
    exchange(card, 'VERIFY', C.verify(pinToBcd(pin)));
    const proofResponse = card.transmit(C.getLockProof());
    const proofOk = proofResponse.length === FILE_BYTES.LOCK_PROOF + 2;
    const lockProof = proofOk ? proofResponse.slice(0, FILE_BYTES.LOCK_PROOF) : null;
    const balance = decodeLayout(M.BALANCE_RESPONSE, exchange(card, 'GET BALANCE', C.getBalance(PURSE.ED)), 'GET BALANCE');
    return {
      card,
      asn: ef15.slice(10, 20),
      issuerId: ef15.slice(0, 8),
      greyStatus: lockProof?.[0] ?? 0,
      lockProof,
      balanceFen: balance.balanceFen,
    };
  }

  /** An ED purchase: card INITIALIZE FOR PURCHASE, PSAM MAC1, card DEBIT, PSAM checks MAC2. */
  purchase(s: PumpSession, f: Clock & { amountFen: number }): PurchaseRecord {
    const stamp = { date: toHex(f.date), time: toHex(f.time) };
    const initCommand = C.initializeForPurchase({
      keyIndex: this.psamKeyIndex,
      amountFen: f.amountFen,
      terminalId: toHex(this.terminalId),
    });
    const init = decodeLayout(
      M.INITIALIZE_FOR_PURCHASE_RESPONSE,
      exchange(s.card, 'INITIALIZE FOR PURCHASE', initCommand),
      'INITIALIZE FOR PURCHASE',
    );
    const samCommand = C.initSamForPurchase({
      cardRandom: init.random,
      offlineTtc: init.offlineTtc,
      amountFen: f.amountFen,
      transType: TRANS_TYPE.PURCHASE_ED,
      ...stamp,
      keyVersion: init.keyVersion,
      algId: init.algId,
      asn8: toHex(s.asn.slice(2)),
      issuerId: toHex(s.issuerId),
    });
    const sam = decodeLayout(
      M.INIT_SAM_FOR_PURCHASE_RESPONSE,
      exchange(this.psam, 'INIT SAM FOR PURCHASE', samCommand),
      'INIT SAM FOR PURCHASE',
    );
    const debitCommand = C.debitForPurchase({ terminalTtc: sam.terminalTtc, ...stamp, mac1: sam.mac1 });
    const debit = decodeLayout(M.TAC_MAC2_RESPONSE, exchange(s.card, 'DEBIT FOR PURCHASE', debitCommand), 'DEBIT FOR PURCHASE');
    exchange(this.psam, 'CREDIT SAM FOR PURCHASE', C.creditSamForPurchase({ mac2: debit.mac2 }));
    const balanceFenAfter = init.balanceFen - f.amountFen;
    return {
      asn: s.asn,
      transType: TRANS_TYPE.PURCHASE_ED,
      amountFen: f.amountFen,
      offlineTtc: init.offlineTtc,
      terminalId: this.terminalId,
      psamTtc: sam.terminalTtc,
      date: f.date,
      time: f.time,
      tac: fromHex(debit.tac),
      mac2: fromHex(debit.mac2),
      balanceFenAfter,
    };
  }

  /** Nozzle lifted: INITIALIZE FOR GREY LOCK, PSAM MAC1, GREY LOCK, PSAM checks MAC2. The card is now grey. */
  greyLock(s: PumpSession, f: Clock): GreyRecord {
    const stamp = { date: toHex(f.date), time: toHex(f.time) };
    const initCommand = C.initializeForGreyLock({ keyIndex: this.psamKeyIndex, terminalId: toHex(this.terminalId) });
    const init = decodeLayout(
      M.INITIALIZE_FOR_GREY_LOCK_RESPONSE,
      exchange(s.card, 'INITIALIZE FOR GREY LOCK', initCommand),
      'INITIALIZE FOR GREY LOCK',
    );
    const { balanceFen, offlineTtc } = init;
    const samCommand = C.initSamGreyLock({
      cardRandom: init.random,
      offlineTtc,
      balanceFen,
      transType: TRANS_TYPE.GREY_LOCK,
      ...stamp,
      keyVersion: init.keyVersion,
      algId: init.algId,
      asn8: toHex(s.asn.slice(2)),
      issuerId: toHex(s.issuerId),
    });
    const sam = decodeLayout(M.INIT_SAM_GREY_LOCK_RESPONSE, exchange(this.psam, 'INIT SAM GREY LOCK', samCommand), 'INIT SAM GREY LOCK');
    const record: GreyRecord = {
      asn: s.asn,
      purse: 1,
      balanceFen,
      offlineTtc,
      terminalId: this.terminalId,
      psamTtc: sam.terminalTtc,
      ...f,
      gtac: null,
      mac2: null,
    };
    this.journal.push(record);
    const lockCommand = C.greyLock({ terminalTtc: sam.terminalTtc, terminalRandom: sam.terminalRandom, ...stamp, mac1: sam.mac1 });
    const lock = decodeLayout(M.GREY_LOCK_RESPONSE, exchange(s.card, 'GREY LOCK', lockCommand), 'GREY LOCK');
    Object.assign(record, { gtac: fromHex(lock.gtac), mac2: fromHex(lock.mac2) });
    exchange(this.psam, 'CERTIFY SAM GREY LOCK', C.certifySamGreyLock({ mac2: lock.mac2 }));
    return record;
  }

  /** Nozzle hung up: the PSAM makes the GMAC for the amount fuelled (E0 44). No card needed. */
  prepareUnlock(record: GreyRecord, amountFen: number): GreyRecord {
    if (record.mac2 === null) throw new Error('the grey lock was never certified: use recoverGrey with the card');
    const command = C.creditSamForGreyDebit({
      transType: TRANS_TYPE.UNLOCK_DEBIT,
      asn8: toHex(record.asn.slice(2)),
      offlineTtc: record.offlineTtc,
      amountFen,
    });
    const gmac = decodeLayout(M.GMAC_RESPONSE, exchange(this.psam, 'CREDIT SAM FOR GREY DEBIT', command), 'CREDIT SAM FOR GREY DEBIT');
    return Object.assign(record, { amountFen, gmac: fromHex(gmac.gmac) });
  }

  /** DEBIT FOR UNLOCK with the record's values (the lock's TTC, date and time), then CLEAR TACUF. Returns the TAC. */
  debitForUnlock(s: PumpSession, record: GreyRecord): Uint8Array {
    if (record.amountFen === undefined || record.gmac === undefined) throw new Error('grey record has no GMAC yet: call prepareUnlock');
    const command = C.debitForUnlock({
      purse: record.purse,
      amountFen: record.amountFen,
      offlineTtc: record.offlineTtc,
      terminalId: toHex(record.terminalId),
      terminalTtc: record.psamTtc,
      date: toHex(record.date),
      time: toHex(record.time),
      gmac: toHex(record.gmac),
    });
    const tac = exchange(s.card, 'DEBIT FOR UNLOCK', command);
    exchange(s.card, 'CLEAR TACUF', C.clearLockProof());
    return tac;
  }

  /** The whole fuelling: lock, fuel `amountFen`, debit and unlock. */
  fuel(s: PumpSession, f: Clock & { amountFen: number }): { record: GreyRecord; tac: Uint8Array } {
    const record = this.prepareUnlock(this.greyLock(s, f), f.amountFen);
    return { record, tac: this.debitForUnlock(s, record) };
  }

  /**
   * Grey recovery at a pump (§5.2): flag 10 → the debit happened, read its TAC from the lock proof
   * and clear; flag 01 → DEBIT FOR UNLOCK with the grey record (given, or found in this pump's
   * journal by card and counter). A lock whose answer was lost is certified from the lock proof's
   * MAC2 and debited 0: no fuel was authorised. Returns the unlock TAC.
   */
  recoverGrey(s: PumpSession, given?: GreyRecord): Uint8Array {
    const proof = s.lockProof;
    if (s.greyStatus === 0x10 && proof !== null) {
      exchange(s.card, 'CLEAR TACUF', C.clearLockProof());
      return proof.slice(26, 30);
    }
    const offlineTtc = proof === null ? -1 : readU16be(proof, 7);
    const record = given ?? this.journal.findLast((r) => equalBytes(r.asn, s.asn) && r.offlineTtc === offlineTtc);
    if (record === undefined || proof === null) throw new Error('no grey record for this card at this pump');
    if (record.gmac === undefined) {
      if (record.mac2 === null) {
        exchange(this.psam, 'CERTIFY SAM GREY LOCK', C.certifySamGreyLock({ mac2: toHex(proof.slice(22, 26)) }));
        Object.assign(record, { mac2: proof.slice(22, 26), gtac: proof.slice(26, 30) });
      }
      this.prepareUnlock(record, record.amountFen ?? 0);
    }
    return this.debitForUnlock(s, record);
  }
}
