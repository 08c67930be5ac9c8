/**
 * The PSAM commands a Sinopec dispenser sends (docs/card-protocol.md §1.4), for a pump harness:
 * select the PSE and SINOPEC1 (their FCI tag 9F0C carries the terminal id and the key index),
 * purchase MAC1 and MAC2 checks, and the grey-lock family (E0 40/42/44/46).
 */
import { toHex } from '../bytes.ts';
import * as C from './commands.ts';
import { FUEL_CARD_ERROR, FuelCardError } from './errors.ts';
import { decodeLayout, type Layout, type LayoutValue } from './layout.ts';
import * as M from './messages.ts';
import { AID } from './spec.ts';
import { send, type Transmit } from './transport.ts';

/** A BER-TLV walk deep enough for an FCI (6F > A5 > BF0C > 9F0C), with a cap on the elements visited. */
const TLV_ELEMENTS_MAX = 64;
const CONSTRUCTED_TAGS = new Set(['6F', 'A5', 'BF0C', '70', '61']);

export function findTlv(bytes: Uint8Array, wanted: string): Uint8Array | null {
  const stack: Uint8Array[] = [bytes];
  for (let visited = 0; stack.length > 0 && visited < TLV_ELEMENTS_MAX;) {
    const data = stack.pop()!;
    let at = 0;
    while (at < data.length && visited++ < TLV_ELEMENTS_MAX) {
      const tagStart = at;
      if ((data[at++]! & 0x1f) === 0x1f) while (at < data.length && (data[at++]! & 0x80) !== 0);
      const tag = toHex(data.subarray(tagStart, at));
      let length = data[at++] ?? 0;
      if (length === 0x81) length = data[at++] ?? 0;
      else if (length === 0x82) length = ((data[at++] ?? 0) << 8) | (data[at++] ?? 0);
      if (at + length > data.length) return null;
      const value = data.subarray(at, at + length);
      at += length;
      if (tag === wanted) return value;
      if (CONSTRUCTED_TAGS.has(tag)) stack.push(value);
    }
  }
  return null;
}

/** 9F0C after SELECT PSE: PSAM ASN(10) version(1) keyType(1) commandVersion(1) RFU(1) TID(6). */
export const PSAM_PSE_9F0C = [
  ['psamAsn', 'hex', 10],
  ['version', 'uint', 1],
  ['keyType', 'uint', 1],
  ['commandVersion', 'uint', 1],
  ['rfu', 'uint', 1],
  ['terminalId', 'hex', 6],
] as const satisfies Layout;
/** 9F0C after SELECT SINOPEC1: keyIndex(1) issuerId(8) acquirerId(8) start(4) expiry(4). */
export const PSAM_APP_9F0C = [
  ['keyIndex', 'uint', 1],
  ['issuerId', 'hex', 8],
  ['acquirerId', 'hex', 8],
  ['startDate', 'date', 4],
  ['expiryDate', 'date', 4],
] as const satisfies Layout;

function fci9f0c<L extends Layout>(fci: Uint8Array, layout: L, what: string): LayoutValue<L> {
  const value = findTlv(fci, '9F0C');
  if (value === null) throw new FuelCardError(FUEL_CARD_ERROR.RESPONSE_MALFORMED, `${what}: FCI has no 9F0C`);
  return decodeLayout(layout, value, `${what} 9F0C`);
}

export async function selectPsamPse(transmit: Transmit): Promise<LayoutValue<typeof PSAM_PSE_9F0C>> {
  const { data } = await send(transmit, C.selectByName(AID.PSE), 'SELECT');
  return fci9f0c(data, PSAM_PSE_9F0C, 'PSAM PSE');
}

export async function selectPsamApp(transmit: Transmit, aid: Uint8Array = AID.SINOPEC1): Promise<LayoutValue<typeof PSAM_APP_9F0C>> {
  const { data } = await send(transmit, C.selectByName(aid), 'SELECT');
  return fci9f0c(data, PSAM_APP_9F0C, 'PSAM application');
}

async function psamCommand<Res extends Layout | null>(
  transmit: Transmit,
  name: string,
  command: Uint8Array,
  response: Res,
): Promise<Res extends Layout ? LayoutValue<Res> : void> {
  const { data } = await send(transmit, command, name);
  return (response === null ? undefined : decodeLayout(response, data, name)) as Res extends Layout ? LayoutValue<Res> : void;
}

export const initSamGreyLock = (transmit: Transmit, f: LayoutValue<typeof M.INIT_SAM_GREY_LOCK_REQUEST>) =>
  psamCommand(transmit, 'INIT_SAM_GREY_LOCK', C.initSamGreyLock(f), M.INIT_SAM_GREY_LOCK_RESPONSE);

export const certifySamGreyLock = (transmit: Transmit, f: { mac2: string }) =>
  psamCommand(transmit, 'CERTIFY_SAM_GREY_LOCK', C.certifySamGreyLock(f), null);

export const creditSamForGreyDebit = (transmit: Transmit, f: LayoutValue<typeof M.CREDIT_SAM_FOR_GREY_DEBIT_REQUEST>) =>
  psamCommand(transmit, 'CREDIT_SAM_FOR_GREY_DEBIT', C.creditSamForGreyDebit(f), M.GMAC_RESPONSE);

/** GET GMAC (E0 46) by PSAM TTC, for recovery; S2 retries it a few times. */
export const getGmac = (transmit: Transmit, f: { terminalTtc: number }) => psamCommand(transmit, 'GET_GMAC', C.getGmac(f), M.GMAC_RESPONSE);

export const initSamForPurchase = (transmit: Transmit, f: LayoutValue<typeof M.INIT_SAM_FOR_PURCHASE_REQUEST>) =>
  psamCommand(transmit, 'INIT_SAM_FOR_PURCHASE', C.initSamForPurchase(f), M.INIT_SAM_FOR_PURCHASE_RESPONSE);

export const creditSamForPurchase = (transmit: Transmit, f: { mac2: string }) =>
  psamCommand(transmit, 'CREDIT_SAM_FOR_PURCHASE', C.creditSamForPurchase(f), null);

/**
 * INIT DES (80 1A) and DES CRYPT (80 FA): COS-specific bodies, raw [docs/card-protocol.md §1.4].
 */
export async function initDes(transmit: Transmit, f: { p1: number; p2: number; data: Uint8Array }): Promise<void> {
  await send(transmit, C.initDes(f), 'INIT_DES');
}

export async function desCrypt(transmit: Transmit, f: { p1: number; p2: number; data: Uint8Array }): Promise<Uint8Array> {
  return (await send(transmit, C.desCrypt(f), 'DES_CRYPT')).data;
}
