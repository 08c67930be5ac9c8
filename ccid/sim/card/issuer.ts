/**
 * A minimal issuer-side driver for simulated user cards: it plays the load station and the
 * issuer's key server at once (it holds the master keys), so demo cards get their money through a
 * real INITIALIZE FOR LOAD / CREDIT FOR LOAD and tests can play the issuer. The production host
 * side is ccid/fuelcard plus the server; this is the simulator's own, kept small.
 */
import { concatBytes, readU16be, readU32be, u32be } from '../../bytes.ts';
import { loadMac2, loadSessionKey, onlineUnlockMac2, onlineUnlockSessionKey, TRANS_TYPE } from '../../crypto/index.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { deriveCardKey, type IssuerMasterKeys } from './keys.ts';
import { AID } from './read.ts';

export class SimIssuerError extends Error {
  readonly code = 'SIM_ISSUER_STATUS';
  readonly sw: number;
  constructor(step: string, sw: number) {
    super(`${step} answered ${sw.toString(16).toUpperCase().padStart(4, '0')}`);
    this.name = 'SimIssuerError';
    this.sw = sw;
  }
}

/** Sends one APDU and splits the answer; any status but 9000 throws SimIssuerError. */
export function exchange(card: SimulatedCard, step: string, apdu: Uint8Array): Uint8Array {
  const response = card.transmit(apdu);
  const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
  if (sw !== 0x9000) throw new SimIssuerError(step, sw);
  return response.slice(0, response.length - 2);
}

export function apdu(header: number[], data?: Uint8Array, le?: number): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from(header)];
  if (data !== undefined && data.length > 0) parts.push(Uint8Array.of(data.length), data);
  if (le !== undefined) parts.push(Uint8Array.of(le));
  return concatBytes(...parts);
}

/** SELECT SINOPEC, read EF15's ASN, VERIFY the PIN. Returns the 10-byte ASN. */
export function openApplication(card: SimulatedCard, pinBcd: Uint8Array): Uint8Array {
  exchange(card, 'SELECT SINOPEC', apdu([0x00, 0xa4, 0x04, 0x00], AID.SINOPEC));
  const ef15 = exchange(card, 'READ BINARY EF15', apdu([0x00, 0xb0, 0x95, 0x00], undefined, 0x1e));
  exchange(card, 'VERIFY', apdu([0x00, 0x20, 0x00, 0x00], pinBcd));
  return ef15.slice(10, 20);
}

export interface IssuerLoad {
  masters: IssuerMasterKeys;
  amountFen: number;
  terminalId: Uint8Array;
  date: Uint8Array;
  time: Uint8Array;
  /** 01 ED (default) or 02 EP. */
  purse?: 1 | 2;
  keyIndex?: number;
}

export interface IssuerLoadResult {
  onlineTtc: number;
  balanceFenBefore: number;
  tac: Uint8Array;
}

/** A load on an open application: INITIALIZE FOR LOAD, the issuer's MAC2, CREDIT FOR LOAD. */
export function issuerLoad(card: SimulatedCard, asn: Uint8Array, load: IssuerLoad): IssuerLoadResult {
  const purse = load.purse ?? 1;
  const init = exchange(
    card,
    'INITIALIZE FOR LOAD',
    apdu([0x80, 0x50, 0x00, purse], concatBytes(Uint8Array.of(load.keyIndex ?? 1), u32be(load.amountFen), load.terminalId), 0x10),
  );
  const onlineTtc = readU16be(init, 4);
  const dlk = deriveCardKey('DLK', { masters: load.masters, asn, issuerId: new Uint8Array(8), dpkDiversification: 'ASN_ONCE' });
  const sessionKey = loadSessionKey(dlk, init.slice(8, 12), onlineTtc);
  const transType = purse === 1 ? TRANS_TYPE.LOAD_ED : TRANS_TYPE.LOAD_EP;
  const mac2 = loadMac2({ sessionKey, amountFen: load.amountFen, transType, terminalId: load.terminalId, date: load.date, time: load.time });
  const tac = exchange(card, 'CREDIT FOR LOAD', apdu([0x80, 0x52, 0x00, 0x00], concatBytes(load.date, load.time, mac2), 0x04));
  return { onlineTtc, balanceFenBefore: readU32be(init, 0), tac };
}

/** An online grey unlock (type 95) by the issuer, debiting `amountFen` (0 = forced unlock). */
export function issuerOnlineUnlock(card: SimulatedCard, asn: Uint8Array, f: Omit<IssuerLoad, 'purse'>): Uint8Array {
  const init = exchange(card, 'INITIALIZE FOR GREY UNLOCK', apdu([0xe0, 0x7a, 0x09, 0x01], concatBytes(Uint8Array.of(f.keyIndex ?? 1), f.terminalId), 0x12));
  const dugk = deriveCardKey('DUGK', { masters: f.masters, asn, issuerId: new Uint8Array(8), dpkDiversification: 'ASN_ONCE' });
  const sessionKey = onlineUnlockSessionKey(dugk, init.slice(10, 14), readU16be(init, 6));
  const mac2 = onlineUnlockMac2({ sessionKey, amountFen: f.amountFen, terminalId: f.terminalId, date: f.date, time: f.time });
  return exchange(card, 'GREY UNLOCK', apdu([0xe0, 0x7e, 0x09, 0x00], concatBytes(u32be(f.amountFen), f.date, f.time, mac2), 0x04));
}
