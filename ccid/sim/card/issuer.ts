/**
 * A minimal issuer-side driver for simulated user cards: it plays the load station and the
 * issuer's key server at once (it holds the master keys), so demo cards get their money through a
 * real INITIALIZE FOR LOAD / CREDIT FOR LOAD and tests can play the issuer. Synchronous, as the
 * simulated card is; the commands are ccid/fuelcard's (commands.ts builds them, the messages.ts
 * layouts decode the answers). The production host side is ccid/fuelcard plus the server; this
 * is the simulator's own, kept small.
 */
import { fromHex, toHex } from '../../bytes.ts';
import { loadMac2, loadSessionKey, onlineUnlockMac2, onlineUnlockSessionKey, TRANS_TYPE } from '../../crypto/index.ts';
import * as C from '../../fuelcard/commands.ts';
import { decodeLayout } from '../../fuelcard/layout.ts';
import * as M from '../../fuelcard/messages.ts';
import { AID, FILE_BYTES, SFI } from '../../fuelcard/spec.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { deriveCardKey, type IssuerMasterKeys } from './keys.ts';

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

/** SELECT SINOPEC, read EF15's ASN, VERIFY the PIN. Returns the 10-byte ASN. */
export function openApplication(card: SimulatedCard, pinBcd: Uint8Array): Uint8Array {
  exchange(card, 'SELECT SINOPEC', C.selectByName(AID.SINOPEC));
  const ef15 = exchange(card, 'READ BINARY EF15', C.readBinary({ sfi: SFI.EF15, length: FILE_BYTES.EF15 }));
  exchange(card, 'VERIFY', C.verify(pinBcd));
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
  const command = C.initializeForLoad({
    purse,
    keyIndex: load.keyIndex ?? 1,
    amountFen: load.amountFen,
    terminalId: toHex(load.terminalId),
  });
  const init = decodeLayout(M.INITIALIZE_FOR_LOAD_RESPONSE, exchange(card, 'INITIALIZE FOR LOAD', command), 'INITIALIZE FOR LOAD');
  const dlk = deriveCardKey('DLK', { masters: load.masters, asn, issuerId: new Uint8Array(8), dpkDiversification: 'ASN_ONCE' });
  const sessionKey = loadSessionKey(dlk, fromHex(init.random), init.onlineTtc);
  const transType = purse === 1 ? TRANS_TYPE.LOAD_ED : TRANS_TYPE.LOAD_EP;
  const mac2 = loadMac2({
    sessionKey,
    amountFen: load.amountFen,
    transType,
    terminalId: load.terminalId,
    date: load.date,
    time: load.time,
  });
  const tac = exchange(card, 'CREDIT FOR LOAD', C.creditForLoad({ date: toHex(load.date), time: toHex(load.time), mac2: toHex(mac2) }));
  return { onlineTtc: init.onlineTtc, balanceFenBefore: init.balanceFen, tac };
}

/** An online grey unlock (type 95) by the issuer, debiting `amountFen` (0 = forced unlock). */
export function issuerOnlineUnlock(card: SimulatedCard, asn: Uint8Array, f: Omit<IssuerLoad, 'purse'>): Uint8Array {
  const command = C.initializeForGreyUnlock({ keyIndex: f.keyIndex ?? 1, terminalId: toHex(f.terminalId) });
  const init = decodeLayout(
    M.INITIALIZE_FOR_GREY_UNLOCK_RESPONSE,
    exchange(card, 'INITIALIZE FOR GREY UNLOCK', command),
    'INITIALIZE FOR GREY UNLOCK',
  );
  const dugk = deriveCardKey('DUGK', { masters: f.masters, asn, issuerId: new Uint8Array(8), dpkDiversification: 'ASN_ONCE' });
  const sessionKey = onlineUnlockSessionKey(dugk, fromHex(init.random), init.onlineTtc);
  const mac2 = onlineUnlockMac2({ sessionKey, amountFen: f.amountFen, terminalId: f.terminalId, date: f.date, time: f.time });
  return exchange(
    card,
    'GREY UNLOCK',
    C.greyUnlock({ amountFen: f.amountFen, date: toHex(f.date), time: toHex(f.time), mac2: toHex(mac2) }),
  );
}
