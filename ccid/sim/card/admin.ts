/**
 * Issuer-side commands of the user card: UPDATE BINARY (plain while the card is being
 * personalised, with a DAMTK retail MAC after issue: docs/card-protocol.md §1.2), WRITE KEY and the
 * PIN set during personalisation, the end of personalisation, and APPLICATION BLOCK / UNBLOCK /
 * CARD BLOCK.
 *
 * WRITE KEY is COS-specific and in no source (docs/card-protocol.md §1.2 [?]). The card takes two
 * shapes:
 * - the project's, the one ccid/fuelcard `personalise` sends (`writeKey`, `installPin`,
 *   `endPersonalisation`): `80 D4 01 keyIndex` data = keyType(1) keyVersion(1) algId(1) key(16),
 *   FMCOS-style type codes from ccid/fuelcard KEY_TYPE (39 DAMK ... 3A PIN: 3A triesMax PIN), and
 *   `80 D4 02 00` to end personalisation;
 * - S1's Longhuan shape: 21 bytes = type(1) F0 index(1) version(1) algId(1) key(16), S1's codes
 *   (49 DAMK, 40 DPK ...; BA the PIN: BA F0 EF 01 tries PIN FF..); DUGK has none there and takes 4A [I].
 */
import { equalBytes } from '../../bytes.ts';
import { KEY_TYPE } from '../../fuelcard/spec.ts';
import { secureMessagingMac } from '../../crypto/index.ts';
import type { CommandApdu } from './apdu.ts';
import type { CardContext } from './context.ts';
import { binaryTarget } from './read.ts';
import { CARD_LIMITS, FILE_BYTES, cloneState, findKey, type KeyKind } from './state.ts';
import { SW, ok, swOnly, type CardResponse } from './sw.ts';

/**
 * WRITE KEY type byte → key kind, the project's FMCOS-style codes: the host's own table (ccid/fuelcard
 * KEY_TYPE), so host and card cannot drift apart.
 */
export const KEY_TYPE_CODE: Record<KeyKind, number> = Object.fromEntries(
  Object.entries(KEY_TYPE).filter(([kind]) => kind !== 'PIN'),
) as Record<KeyKind, number>;
export const PIN_KEY_TYPE = KEY_TYPE.PIN;

/** WRITE KEY type byte → key kind in S1's Longhuan shape (S1 `StorageEncryptyKey`, DUGK ours). */
export const S1_KEY_TYPE_CODE: Record<KeyKind, number> = {
  DAMK: 0x49,
  DPK: 0x40,
  DLK: 0x41,
  DTK: 0x42,
  DPUK: 0x43,
  DRPK: 0x44,
  DAMTK: 0x45,
  DULK: 0x46,
  DUK: 0x47,
  DIAK: 0x48,
  DUGK: 0x4a,
};
/** S1's PIN record type (S1 `createStoragePINFileCmd`): BA F0 EF 01 <tries> PIN FF... */
export const S1_PIN_KEY_TYPE = 0xba;
const MAC_BYTES = 4;

/** Checks a secure-messaging MAC over the header with the card's DAMTK and the last challenge (used once). */
function secureMacValid(ctx: CardContext, apdu: CommandApdu, data: Uint8Array, mac: Uint8Array): CardResponse | null {
  const challenge = ctx.session.challenge;
  ctx.session.challenge = null;
  const damtk = findKey(ctx.state, 'DAMTK');
  if (challenge === null) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  if (damtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const header = Uint8Array.of(apdu.cla, apdu.ins, apdu.p1, apdu.p2);
  const expected = secureMessagingMac({ key: damtk.key, challenge, header, data });
  return equalBytes(expected, mac) ? null : swOnly(SW.MAC_INVALID);
}

/** UPDATE BINARY 00 D6 (personalisation only) or 04 D6 with MAC (docs/card-protocol.md §1.2). */
export function updateBinary(ctx: CardContext, apdu: CommandApdu): CardResponse {
  const secure = apdu.cla === 0x04;
  if (!secure && ctx.state.lifecycle !== 'personalisation') return swOnly(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (apdu.data.length < (secure ? MAC_BYTES + 1 : 1)) return swOnly(SW.WRONG_LENGTH);
  const data = secure ? apdu.data.slice(0, apdu.data.length - MAC_BYTES) : apdu.data;
  const target = binaryTarget(ctx, apdu);
  if ('sw' in target) return target;
  if (secure) {
    const refused = secureMacValid(ctx, apdu, data, apdu.data.slice(apdu.data.length - MAC_BYTES));
    if (refused !== null) return refused;
  }
  const size = FILE_BYTES[target.file];
  if (target.offset >= size) return swOnly(SW.WRONG_OFFSET);
  if (target.offset + data.length > size) return swOnly(SW.WRONG_LENGTH);
  const next = cloneState(ctx.state);
  next[target.file].set(data, target.offset);
  ctx.commit(next);
  return ok();
}

/** WRITE KEY 80 D4 01 xx (keys and PIN) and END OF PERSONALISATION 80 D4 02 00: personalisation only. */
export function writeKey(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (ctx.state.lifecycle !== 'personalisation') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  if (apdu.p1 === 0x02 && apdu.p2 === 0x00) {
    if (apdu.data.length !== 0) return swOnly(SW.WRONG_LENGTH);
    const next = cloneState(ctx.state);
    next.lifecycle = 'issued';
    ctx.commit(next);
    return ok();
  }
  if (apdu.p1 !== 0x01) return swOnly(SW.WRONG_P1P2);
  const d = apdu.data;
  const s1Shape = d.length === 21 && d[1] === 0xf0;
  if (s1Shape && d[0] === S1_PIN_KEY_TYPE) return setPin(ctx, { triesByte: d[4]!, body: d.subarray(5) });
  if (!s1Shape && d[0] === PIN_KEY_TYPE && d.length >= 2) {
    const triesMax = d[1]!;
    return setPin(ctx, { triesByte: ((triesMax & 0x0f) << 4) | (triesMax & 0x0f), body: d.subarray(2) });
  }
  if (!s1Shape && d.length !== 19) return swOnly(SW.WRONG_LENGTH);
  const codes = s1Shape ? S1_KEY_TYPE_CODE : KEY_TYPE_CODE;
  const kind = (Object.keys(codes) as KeyKind[]).find((k) => codes[k] === d[0]);
  if (kind === undefined) return swOnly(SW.WRONG_DATA);
  const entry = s1Shape
    ? { kind, index: d[2]!, version: d[3]!, algId: d[4]!, key: d.slice(5, 21) }
    : { kind, index: apdu.p2, version: d[1]!, algId: d[2]!, key: d.slice(3, 19) };
  const next = cloneState(ctx.state);
  next.keys = [...next.keys.filter((k) => !(k.kind === kind && k.index === entry.index)), entry];
  ctx.commit(next);
  return ok();
}

/** The PIN: tries byte (high nibble max, low nibble left), then the PIN BCD, ended by FF or the data. */
function setPin(ctx: CardContext, f: { triesByte: number; body: Uint8Array }): CardResponse {
  const end = f.body.indexOf(0xff);
  const pin = f.body.slice(0, end < 0 ? f.body.length : end);
  const triesMax = f.triesByte >> 4;
  const triesLeft = f.triesByte & 0x0f;
  const lengthValid = pin.length >= CARD_LIMITS.pinBytesMin && pin.length <= CARD_LIMITS.pinBytesMax;
  if (!lengthValid || triesMax === 0 || triesLeft > triesMax) return swOnly(SW.WRONG_DATA);
  const next = cloneState(ctx.state);
  next.pin = { bcd: pin, triesMax, triesLeft };
  ctx.commit(next);
  return ok();
}

/**
 * APPLICATION BLOCK 84 1E 00 00|01 (temporary | permanent), APPLICATION UNBLOCK 84 18 00 00,
 * CARD BLOCK 84 16 00 00: data = MAC(4) over the header, DAMTK, after GET CHALLENGE.
 */
export function blockCommand(ctx: CardContext, apdu: CommandApdu): CardResponse {
  const permanentAllowed = apdu.ins === 0x1e;
  if (apdu.p1 !== 0x00 || apdu.p2 > (permanentAllowed ? 0x01 : 0x00)) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== MAC_BYTES) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const refused = secureMacValid(ctx, apdu, new Uint8Array(0), apdu.data);
  if (refused !== null) return refused;
  const next = cloneState(ctx.state);
  if (apdu.ins === 0x18) {
    if (next.appStatus === 'locked') return swOnly(SW.APPLICATION_LOCKED_PERMANENTLY);
    next.appStatus = 'active';
    next.grey.unlockMacFailures = 0;
  } else {
    next.appStatus = apdu.ins === 0x16 || apdu.p2 === 0x01 ? 'locked' : 'blocked';
  }
  ctx.commit(next);
  return ok();
}
