/**
 * The user card's PIN commands (docs/card-protocol.md §1.2, §2.6, §5.4): VERIFY, CHANGE PIN, RELOAD
 * PIN (with the issuer's DRPK MAC) and PIN UNBLOCK (the PIN enciphered under DPUK, retail MAC over
 * the challenge). Three wrong PINs block it: 63C2, 63C1, 63C0, then 6983.
 */
import { concatBytes, equalBytes } from '../../bytes.ts';
import {
  CryptoError,
  PIN_UNBLOCK_HEADER,
  challengeIv,
  parsePinBlock,
  pinReloadMac,
  retailMac,
  tdesDecryptBlock,
} from '../../crypto/index.ts';
import type { CommandApdu } from './apdu.ts';
import type { CardContext } from './context.ts';
import { CARD_LIMITS, cloneState, findKey } from './state.ts';
import { SW, ok, pinWrongSw, swOnly, type CardResponse } from './sw.ts';

function pinLengthValid(pin: Uint8Array): boolean {
  return pin.length >= CARD_LIMITS.pinBytesMin && pin.length <= CARD_LIMITS.pinBytesMax;
}

/** Compares a presented PIN; a wrong one costs a try, committed with the answer. */
function checkPin(ctx: CardContext, presented: Uint8Array): CardResponse | null {
  const pin = ctx.state.pin;
  if (pin.triesLeft === 0) return swOnly(SW.PIN_BLOCKED);
  if (equalBytes(presented, pin.bcd)) {
    if (pin.triesLeft !== pin.triesMax) {
      const next = cloneState(ctx.state);
      next.pin.triesLeft = pin.triesMax;
      ctx.commit(next);
    }
    return null;
  }
  const next = cloneState(ctx.state);
  next.pin.triesLeft = pin.triesLeft - 1;
  ctx.session.pinVerified = false;
  ctx.commit(next);
  return swOnly(pinWrongSw(next.pin.triesLeft));
}

/** VERIFY 00 20 00 00|01 Lc PIN (plain BCD, docs/card-protocol.md §2.6). */
export function verify(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0x00 || (apdu.p2 !== 0x00 && apdu.p2 !== 0x01)) return swOnly(SW.WRONG_P1P2);
  if (!pinLengthValid(apdu.data)) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const refused = checkPin(ctx, apdu.data);
  if (refused !== null) return refused;
  ctx.session.pinVerified = true;
  return ok();
}

/** 80 5E 01 xx (CHANGE PIN: old || FF || new) and 80 5E 00 00 (RELOAD PIN: new || MAC). */
export function changeOrReloadPin(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  if (apdu.p1 === 0x01 && (apdu.p2 === 0x00 || apdu.p2 === 0x01)) return changePin(ctx, apdu.data);
  if (apdu.p1 === 0x00 && apdu.p2 === 0x00) return reloadPin(ctx, apdu.data);
  return swOnly(SW.WRONG_P1P2);
}

function changePin(ctx: CardContext, data: Uint8Array): CardResponse {
  const separator = data.indexOf(0xff);
  const oldPin = data.subarray(0, Math.max(separator, 0));
  const newPin = data.slice(separator + 1);
  if (separator < 0 || !pinLengthValid(oldPin) || !pinLengthValid(newPin)) return swOnly(SW.WRONG_LENGTH);
  if (ctx.state.pin.triesLeft === 0) return swOnly(SW.PIN_BLOCKED);
  if (!equalBytes(oldPin, ctx.state.pin.bcd)) return checkPin(ctx, oldPin) ?? swOnly(SW.NO_PRECISE_DIAGNOSIS);
  const next = cloneState(ctx.state);
  next.pin = { ...next.pin, bcd: newPin, triesLeft: next.pin.triesMax };
  ctx.commit(next);
  ctx.session.pinVerified = true;
  return ok();
}

function reloadPin(ctx: CardContext, data: Uint8Array): CardResponse {
  const newPin = data.slice(0, data.length - 4);
  const mac = data.slice(data.length - 4);
  if (data.length < 4 || !pinLengthValid(newPin)) return swOnly(SW.WRONG_LENGTH);
  const drpk = findKey(ctx.state, 'DRPK');
  if (drpk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  if (!equalBytes(pinReloadMac({ drpk: drpk.key, pin: newPin }), mac)) return swOnly(SW.MAC_INVALID);
  const next = cloneState(ctx.state);
  next.pin = { ...next.pin, bcd: newPin, triesLeft: next.pin.triesMax };
  ctx.commit(next);
  return ok();
}

/** PIN UNBLOCK 84 24 00 01 0C: enc(8) || MAC(4) after GET CHALLENGE; sets the enciphered PIN, tries full. */
export function pinUnblock(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0x00 || apdu.p2 !== 0x01) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 12) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const challenge = ctx.session.challenge;
  ctx.session.challenge = null;
  if (challenge === null) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const dpuk = findKey(ctx.state, 'DPUK');
  if (dpuk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const encrypted = apdu.data.subarray(0, 8);
  const mac = retailMac(dpuk.key, challengeIv(challenge), concatBytes(PIN_UNBLOCK_HEADER, encrypted));
  if (!equalBytes(mac, apdu.data.subarray(8, 12))) return swOnly(SW.MAC_INVALID);
  let pin: Uint8Array;
  try {
    pin = parsePinBlock(tdesDecryptBlock(dpuk.key, encrypted));
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    return swOnly(SW.WRONG_DATA);
  }
  const next = cloneState(ctx.state);
  next.pin = { ...next.pin, bcd: pin, triesLeft: next.pin.triesMax };
  ctx.commit(next);
  return ok();
}
