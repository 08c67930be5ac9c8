/**
 * The issuer's side of the host flows of ccid/fuelcard (load, unload, online grey unlock, PIN
 * unblock and reload) for simulated cards, computed with ccid/crypto from issuer master keys (the
 * demo ones by default), as the server does with its key store. Tests, transcripts and the demo
 * use it to play the host against a simulated card: it checks every MAC1 and refuses one that does
 * not verify, answers MAC2 with a fixed date and time, and checks the TAC a load returns.
 *
 * DEMO/TEST ONLY: it holds master keys in memory; production keys live behind the server's key store.
 */
import { fromHex, toHex } from '../../bytes.ts';
import * as C from '../../crypto/index.ts';
import { encodeBcdDate, encodeBcdTime, encodePin } from '../../fuelcard/bcd.ts';
import { FUEL_CARD_ERROR, FuelCardError } from '../../fuelcard/errors.ts';
import { decodeEf1c } from '../../fuelcard/files.ts';
import type { CardKeys, Personalisation } from '../../fuelcard/issue.ts';
import type { OnlineHost, OnlineResult } from '../../fuelcard/load.ts';
import type { PinReloadHost, PinUnblockHost } from '../../fuelcard/pin.ts';
import type { GreyUnlockHost } from '../../fuelcard/unlock.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { SINOPEC_ISSUER_ID, buildEf1c } from '../card/files.ts';
import { deriveCardKeys, type IssuerMasterKeys } from '../card/keys.ts';

export type DemoIssuerOptions = {
  /** The card number (ASN, 20 hex digits) the card keys are diversified by. */
  asn: string;
  masters?: Readonly<IssuerMasterKeys>;
  /** The host's clock for MAC2 stamps: `YYYY-MM-DD` and `HH:MM:SS`. */
  date: string;
  time: string;
};

export type DemoIssuer = {
  /** Host of `load` and `unload`: MAC1 checked, MAC2 made. */
  online: OnlineHost;
  /** Host of `onlineGreyUnlock` debiting `amountFen` (0: a forced unlock). */
  unlock: (amountFen: number) => GreyUnlockHost;
  /** Host of `unblockPin`, resetting the PIN to `pin`. */
  pinUnblock: (pin: string) => PinUnblockHost;
  /** Host of `reloadCardPin`, setting the PIN to `pin`. */
  pinReload: (pin: string) => PinReloadHost;
  /** Whether the TAC of a finished load or unload verifies with the card's DTK. */
  tacValid: (result: OnlineResult) => boolean;
};

function refuse(message: string): never {
  throw new FuelCardError(FUEL_CARD_ERROR.HOST_REFUSED, message);
}

export function demoIssuer(o: DemoIssuerOptions): DemoIssuer {
  const masters = o.masters ?? DEMO_TEST_MASTER_KEYS;
  const factor = C.asnFactor(fromHex(o.asn));
  const cardKey = (master: Uint8Array) => C.diversify(master, factor);
  const stamp = { date: encodeBcdDate(o.date), time: encodeBcdTime(o.time) };
  const online: OnlineHost = async (r) => {
    const isLoad = r.transType !== C.TRANS_TYPE.UNLOAD;
    const sessionKey = isLoad
      ? C.loadSessionKey(cardKey(masters.MLK), fromHex(r.random), r.onlineTtc)
      : C.unloadSessionKey(cardKey(masters.MULK), fromHex(r.random), r.onlineTtc);
    const fields = { sessionKey, balanceFen: r.balanceFen, amountFen: r.amountFen, terminalId: fromHex(r.terminalId) };
    const mac1 = isLoad ? C.loadMac1({ ...fields, transType: r.transType }) : C.unloadMac1(fields);
    if (toHex(mac1) !== r.mac1) refuse(`MAC1 ${r.mac1} does not verify`);
    const mac2 = isLoad ? C.loadMac2({ ...fields, ...stamp, transType: r.transType }) : C.unloadMac2({ ...fields, ...stamp });
    return { mac2: toHex(mac2), date: o.date, time: o.time };
  };
  const unlock =
    (amountFen: number): GreyUnlockHost =>
    async (r) => {
      const sessionKey = C.onlineUnlockSessionKey(cardKey(masters.MUGK), fromHex(r.random), r.onlineTtc);
      const terminalId = fromHex(r.terminalId);
      if (toHex(C.onlineUnlockMac1({ sessionKey, balanceFen: r.balanceFen, offlineTtc: r.offlineTtc, terminalId })) !== r.mac1)
        refuse('unlock MAC1 does not verify');
      const mac2 = C.onlineUnlockMac2({ sessionKey, amountFen, terminalId, ...stamp });
      return { amountFen, mac2: toHex(mac2), date: o.date, time: o.time };
    };
  const pinUnblock =
    (pin: string): PinUnblockHost =>
    async ({ challenge }) => {
      const data = C.pinUnblockData({ dpuk: cardKey(masters.MPUK), pin: encodePin(pin), challenge: fromHex(challenge) });
      return { encryptedPinBlock: toHex(data.subarray(0, 8)), mac: toHex(data.subarray(8)) };
    };
  const pinReload =
    (pin: string): PinReloadHost =>
    async () => ({ newPin: pin, mac: toHex(C.pinReloadMac({ drpk: cardKey(masters.MRPK), pin: encodePin(pin) })) });
  const tacValid = (r: OnlineResult): boolean => {
    const isLoad = r.transType !== C.TRANS_TYPE.UNLOAD;
    const fields = {
      dtk: cardKey(masters.MTK),
      balanceFenAfter: r.balanceFenAfter,
      onlineTtc: r.onlineTtc,
      amountFen: r.amountFen,
      terminalId: fromHex(r.terminalId),
      date: encodeBcdDate(r.date),
      time: encodeBcdTime(r.time),
    };
    return toHex(isLoad ? C.loadTac({ ...fields, transType: r.transType }) : C.unloadMac3(fields)) === r.tac;
  };
  return { online, unlock, pinUnblock, pinReload, tacValid };
}

/** What a card issued by `personalise` with `demoPersonalisation` holds, for the checks after it. */
export type DemoIssuance = { asn: string; holderName: string; idNumber: string; pin: string };

/**
 * The ccid/fuelcard `personalise` input for a new user card: files from named fields, every card key
 * derived from the (demo) master keys by the card number as ccid/sim `deriveCardKeys` does, the PIN.
 */
export function demoPersonalisation(f: DemoIssuance & { masters?: Readonly<IssuerMasterKeys> }): Personalisation {
  const masters = f.masters ?? DEMO_TEST_MASTER_KEYS;
  const issuerId = SINOPEC_ISSUER_ID;
  const asn = fromHex(f.asn);
  const entries = deriveCardKeys({ masters, asn, issuerId, dpkDiversification: C.DEFAULT_SCHEMES.dpkDiversification });
  const keys = Object.fromEntries(entries.map((entry) => [entry.kind, entry.key])) as CardKeys;
  return {
    ef15: {
      issuerId: toHex(issuerId),
      appType: 0x11,
      appVersion: 0x01,
      asn: f.asn,
      startDate: '2024-01-01',
      expiryDate: '2034-12-31',
      instructionVersion: 0x01,
      rfu: 0x00,
    },
    ef16: { holderFlag: 1, employeeFlag: 1, holderName: f.holderName, idNumber: f.idNumber, idType: 1 },
    ef1b: { usesDefaultPin: false, pinMode: 1, employeeNumber: 0, employeePassword: '0000', rfu: '00'.repeat(28) },
    ef1c: decodeEf1c(buildEf1c()),
    keys,
    pin: f.pin,
  };
}
