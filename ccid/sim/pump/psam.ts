/**
 * A simulated PSAM (purchase secure access module) of a Sinopec dispenser (docs/card-protocol.md
 * §1.4): it holds the purchase master key MPK, derives each card's DPK from the card number and
 * issuer ID the card reports, and makes the MAC1 of purchases and grey locks, checks the card's
 * MAC2, and makes the GMAC that lets a card be debited and unlocked. It keeps its grey-lock
 * sessions by PSAM TTC so GET GMAC can answer after a pump restart. Deterministic like the user
 * card.
 */
import { concatBytes, equalBytes, fromHex, readU16be, readU32be, u32be } from '../../bytes.ts';
import {
  DEFAULT_SCHEMES,
  TRANS_TYPE,
  deriveDpk,
  diversify,
  greyLockMac1,
  greyLockMac2,
  greyLockSessionKey,
  keyHalvesXor,
  pbocMac,
  purchaseMac1,
  purchaseMac2,
  purchaseSessionKey,
  unlockGmac,
  type CryptoSchemes,
} from '../../crypto/index.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { parseCommandApdu, type CommandApdu } from '../card/apdu.ts';
import { SW, encodeResponse, ok, swOnly, type CardResponse } from '../card/sw.ts';

export const PSAM_AID = {
  PSE: fromHex('315041592E5359532E4444463031'),
  SINOPEC1: fromHex('A00000000353494E4F50454331'),
  SINOPEC2: fromHex('A00000000353494E4F50454332'),
} as const;

/**
 * DEMO/TEST terminal number of the simulated PSAM: Jiangsu (32) in byte 1, as the local-card test
 * of docs/card-protocol.md §5.1 expects.
 */
export const DEMO_PSAM_TERMINAL_ID = fromHex('013200000001');
export const PSAM_ATR = fromHex('3B680000 0073C84010009000');
/** Grey-lock sessions kept for GET GMAC (a pump looks back a few transactions at most). */
const GREY_SESSIONS_MAX = 16;

export interface PsamOptions {
  mpk: Uint8Array;
  terminalId?: Uint8Array;
  psamAsn?: Uint8Array;
  keyIndex?: number;
  issuerId?: Uint8Array;
  acquirerId?: Uint8Array;
  /** The PSAM's own TAC key (the SAM-TAC of E0 44); DEMO value by default. */
  tacKey?: Uint8Array;
  schemes?: CryptoSchemes;
  /** The TTC the next transaction takes. */
  ttcNext?: number;
}

interface GreySession {
  psamTtc: number;
  sessionKey: Uint8Array;
  asn8: Uint8Array;
  offlineTtc: number;
  balanceFen: number;
  date: Uint8Array;
  time: Uint8Array;
  certified: boolean;
  gmac?: Uint8Array;
  samTac?: Uint8Array;
}

type PurchaseSession = { sessionKey: Uint8Array; amountFen: number };

export class SimulatedPsam implements SimulatedCard {
  readonly terminalId: Uint8Array;
  readonly keyIndex: number;
  private readonly o: Required<Omit<PsamOptions, 'terminalId' | 'keyIndex' | 'ttcNext'>>;
  private ttcNext: number;
  private greySessions: GreySession[] = [];
  private purchase: PurchaseSession | null = null;
  private lastGrey: GreySession | null = null;
  private selected: 'MF' | 'SINOPEC1' | 'SINOPEC2' = 'MF';
  private powered = false;

  constructor(options: PsamOptions) {
    this.terminalId = options.terminalId ?? DEMO_PSAM_TERMINAL_ID;
    this.keyIndex = options.keyIndex ?? 1;
    this.ttcNext = options.ttcNext ?? 1;
    this.o = {
      mpk: options.mpk,
      psamAsn: options.psamAsn ?? fromHex('10000000000000000001'),
      issuerId: options.issuerId ?? fromHex('10FFFFFFFFFFFFFF'),
      acquirerId: options.acquirerId ?? fromHex('10FFFFFFFFFFFFFF'),
      tacKey: options.tacKey ?? new Uint8Array(16).fill(0xcc),
      schemes: options.schemes ?? DEFAULT_SCHEMES,
    };
  }

  powerOn(): Uint8Array {
    this.powered = true;
    this.selected = 'MF';
    this.purchase = null;
    this.lastGrey = null;
    return PSAM_ATR.slice();
  }

  powerOff(): void {
    this.powered = false;
  }

  /** The TTC the next transaction will take. */
  get nextTtc(): number {
    return this.ttcNext;
  }

  transmit(commandApdu: Uint8Array): Uint8Array {
    if (!this.powered) throw new Error('PSAM not powered');
    const apdu = parseCommandApdu(commandApdu);
    const purchase = this.purchase;
    this.purchase = null;
    return encodeResponse(apdu === null ? swOnly(SW.WRONG_LENGTH) : this.dispatch(apdu, purchase));
  }

  private dispatch(apdu: CommandApdu, purchase: PurchaseSession | null): CardResponse {
    const key = (apdu.cla << 8) | apdu.ins;
    switch (key) {
      case 0x00a4:
        return this.select(apdu);
      case 0x00b0:
        return this.readBinary(apdu);
      case 0x8070:
        return this.initForPurchase(apdu);
      case 0x8072:
        return this.creditForPurchase(apdu, purchase);
      case 0xe040:
        return this.initGreyLock(apdu);
      case 0xe042:
        return this.certifyGreyLock(apdu);
      case 0xe044:
        return this.creditGreyDebit(apdu);
      case 0xe046:
        return this.getGmac(apdu);
      default:
        return swOnly([0x00, 0x80, 0xe0].includes(apdu.cla) ? SW.INS_NOT_SUPPORTED : SW.CLA_NOT_SUPPORTED);
    }
  }

  private fci(aid: Uint8Array, custom: Uint8Array): Uint8Array {
    const a5 = concatBytes(Uint8Array.of(0x9f, 0x0c, custom.length), custom);
    const inner = concatBytes(Uint8Array.of(0x84, aid.length), aid, Uint8Array.of(0xa5, a5.length), a5);
    return concatBytes(Uint8Array.of(0x6f, inner.length), inner);
  }

  /** SELECT PSE (9F0C: ASN ver keyType cmdVer RFU TID) or SINOPEC1/2 (9F0C: keyIndex issuer acquirer dates). */
  private select(apdu: CommandApdu): CardResponse {
    if (apdu.p1 !== 0x04 || apdu.p2 !== 0x00) return swOnly(SW.WRONG_P1P2);
    if (equalBytes(apdu.data, PSAM_AID.PSE)) {
      this.selected = 'MF';
      return ok(this.fci(PSAM_AID.PSE, concatBytes(this.o.psamAsn, Uint8Array.of(0x01, 0x00, 0x01, 0x00), this.terminalId)));
    }
    const app = equalBytes(apdu.data, PSAM_AID.SINOPEC1) ? 'SINOPEC1' : equalBytes(apdu.data, PSAM_AID.SINOPEC2) ? 'SINOPEC2' : null;
    if (app === null) return swOnly(SW.FILE_NOT_FOUND);
    this.selected = app;
    const custom = concatBytes(Uint8Array.of(this.keyIndex), this.o.issuerId, this.o.acquirerId, fromHex('20240101'), fromHex('20341231'));
    return ok(this.fci(apdu.data, custom));
  }

  /** READ BINARY SFI 16: the terminal number (6 bytes), as PBOC PSAMs keep it. */
  private readBinary(apdu: CommandApdu): CardResponse {
    if (apdu.p1 !== 0x96 || apdu.p2 !== 0x00) return swOnly(SW.FILE_NOT_FOUND);
    return ok(this.terminalId.slice());
  }

  private requireApp(): CardResponse | null {
    return this.selected === 'MF' ? swOnly(SW.CONDITIONS_NOT_SATISFIED) : null;
  }

  /** Card DPK from the APDU's diversification factors: ASN8 then (with two levels) the issuer ID. */
  private cardDpk(asn8: Uint8Array, issuerId: Uint8Array | null): Uint8Array {
    if (issuerId === null) return diversify(this.o.mpk, asn8);
    return deriveDpk({ mpk: this.o.mpk, asn8, issuerId, scheme: this.o.schemes.dpkDiversification });
  }

  private takeTtc(): number {
    const ttc = this.ttcNext;
    this.ttcNext = (this.ttcNext + 1) >>> 0;
    return ttc;
  }

  /** INIT SAM FOR PURCHASE 80 70: rand CTC amount type date time keyVer algId ASN8 [issuer] → TTC MAC1. */
  private initForPurchase(apdu: CommandApdu): CardResponse {
    const refused = this.requireApp();
    if (refused !== null) return refused;
    const d = apdu.data;
    if (d.length !== 0x1c && d.length !== 0x24) return swOnly(SW.WRONG_LENGTH);
    const [random, offlineTtc, amountFen, transType] = [d.slice(0, 4), readU16be(d, 4), readU32be(d, 6), d[10]!];
    const [date, time, asn8] = [d.slice(11, 15), d.slice(15, 18), d.slice(20, 28)];
    const dpk = this.cardDpk(asn8, d.length === 0x24 ? d.slice(28, 36) : null);
    const psamTtc = this.takeTtc();
    const sessionKey = purchaseSessionKey({ dpk, random, offlineTtc, terminalTtc: psamTtc });
    const mac1 = purchaseMac1({ sessionKey, amountFen, transType, terminalId: this.terminalId, date, time });
    this.purchase = { sessionKey, amountFen };
    return ok(concatBytes(u32be(psamTtc), mac1));
  }

  /** CREDIT SAM FOR PURCHASE 80 72: checks the card's MAC2. */
  private creditForPurchase(apdu: CommandApdu, purchase: PurchaseSession | null): CardResponse {
    if (apdu.data.length !== 4) return swOnly(SW.WRONG_LENGTH);
    if (purchase === null) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    const expected = purchaseMac2({ sessionKey: purchase.sessionKey, amountFen: purchase.amountFen });
    return equalBytes(expected, apdu.data) ? ok() : swOnly(SW.MAC_INVALID);
  }

  /** INIT SAM GREY LOCK E0 40: rand CTC balance 91 date time keyVer algId ASN8 issuer → TTC TRAN MAC1. */
  private initGreyLock(apdu: CommandApdu): CardResponse {
    const refused = this.requireApp();
    if (refused !== null) return refused;
    const d = apdu.data;
    if (d.length !== 0x24 && d.length !== 0x1c) return swOnly(SW.WRONG_LENGTH);
    if (d[10] !== TRANS_TYPE.GREY_LOCK) return swOnly(SW.WRONG_DATA);
    const [random, offlineTtc, balanceFen] = [d.slice(0, 4), readU16be(d, 4), readU32be(d, 6)];
    const [date, time, asn8] = [d.slice(11, 15), d.slice(15, 18), d.slice(20, 28)];
    const dpk = this.cardDpk(asn8, d.length === 0x24 ? d.slice(28, 36) : null);
    const psamTtc = this.takeTtc();
    const terminalRandom = this.terminalRandom(psamTtc);
    const s = this.o.schemes;
    const sessionKey = greyLockSessionKey({ dpk, random, offlineTtc, terminalTtc: psamTtc, terminalRandom, scheme: s.greyLockSession });
    const mac1 = greyLockMac1({ sessionKey, terminalId: this.terminalId, date, time });
    const session: GreySession = { psamTtc, sessionKey, asn8, offlineTtc, balanceFen, date, time, certified: false };
    this.greySessions = [session, ...this.greySessions].slice(0, GREY_SESSIONS_MAX);
    this.lastGrey = session;
    return ok(concatBytes(u32be(psamTtc), terminalRandom, mac1));
  }

  /** TRAN, the PSAM's random for a grey lock: derived from the TTC so runs are reproducible. */
  private terminalRandom(psamTtc: number): Uint8Array {
    return pbocMac(keyHalvesXor(this.o.tacKey), concatBytes(this.terminalId, u32be(psamTtc)));
  }

  /** CERTIFY SAM GREY LOCK E0 42: checks the card's MAC2 of the last grey lock. */
  private certifyGreyLock(apdu: CommandApdu): CardResponse {
    if (apdu.data.length !== 4) return swOnly(SW.WRONG_LENGTH);
    const session = this.lastGrey;
    if (session === null) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    const expected = greyLockMac2({ sessionKey: session.sessionKey, balanceFen: session.balanceFen, scheme: this.o.schemes.greyLockMac2 });
    if (!equalBytes(expected, apdu.data)) return swOnly(SW.MAC_INVALID);
    session.certified = true;
    return ok();
  }

  /** CREDIT SAM FOR GREY DEBIT E0 44: 93 ASN8 CTC amount → GMAC SAM-TAC, for the lock with that card and CTC. */
  private creditGreyDebit(apdu: CommandApdu): CardResponse {
    const d = apdu.data;
    if (d.length !== 15) return swOnly(SW.WRONG_LENGTH);
    if (d[0] !== TRANS_TYPE.UNLOCK_DEBIT) return swOnly(SW.WRONG_DATA);
    const [asn8, offlineTtc, amountFen] = [d.slice(1, 9), readU16be(d, 9), readU32be(d, 11)];
    const session = this.greySessions.find((s) => equalBytes(s.asn8, asn8) && s.offlineTtc === offlineTtc);
    if (session === undefined || !session.certified) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    const gmac = unlockGmac({
      sessionKey: session.sessionKey,
      asn8,
      offlineTtc,
      amountFen,
      terminalId: this.terminalId,
      date: session.date,
      time: session.time,
      scheme: this.o.schemes.unlockGmac,
    });
    const samTac = pbocMac(keyHalvesXor(this.o.tacKey), concatBytes(d, this.terminalId, u32be(session.psamTtc)));
    session.gmac = gmac;
    session.samTac = samTac;
    return ok(concatBytes(gmac, samTac));
  }

  /** GET GMAC E0 46: PSAM TTC → the GMAC and SAM-TAC made for that grey lock. */
  private getGmac(apdu: CommandApdu): CardResponse {
    if (apdu.data.length !== 4) return swOnly(SW.WRONG_LENGTH);
    const psamTtc = readU32be(apdu.data, 0);
    const session = this.greySessions.find((s) => s.psamTtc === psamTtc);
    if (session?.gmac === undefined || session.samTac === undefined) return swOnly(SW.MAC_TAC_UNAVAILABLE);
    return ok(concatBytes(session.gmac, session.samTac));
  }
}
