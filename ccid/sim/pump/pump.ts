/**
 * A dispenser harness: it drives a user card and a PSAM the way a Sinopec pump's card reader does
 * (docs/card-protocol.md §1.1 insertion order, §1.3 grey lock → fuelling → DEBIT FOR UNLOCK, §1.4
 * PSAM commands, §5.2 grey recovery), so tests and demos make purchase records and grey cards like
 * a real pump. Each step is a method, so a test can pull the card between any two of them. The
 * bare § numbers below are docs/card-protocol.md's too.
 */
import { concatBytes, equalBytes, readU16be, readU32be, u32be } from '../../bytes.ts';
import { TRANS_TYPE } from '../../crypto/index.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { pinToBcd } from '../card/files.ts';
import { apdu, exchange } from '../card/issuer.ts';
import { AID } from '../card/read.ts';
import { PSAM_AID, type SimulatedPsam } from './psam.ts';

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
    exchange(this.psam, 'PSAM SELECT PSE', apdu([0x00, 0xa4, 0x04, 0x00], PSAM_AID.PSE));
    const fci = exchange(this.psam, 'PSAM SELECT SINOPEC1', apdu([0x00, 0xa4, 0x04, 0x00], PSAM_AID.SINOPEC1));
    // 6F len 84 0D AID A5 len 9F0C len keyIndex...: the key index is the first byte of 9F0C.
    this.psamKeyIndex = fci[2 + 2 + 13 + 2 + 3] ?? 1;
  }

  get terminalId(): Uint8Array {
    return this.psam.terminalId;
  }

  /** Card in: power, SELECT LOYALTY (absent is fine), SELECT SINOPEC, files, VERIFY, lock proof, balance. */
  insert(card: SimulatedCard, pin: string): PumpSession {
    card.powerOn();
    card.transmit(apdu([0x00, 0xa4, 0x04, 0x00], AID.LOYALTY));
    exchange(card, 'SELECT SINOPEC', apdu([0x00, 0xa4, 0x04, 0x00], AID.SINOPEC));
    const ef15 = exchange(card, 'READ EF15', apdu([0x00, 0xb0, 0x95, 0x00], undefined, 0x1e));
    for (const p1 of [0x96, 0x9b, 0x9c]) exchange(card, 'READ BINARY', apdu([0x00, 0xb0, p1, 0x00], undefined, 0x00));
    exchange(card, 'VERIFY', apdu([0x00, 0x20, 0x00, 0x00], pinToBcd(pin)));
    const proofResponse = card.transmit(apdu([0xe0, 0xca, 0x00, 0x00], undefined, 0x1e));
    const proofOk = proofResponse.length === 32;
    const lockProof = proofOk ? proofResponse.slice(0, 30) : null;
    const balance = exchange(card, 'GET BALANCE', apdu([0x80, 0x5c, 0x00, 0x01], undefined, 0x04));
    return { card, asn: ef15.slice(10, 20), issuerId: ef15.slice(0, 8), greyStatus: lockProof?.[0] ?? 0, lockProof, balanceFen: readU32be(balance, 0) };
  }

  /** An ED purchase: card INITIALIZE FOR PURCHASE, PSAM MAC1, card DEBIT, PSAM checks MAC2. */
  purchase(s: PumpSession, f: Clock & { amountFen: number }): PurchaseRecord {
    const init = exchange(s.card, 'INITIALIZE FOR PURCHASE', apdu([0x80, 0x50, 0x01, 0x01], concatBytes(Uint8Array.of(this.psamKeyIndex), u32be(f.amountFen), this.terminalId), 0x0f));
    const offlineTtc = readU16be(init, 4);
    const samData = concatBytes(init.slice(11, 15), init.slice(4, 6), u32be(f.amountFen), Uint8Array.of(TRANS_TYPE.PURCHASE_ED), f.date, f.time, init.slice(9, 11), s.asn.slice(2), s.issuerId);
    const sam = exchange(this.psam, 'INIT SAM FOR PURCHASE', apdu([0x80, 0x70, 0x00, 0x00], samData, 0x08));
    const psamTtc = readU32be(sam, 0);
    const debit = exchange(s.card, 'DEBIT FOR PURCHASE', apdu([0x80, 0x54, 0x01, 0x00], concatBytes(sam.slice(0, 4), f.date, f.time, sam.slice(4, 8)), 0x08));
    exchange(this.psam, 'CREDIT SAM FOR PURCHASE', apdu([0x80, 0x72, 0x00, 0x00], debit.slice(4, 8)));
    const balanceFenAfter = readU32be(init, 0) - f.amountFen;
    return { asn: s.asn, transType: TRANS_TYPE.PURCHASE_ED, amountFen: f.amountFen, offlineTtc, terminalId: this.terminalId, psamTtc, date: f.date, time: f.time, tac: debit.slice(0, 4), mac2: debit.slice(4, 8), balanceFenAfter };
  }

  /** Nozzle lifted: INITIALIZE FOR GREY LOCK, PSAM MAC1, GREY LOCK, PSAM checks MAC2. The card is now grey. */
  greyLock(s: PumpSession, f: Clock): GreyRecord {
    const init = exchange(s.card, 'INITIALIZE FOR GREY LOCK', apdu([0xe0, 0x7a, 0x08, 0x01], concatBytes(Uint8Array.of(this.psamKeyIndex), this.terminalId), 0x0f));
    const [balanceFen, offlineTtc] = [readU32be(init, 0), readU16be(init, 4)];
    const samData = concatBytes(init.slice(11, 15), init.slice(4, 6), init.slice(0, 4), Uint8Array.of(TRANS_TYPE.GREY_LOCK), f.date, f.time, init.slice(9, 11), s.asn.slice(2), s.issuerId);
    const sam = exchange(this.psam, 'INIT SAM GREY LOCK', apdu([0xe0, 0x40, 0x00, 0x00], samData, 0x0c));
    const record: GreyRecord = { asn: s.asn, purse: 1, balanceFen, offlineTtc, terminalId: this.terminalId, psamTtc: readU32be(sam, 0), ...f, gtac: null, mac2: null };
    this.journal.push(record);
    const lock = exchange(s.card, 'GREY LOCK', apdu([0xe0, 0x7c, 0x08, 0x00], concatBytes(sam.slice(0, 8), f.date, f.time, sam.slice(8, 12)), 0x08));
    Object.assign(record, { gtac: lock.slice(0, 4), mac2: lock.slice(4, 8) });
    exchange(this.psam, 'CERTIFY SAM GREY LOCK', apdu([0xe0, 0x42, 0x00, 0x00], lock.slice(4, 8)));
    return record;
  }

  /** Nozzle hung up: the PSAM makes the GMAC for the amount fuelled (E0 44). No card needed. */
  prepareUnlock(record: GreyRecord, amountFen: number): GreyRecord {
    if (record.mac2 === null) throw new Error('the grey lock was never certified: use recoverGrey with the card');
    const data = concatBytes(Uint8Array.of(TRANS_TYPE.UNLOCK_DEBIT), record.asn.slice(2), u32be(record.offlineTtc).slice(2), u32be(amountFen));
    const gmac = exchange(this.psam, 'CREDIT SAM FOR GREY DEBIT', apdu([0xe0, 0x44, 0x00, 0x00], data, 0x08));
    return Object.assign(record, { amountFen, gmac: gmac.slice(0, 4) });
  }

  /** DEBIT FOR UNLOCK with the record's values (the lock's TTC, date and time), then CLEAR TACUF. Returns the TAC. */
  debitForUnlock(s: PumpSession, record: GreyRecord): Uint8Array {
    if (record.amountFen === undefined || record.gmac === undefined) throw new Error('grey record has no GMAC yet: call prepareUnlock');
    const data = concatBytes(u32be(record.amountFen), u32be(record.offlineTtc).slice(2), record.terminalId, u32be(record.psamTtc), record.date, record.time, record.gmac);
    const tac = exchange(s.card, 'DEBIT FOR UNLOCK', apdu([0xe0, 0x7e, 0x08, record.purse], data, 0x04));
    exchange(s.card, 'CLEAR TACUF', apdu([0xe0, 0xca, 0x01, 0x00], undefined, 0x00));
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
      exchange(s.card, 'CLEAR TACUF', apdu([0xe0, 0xca, 0x01, 0x00], undefined, 0x00));
      return proof.slice(26, 30);
    }
    const offlineTtc = proof === null ? -1 : readU16be(proof, 7);
    const record = given ?? this.journal.findLast((r) => equalBytes(r.asn, s.asn) && r.offlineTtc === offlineTtc);
    if (record === undefined || proof === null) throw new Error('no grey record for this card at this pump');
    if (record.gmac === undefined) {
      if (record.mac2 === null) {
        exchange(this.psam, 'CERTIFY SAM GREY LOCK', apdu([0xe0, 0x42, 0x00, 0x00], proof.slice(22, 26)));
        Object.assign(record, { mac2: proof.slice(22, 26), gtac: proof.slice(26, 30) });
      }
      this.prepareUnlock(record, record.amountFen ?? 0);
    }
    return this.debitForUnlock(s, record);
  }
}
