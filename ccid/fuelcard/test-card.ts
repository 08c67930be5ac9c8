/**
 * A minimal card model for this folder's tests and for recording the transcripts in
 * tests/transcripts: the card side of the commands the flows use, with the crypto of ccid/crypto
 * and deterministic randoms. It is not the simulator (ccid/sim is: persistence, power loss, card
 * types); it exists so the application layer and the transcripts do not wait for it.
 */
import { concatBytes, equalBytes, fromHex, readU16be, readU32be, toHex } from '../bytes.ts';
import * as C from '../crypto/index.ts';
import { DEFAULT_SCHEMES } from '../crypto/index.ts';
import { encodeEf15, encodeEf16, encodeEf1b, encodeEf1c, type Ef15 } from './files.ts';
import { encodeLockProof, encodeTransactionRecord, type LockProof, type TransactionRecord } from './messages.ts';
import { AID, SFI } from './spec.ts';

const key = (byte: string): Uint8Array => fromHex(byte.repeat(16));
/** Test master keys of reference §4.3, plus a maintenance master key. */
export const TEST_MASTER_KEYS = { MLK: key('11'), MPK: key('22'), MTK: key('33'), MULK: key('44'), MUGK: key('55'), MPUK: key('66'), MRPK: key('77'), MAMTK: key('88') };
export const TEST_ASN = '01000113200000123456';
export const TEST_TERMINAL_ID = '000000000001';

export const TEST_EF15: Ef15 = {
  issuerId: '10FFFFFFFFFFFFFF', appType: 0x11, appVersion: 0x01, asn: TEST_ASN,
  startDate: '2024-01-01', expiryDate: '2029-12-31', instructionVersion: 0x01, rfu: 0x00,
};

/** The card keys diversified from the test master keys by the ASN. */
export function testCardKeys(asn = TEST_ASN) {
  const f = C.asnFactor(fromHex(asn));
  const m = TEST_MASTER_KEYS;
  return {
    DLK: C.diversify(m.MLK, f), DTK: C.diversify(m.MTK, f), DULK: C.diversify(m.MULK, f), DUGK: C.diversify(m.MUGK, f),
    DPUK: C.diversify(m.MPUK, f), DRPK: C.diversify(m.MRPK, f), DAMTK: C.diversify(m.MAMTK, f),
  };
}

type Pending = { kind: 'LOAD' | 'UNLOAD' | 'UNLOCK'; session: Uint8Array; amountFen: number; terminalId: Uint8Array };
const sw = (value: number): Uint8Array => Uint8Array.of(value >> 8, value & 0xff);
const ok = (...data: Uint8Array[]): Uint8Array => concatBytes(...data, sw(0x9000));

export type TestCardOptions = { balanceFen?: number; pin?: string; pinMode?: number; lockProof?: LockProof | null; records?: TransactionRecord[]; offlineTtc?: number };

export class TestCard {
  balanceFen: number;
  onlineTtc = 0;
  offlineTtc: number;
  pin: Uint8Array;
  triesLeft = 3;
  verified = false;
  lockProof: LockProof | null;
  records: TransactionRecord[];
  readonly files = new Map<number, Uint8Array>();
  readonly keys = testCardKeys();
  private pending: Pending | null = null;
  private challenge: Uint8Array = new Uint8Array(4);
  private randomCounter = 0x12345678;
  private readonly proofs = new Map<string, Uint8Array>();

  constructor(options: TestCardOptions = {}) {
    this.balanceFen = options.balanceFen ?? 0;
    this.offlineTtc = options.offlineTtc ?? 0;
    this.pin = fromHex((options.pin ?? '123456').length % 2 === 0 ? (options.pin ?? '123456') : `${options.pin}F`);
    this.lockProof = options.lockProof ?? null;
    this.records = options.records ?? [];
    this.files.set(SFI.EF15, encodeEf15(TEST_EF15));
    this.files.set(SFI.EF16, encodeEf16({ holderFlag: 1, employeeFlag: 1, holderName: '张三', idNumber: '11010519491231002X', idType: 1 }));
    this.files.set(SFI.EF1B, encodeEf1b({ usesDefaultPin: (options.pinMode ?? 1) === 0, pinMode: options.pinMode ?? 1, employeeNumber: 0, employeePassword: '0000', rfu: '00'.repeat(28) }));
    this.files.set(SFI.EF1C, encodeEf1c({ gradeLimit: 'FFFF', locationMode: 0xff, locations: [], perFuellingLimit: 0xffff, fuellingsPerDayMax: 0xff, amountPerDayFenMax: 0xffffffff, vehiclePlate: '苏A12345', rfu: '00'.repeat(30) }));
  }

  readonly transmit = async (command: Uint8Array): Promise<Uint8Array> => this.answer(command);

  private random(): Uint8Array {
    this.randomCounter = (this.randomCounter * 1103515245 + 12345) >>> 0;
    return C.uintField(this.randomCounter, 4, 'random');
  }

  private log(amountFen: number, transType: number, ttc: number, terminalId: Uint8Array, date: Uint8Array, time: Uint8Array): void {
    this.records.unshift({ ttc, overdraftFen: 0, amountFen, transType, terminalId: toHex(terminalId), date: `${toHex(date).slice(0, 4)}-${toHex(date).slice(4, 6)}-${toHex(date).slice(6)}`, time: `${toHex(time).slice(0, 2)}:${toHex(time).slice(2, 4)}:${toHex(time).slice(4)}` });
    this.records.length = Math.min(this.records.length, 10);
  }

  answer(c: Uint8Array): Uint8Array {
    const [cla, ins, p1, p2] = [c[0]!, c[1]!, c[2]!, c[3]!];
    const data = c.length > 5 ? c.subarray(5, 5 + c[4]!) : new Uint8Array(0);
    const command = (cla << 8) | ins;
    switch (command) {
      case 0x00a4: return equalBytes(data, AID.SINOPEC) ? ok(fromHex('6F0E840CA00000000353494E4F504543')) : sw(0x6a82);
      case 0x00b0: return this.files.has(p1 & 0x1f) ? ok(this.files.get(p1 & 0x1f)!) : sw(0x6a82);
      case 0x00b2: return this.records[p1 - 1] ? ok(encodeTransactionRecord(this.records[p1 - 1]!)) : sw(0x6a83);
      case 0x0020: return this.verify(data);
      case 0x0084: this.challenge = this.random(); return ok(this.challenge);
      case 0x805c: return this.verified ? ok(C.fen4(this.balanceFen)) : sw(0x6982);
      case 0x8050: return p1 === 0x00 || p1 === 0x05 ? this.initOnline(p1 === 0 ? 'LOAD' : 'UNLOAD', data) : sw(0x6a86);
      case 0x8052: return this.completeOnline('LOAD', data);
      case 0x8054: return p1 === 0x03 ? this.completeOnline('UNLOAD', data) : sw(0x6a86);
      case 0x805e: return p1 === 0x01 ? this.changePin(data) : this.reloadPin(data);
      case 0x8424: return this.unblock(data);
      case 0x805a: return this.proofs.has(`${p2}:${readU16be(data, 0)}`) ? ok(this.proofs.get(`${p2}:${readU16be(data, 0)}`)!) : sw(0x9406);
      case 0xe0ca: return p1 === 0x00 ? (this.lockProof ? ok(encodeLockProof(this.lockProof)) : sw(0x6985)) : this.clearTac();
      case 0xe07a: return p1 === 0x09 ? this.initUnlock(data) : sw(0x6a86);
      case 0xe07e: return p1 === 0x09 ? this.greyUnlock(data) : sw(0x6a86);
      case 0x80d4: return ok();
      case 0x04d6: return this.secureUpdate(c);
      default: return sw(0x6d00);
    }
  }

  private verify(pin: Uint8Array): Uint8Array {
    if (this.triesLeft === 0) return sw(0x6983);
    if (!equalBytes(pin, this.pin)) return sw(0x63c0 | --this.triesLeft);
    this.triesLeft = 3;
    this.verified = true;
    return ok();
  }

  private changePin(data: Uint8Array): Uint8Array {
    const at = data.indexOf(0xff);
    const result = this.verify(data.subarray(0, at));
    if (result.length === 2 && result[0] !== 0x90) return result;
    this.pin = data.slice(at + 1);
    return ok();
  }

  private reloadPin(data: Uint8Array): Uint8Array {
    const pin = data.subarray(0, -4);
    if (!equalBytes(C.pinReloadMac({ drpk: this.keys.DRPK, pin }), data.subarray(-4))) return sw(0x9302);
    this.pin = pin.slice();
    this.triesLeft = 3;
    return ok();
  }

  private unblock(data: Uint8Array): Uint8Array {
    try {
      this.pin = C.openPinUnblockData({ dpuk: this.keys.DPUK, data, challenge: this.challenge });
    } catch {
      return sw(0x9302);
    }
    this.triesLeft = 3;
    return ok();
  }

  private initOnline(kind: 'LOAD' | 'UNLOAD', data: Uint8Array): Uint8Array {
    const amountFen = readU32be(data, 1);
    const terminalId = data.slice(5, 11);
    if (kind === 'UNLOAD' && amountFen > this.balanceFen) return sw(0x9401);
    const random = this.random();
    const cardKey = kind === 'LOAD' ? this.keys.DLK : this.keys.DULK;
    const session = C.loadSessionKey(cardKey, random, this.onlineTtc);
    const mac1 = kind === 'LOAD'
      ? C.loadMac1({ sessionKey: session, balanceFen: this.balanceFen, amountFen, transType: 0x01, terminalId })
      : C.unloadMac1({ sessionKey: session, balanceFen: this.balanceFen, amountFen, terminalId });
    this.pending = { kind, session, amountFen, terminalId };
    return ok(C.fen4(this.balanceFen), C.ttc2(this.onlineTtc), Uint8Array.of(1, 0), random, mac1);
  }

  private completeOnline(kind: 'LOAD' | 'UNLOAD', data: Uint8Array): Uint8Array {
    const p = this.pending;
    if (p?.kind !== kind) return sw(0x6985);
    const [date, time, mac2] = [data.subarray(0, 4), data.subarray(4, 7), data.subarray(7, 11)];
    const stamp = { sessionKey: p.session, amountFen: p.amountFen, terminalId: p.terminalId, date, time };
    const expected = kind === 'LOAD' ? C.loadMac2({ ...stamp, transType: 0x01 }) : C.unloadMac2(stamp);
    this.pending = null;
    if (!equalBytes(expected, mac2)) return sw(0x9302);
    this.balanceFen += kind === 'LOAD' ? p.amountFen : -p.amountFen;
    const fields = { dtk: this.keys.DTK, balanceFenAfter: this.balanceFen, onlineTtc: this.onlineTtc, amountFen: p.amountFen, terminalId: p.terminalId, date, time };
    const tac = kind === 'LOAD' ? C.loadTac({ ...fields, transType: 0x01 }) : C.unloadMac3(fields);
    const transType = kind === 'LOAD' ? 0x01 : 0x03;
    this.proofs.set(`${transType}:${this.onlineTtc}`, concatBytes(tac, new Uint8Array(4)));
    this.log(p.amountFen, transType, this.onlineTtc, p.terminalId, date, time);
    this.onlineTtc = (this.onlineTtc + 1) & 0xffff;
    return ok(tac);
  }

  private initUnlock(data: Uint8Array): Uint8Array {
    const terminalId = data.slice(1, 7);
    const random = this.random();
    const session = C.onlineUnlockSessionKey(this.keys.DUGK, random, this.onlineTtc);
    const mac1 = C.onlineUnlockMac1({ sessionKey: session, balanceFen: this.balanceFen, offlineTtc: this.offlineTtc, terminalId });
    this.pending = { kind: 'UNLOCK', session, amountFen: 0, terminalId };
    return ok(C.fen4(this.balanceFen), C.ttc2(this.offlineTtc), C.ttc2(this.onlineTtc), Uint8Array.of(1, 0), random, mac1);
  }

  private greyUnlock(data: Uint8Array): Uint8Array {
    const p = this.pending;
    if (p?.kind !== 'UNLOCK') return sw(0x6985);
    const amountFen = readU32be(data, 0);
    const [date, time, mac2] = [data.subarray(4, 8), data.subarray(8, 11), data.subarray(11, 15)];
    this.pending = null;
    if (!equalBytes(C.onlineUnlockMac2({ sessionKey: p.session, amountFen, terminalId: p.terminalId, date, time }), mac2)) return sw(0x9302);
    if (amountFen > this.balanceFen) return sw(0x9401);
    this.balanceFen -= amountFen;
    const mac3 = C.onlineUnlockMac3({ dtk: this.keys.DTK, balanceFenAfter: this.balanceFen, onlineTtc: this.onlineTtc, amountFen, terminalId: p.terminalId, date, time, scheme: DEFAULT_SCHEMES.mac3 });
    const base = this.lockProof ?? { transType: 0x95, purseType: 1, balanceFen: this.balanceFen, offlineTtc: this.offlineTtc, terminalId: toHex(p.terminalId), date: '2024-01-02', time: '03:04:05' };
    this.lockProof = { ...base, transType: 0x95, greyStatus: 0x10, greyState: 'TAC_UNREAD', amountFen, tac: toHex(mac3) } as LockProof;
    this.log(amountFen, 0x95, this.onlineTtc, p.terminalId, date, time);
    this.onlineTtc = (this.onlineTtc + 1) & 0xffff;
    return ok(mac3);
  }

  private clearTac(): Uint8Array {
    if (this.lockProof?.greyState === 'TAC_UNREAD') this.lockProof = { ...this.lockProof, greyStatus: 0, greyState: 'NORMAL' };
    return ok();
  }

  private secureUpdate(c: Uint8Array): Uint8Array {
    const data = c.subarray(5, c.length - 4);
    const mac = C.secureUpdateBinaryMac({ key: this.keys.DAMTK, challenge: this.challenge, sfi: c[2]! & 0x1f, offset: c[3]!, data });
    if (!equalBytes(mac, c.subarray(c.length - 4))) return sw(0x9302);
    this.files.set(c[2]! & 0x1f, data.slice());
    return ok();
  }
}
