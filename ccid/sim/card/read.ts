/**
 * The user card's selection and read commands (docs/card-protocol.md §1.1–1.2): SELECT by name and
 * by file ID (including the `00A4000002DF01` a real reader sends), READ BINARY (by SFI or the
 * current file), READ RECORD of EF18, GET BALANCE and GET CHALLENGE.
 */
import { concatBytes, equalBytes, fromHex, u32be } from '../../bytes.ts';
import type { CommandApdu } from './apdu.ts';
import { PURSE, type CardContext, type CardSession } from './context.ts';
import { FILE_BYTES, type BinaryFileName, type FuelCardState } from './state.ts';
import { SW, ok, swOnly, wrongLeSw, type CardResponse } from './sw.ts';

export const AID = {
  PSE: fromHex('315041592E5359532E4444463031'),
  SINOPEC: fromHex('A00000000353494E4F504543'),
  LOYALTY: fromHex('A0000000034C4F59414C5459'),
} as const;

/**
 * File IDs of the fuel ADF: DF01 (S16) and 3F01 (S1) both name it (docs/card-protocol.md §1.1 [?]).
 */
const FID_MF = 0x3f00;
const FID_ADF = [0xdf01, 0x3f01];
const FID_EF: Record<number, BinaryFileName | 'ef18'> = { 0x0015: 'ef15', 0x0016: 'ef16', 0x001b: 'ef1b', 0x001c: 'ef1c', 0x0018: 'ef18' };
const SFI_EF: Record<number, BinaryFileName | 'ef18'> = { 0x15: 'ef15', 0x16: 'ef16', 0x1b: 'ef1b', 0x1c: 'ef1c', 0x18: 'ef18' };

function tlv(tag: number[], value: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.from(tag), Uint8Array.of(value.length), value);
}

/** FCI of the fuel ADF: 6F { 84 AID, A5 { 9F0C EF15 } }: PBOC cards repeat EF15 as issuer data. */
export function sinopecFci(state: FuelCardState): Uint8Array {
  return tlv([0x6f], concatBytes(tlv([0x84], AID.SINOPEC), tlv([0xa5], tlv([0x9f, 0x0c], state.ef15))));
}

function pseFci(): Uint8Array {
  return tlv([0x6f], concatBytes(tlv([0x84], AID.PSE), tlv([0xa5], tlv([0x88], Uint8Array.of(0x01)))));
}

/** A DF selection resets the security state (ISO 7816-4 §5.3.1, PBOC). */
function enterDf(session: CardSession, app: CardSession['selected']): void {
  session.selected = app;
  session.currentFile = null;
  session.pinVerified = false;
  session.challenge = null;
}

function selectSinopec(ctx: CardContext, withFci: boolean): CardResponse {
  if (ctx.state.appStatus === 'locked') return swOnly(SW.APPLICATION_LOCKED_PERMANENTLY);
  enterDf(ctx.session, 'SINOPEC');
  // A blocked application is still selected so that APPLICATION UNBLOCK can reach it; the
  // terminal sees 6A81 (docs/card-protocol.md §1.1) and stops there.
  if (ctx.state.appStatus === 'blocked') return swOnly(SW.FUNCTION_NOT_SUPPORTED);
  return ok(withFci ? sinopecFci(ctx.state) : undefined);
}

export function select(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p2 !== 0x00 && apdu.p2 !== 0x0c) return swOnly(SW.WRONG_P1P2);
  const withFci = apdu.p2 === 0x00;
  if (apdu.p1 === 0x04) return selectByName(ctx, apdu.data, withFci);
  if (apdu.p1 === 0x00) return selectByFid(ctx, apdu.data, withFci);
  return swOnly(SW.WRONG_P1P2);
}

function selectByName(ctx: CardContext, aid: Uint8Array, withFci: boolean): CardResponse {
  if (aid.length < 5 || aid.length > 16) return swOnly(SW.WRONG_LENGTH);
  if (equalBytes(aid, AID.SINOPEC)) return selectSinopec(ctx, withFci);
  if (equalBytes(aid, AID.PSE)) {
    enterDf(ctx.session, 'MF');
    return ok(withFci ? pseFci() : undefined);
  }
  if (equalBytes(aid, AID.LOYALTY) && ctx.state.loyaltyPresent) {
    enterDf(ctx.session, 'LOYALTY');
    return ok(withFci ? tlv([0x6f], tlv([0x84], AID.LOYALTY)) : undefined);
  }
  return swOnly(SW.FILE_NOT_FOUND);
}

function selectByFid(ctx: CardContext, data: Uint8Array, withFci: boolean): CardResponse {
  if (data.length !== 2) return swOnly(SW.WRONG_LENGTH);
  const fid = (data[0]! << 8) | data[1]!;
  if (fid === FID_MF) {
    enterDf(ctx.session, 'MF');
    return ok();
  }
  if (FID_ADF.includes(fid)) return selectSinopec(ctx, withFci);
  const ef = FID_EF[fid];
  if (ef === undefined || ctx.session.selected !== 'SINOPEC') return swOnly(SW.FILE_NOT_FOUND);
  ctx.session.currentFile = ef;
  return ok();
}

/** The file a READ/UPDATE BINARY addresses: by SFI in P1 (bit 8 set) or the current file. */
export function binaryTarget(ctx: CardContext, apdu: CommandApdu): { file: BinaryFileName; offset: number } | CardResponse {
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.FILE_NOT_FOUND);
  let file: BinaryFileName | 'ef18' | undefined | null;
  let offset: number;
  if (apdu.p1 & 0x80) {
    if (apdu.p1 & 0x60) return swOnly(SW.WRONG_P1P2);
    file = SFI_EF[apdu.p1 & 0x1f];
    offset = apdu.p2;
    if (file !== undefined && file !== 'ef18') ctx.session.currentFile = file;
  } else {
    file = ctx.session.currentFile;
    offset = (apdu.p1 << 8) | apdu.p2;
  }
  if (file === undefined || file === null) return swOnly(SW.FILE_NOT_FOUND);
  if (file === 'ef18') return swOnly(SW.INCOMPATIBLE_FILE_STRUCTURE);
  return { file, offset };
}

export function readBinary(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.data.length !== 0) return swOnly(SW.WRONG_LENGTH);
  const target = binaryTarget(ctx, apdu);
  if ('sw' in target) return target;
  const content = ctx.state[target.file];
  if (target.offset >= FILE_BYTES[target.file]) return swOnly(SW.WRONG_OFFSET);
  const rest = content.length - target.offset;
  if (apdu.le === null || apdu.le >= 256) return ok(content.slice(target.offset));
  if (apdu.le > rest) return swOnly(wrongLeSw(rest));
  return ok(content.slice(target.offset, target.offset + apdu.le));
}

/**
 * READ RECORD of EF18: P1 = record number (1 = newest), P2 = SFI<<3 | 4 (docs/card-protocol.md
 * §1.2).
 */
export function readRecord(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.data.length !== 0) return swOnly(SW.WRONG_LENGTH);
  if ((apdu.p2 & 0x07) !== 0x04 || apdu.p1 === 0) return swOnly(SW.WRONG_P1P2);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.FILE_NOT_FOUND);
  const sfi = apdu.p2 >> 3;
  const file = sfi === 0 ? ctx.session.currentFile : SFI_EF[sfi];
  if (file === undefined || file === null) return swOnly(SW.FILE_NOT_FOUND);
  if (file !== 'ef18') return swOnly(SW.INCOMPATIBLE_FILE_STRUCTURE);
  ctx.session.currentFile = 'ef18';
  const record = ctx.state.log[apdu.p1 - 1];
  if (record === undefined) return swOnly(SW.RECORD_NOT_FOUND);
  if (apdu.le !== null && apdu.le < 256 && apdu.le !== record.length) return swOnly(wrongLeSw(record.length));
  return ok(record.slice());
}

export function purseBalance(state: FuelCardState, purse: number): number {
  return purse === PURSE.EP ? state.purse.epBalanceFen : state.purse.edBalanceFen;
}

export function setPurseBalance(state: FuelCardState, purse: number, balanceFen: number): void {
  if (purse === PURSE.EP) state.purse.epBalanceFen = balanceFen;
  else state.purse.edBalanceFen = balanceFen;
}

/** GET BALANCE 80 5C 00 01|02: the ED balance needs the PIN (PBOC: 存折 operations are PIN-protected). */
export function getBalance(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0x00 || (apdu.p2 !== PURSE.ED && apdu.p2 !== PURSE.EP)) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 0) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  if (apdu.p2 === PURSE.ED && !ctx.session.pinVerified) return swOnly(SW.SECURITY_STATUS_NOT_SATISFIED);
  return ok(u32be(purseBalance(ctx.state, apdu.p2)));
}

/** GET CHALLENGE 00 84 00 00 04|08. */
export function getChallenge(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 0 || (apdu.le !== 4 && apdu.le !== 8)) return swOnly(SW.WRONG_LENGTH);
  const challenge = ctx.random(apdu.le);
  ctx.session.challenge = challenge;
  return ok(challenge.slice());
}
