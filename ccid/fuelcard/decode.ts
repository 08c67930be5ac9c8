/**
 * The trace decoder: each exchange of an APDU trace named as docs/card-protocol.md names the
 * command, its fields decoded (money in fen, counters, MACs, file contents) and its status word
 * explained. Pure: text in, values out. It follows the session: which file a READ BINARY addressed
 * (SFI in P1, or the file last SELECTed by id), which command a GET RESPONSE completes. PINs and
 * keys are masked. A field that does not decode is reported in `decodeError`, never thrown: a trace
 * is evidence.
 */
import { toHex } from '../bytes.ts';
import { Iso7816Error } from '../iso7816/errors.ts';
import { parseTrace, type TraceExchange } from '../iso7816/trace.ts';
import { FUEL_CARD_ERROR, FuelCardError } from './errors.ts';
import { decodeEf15, decodeEf16, decodeEf1b, decodeEf1c } from './files.ts';
import { decodeLayout, layoutBytes, type Layout } from './layout.ts';
import * as M from './messages.ts';
import { findTlv, PSAM_APP_9F0C, PSAM_PSE_9F0C } from './psam.ts';
import { AID, FILE_BYTES, SFI } from './spec.ts';
import { describeFuelSw, swHex } from './sw.ts';

export type Fields = Record<string, unknown>;
export type DecodedExchange = { line: number; command: string; sw: string | null; meaning: string; fields: Fields };

type Apdu = { cla: number; ins: number; p1: number; p2: number; data: Uint8Array; le: number | null };
type Context = { currentFid: number | null; lastCommand: { name: string; apdu: Apdu } | null };
type Spec = { name: string; request?: (a: Apdu, c: Context) => Fields; response?: (data: Uint8Array, a: Apdu, c: Context) => Fields };

/** Short APDUs, and the sloppy `00 B0 95 00 00 00` of S16 read as Le 0. Null when no case fits. */
export function parseCommand(b: Uint8Array): Apdu | null {
  const head = { cla: b[0]!, ins: b[1]!, p1: b[2]!, p2: b[3]! };
  if (b.length === 4) return { ...head, data: new Uint8Array(0), le: null };
  const lc = b[4]!;
  if (b.length === 5) return { ...head, data: new Uint8Array(0), le: lc };
  if (lc === 0 && b.length <= 7) return { ...head, data: new Uint8Array(0), le: 0 };
  if (b.length === 5 + lc) return { ...head, data: b.slice(5), le: null };
  if (b.length === 6 + lc) return { ...head, data: b.slice(5, 5 + lc), le: b[5 + lc]! };
  return null;
}

const layout =
  (l: Layout) =>
  (data: Uint8Array): Fields =>
    decodeLayout(l, data, 'data');
const FILE_DECODERS: Record<number, (b: Uint8Array) => Fields> = {
  [SFI.EF15]: decodeEf15,
  [SFI.EF16]: decodeEf16,
  [SFI.EF1B]: decodeEf1b,
  [SFI.EF1C]: decodeEf1c,
};
const FILE_LENGTHS: Record<number, number> = {
  [SFI.EF15]: FILE_BYTES.EF15,
  [SFI.EF16]: FILE_BYTES.EF16,
  [SFI.EF1B]: FILE_BYTES.EF1B,
  [SFI.EF1C]: FILE_BYTES.EF1C,
};
const AID_NAMES = new Map(Object.entries(AID).map(([name, aid]) => [toHex(aid), name]));
const mask = (digits: string): string => '*'.repeat(digits.replace(/F+$/i, '').length);

function fileContent(sfi: number | null, offset: number, data: Uint8Array): Fields {
  const fields: Fields = { file: fileName(sfi), offset, length: data.length };
  const decoder = sfi === null ? undefined : FILE_DECODERS[sfi];
  if (decoder !== undefined && offset === 0 && data.length === FILE_LENGTHS[sfi!]) return { ...fields, ...decoder(data) };
  return { ...fields, data: toHex(data) };
}

function binarySfi(a: Apdu, c: Context): number | null {
  if ((a.p1 & 0x80) !== 0) return a.p1 & 0x1f;
  return c.currentFid !== null && c.currentFid < 0x20 ? c.currentFid : null;
}

function selectFci(data: Uint8Array): Fields {
  const fields: Fields = { fci: toHex(data) };
  const value = findTlv(data, '9F0C');
  if (value?.length === layoutBytes(PSAM_PSE_9F0C)) Object.assign(fields, decodeLayout(PSAM_PSE_9F0C, value, '9F0C'));
  if (value?.length === layoutBytes(PSAM_APP_9F0C)) Object.assign(fields, decodeLayout(PSAM_APP_9F0C, value, '9F0C'));
  return fields;
}

const SPECS: { match: (a: Apdu) => boolean; spec: Spec }[] = [
  {
    match: (a) => a.ins === 0xa4 && a.p1 === 0x04,
    spec: { name: 'SELECT', request: (a) => ({ aid: toHex(a.data), aidName: AID_NAMES.get(toHex(a.data)) ?? null }), response: selectFci },
  },
  { match: (a) => a.ins === 0xa4, spec: { name: 'SELECT', request: (a) => ({ fid: toHex(a.data) }), response: selectFci } },
  {
    match: (a) => a.ins === 0xb0,
    spec: {
      name: 'READ_BINARY',
      request: (a, c) => ({ file: fileName(binarySfi(a, c)), offset: (a.p1 & 0x80) !== 0 ? a.p2 : (a.p1 << 8) | a.p2, length: a.le }),
      response: (d, a, c) => fileContent(binarySfi(a, c), (a.p1 & 0x80) !== 0 ? a.p2 : (a.p1 << 8) | a.p2, d),
    },
  },
  {
    match: (a) => a.ins === 0xb2,
    spec: {
      name: 'READ_RECORD',
      request: (a) => ({ file: fileName(a.p2 >> 3), record: a.p1 }),
      response: (d, a) => (a.p2 >> 3 === SFI.EF18 ? M.decodeTransactionRecord(d) : { data: toHex(d) }),
    },
  },
  { match: (a) => a.ins === 0x20, spec: { name: 'VERIFY', request: (a) => ({ pin: mask(toHex(a.data)) }) } },
  { match: (a) => a.ins === 0x84 && a.cla === 0x00, spec: { name: 'GET_CHALLENGE', response: (d) => ({ random: toHex(d) }) } },
  {
    match: (a) => a.ins === 0x5c,
    spec: { name: 'GET_BALANCE', request: (a) => ({ purse: purseName(a.p2) }), response: layout(M.BALANCE_RESPONSE) },
  },
  { match: (a) => a.ins === 0x50 && a.p1 === 0x00, spec: initSpec('INITIALIZE_FOR_LOAD', M.INITIALIZE_FOR_LOAD_RESPONSE) },
  { match: (a) => a.ins === 0x50 && a.p1 === 0x01, spec: initSpec('INITIALIZE_FOR_PURCHASE', M.INITIALIZE_FOR_PURCHASE_RESPONSE) },
  { match: (a) => a.ins === 0x50 && a.p1 === 0x02, spec: initSpec('INITIALIZE_FOR_CASH_WITHDRAW', M.INITIALIZE_FOR_PURCHASE_RESPONSE) },
  { match: (a) => a.ins === 0x50 && a.p1 === 0x05, spec: initSpec('INITIALIZE_FOR_UNLOAD', M.INITIALIZE_FOR_LOAD_RESPONSE) },
  { match: (a) => a.ins === 0x50 && a.p1 === 0x04, spec: { name: 'INITIALIZE_FOR_UPDATE', request: raw, response: raw } },
  { match: (a) => a.ins === 0x52, spec: { name: 'CREDIT_FOR_LOAD', request: body(M.CREDIT_REQUEST), response: layout(M.TAC_RESPONSE) } },
  {
    match: (a) => a.ins === 0x54 && a.p1 === 0x01,
    spec: { name: 'DEBIT_FOR_PURCHASE', request: body(M.DEBIT_FOR_PURCHASE_REQUEST), response: layout(M.TAC_MAC2_RESPONSE) },
  },
  {
    match: (a) => a.ins === 0x54 && a.p1 === 0x03,
    spec: { name: 'DEBIT_FOR_UNLOAD', request: body(M.CREDIT_REQUEST), response: layout(M.MAC3_RESPONSE) },
  },
  { match: (a) => a.ins === 0x58, spec: { name: 'UPDATE_OVERDRAW_LIMIT', request: raw } },
  {
    match: (a) => a.ins === 0x5a,
    spec: {
      name: 'GET_TRANSACTION_PROVE',
      request: (a) => ({ transType: a.p2, ...body(M.TRANSACTION_PROVE_REQUEST)(a) }),
      response: layout(M.TAC_MAC2_RESPONSE),
    },
  },
  { match: (a) => a.ins === 0x5e && a.p1 === 0x01, spec: { name: 'CHANGE_PIN', request: changePinFields } },
  {
    match: (a) => a.ins === 0x5e,
    spec: { name: 'RELOAD_PIN', request: (a) => ({ pin: mask(toHex(a.data.subarray(0, -4))), mac: toHex(a.data.subarray(-4)) }) },
  },
  { match: (a) => a.ins === 0x24, spec: { name: 'PIN_UNBLOCK', request: body(M.PIN_UNBLOCK_REQUEST) } },
  { match: (a) => a.ins === 0x1e, spec: { name: 'APPLICATION_BLOCK', request: raw } },
  { match: (a) => a.ins === 0x18, spec: { name: 'APPLICATION_UNBLOCK', request: raw } },
  { match: (a) => a.ins === 0x16, spec: { name: 'CARD_BLOCK', request: raw } },
  { match: (a) => a.ins === 0xd6, spec: { name: 'UPDATE_BINARY', request: updateBinaryFields } },
  { match: (a) => a.ins === 0xd4 && a.p1 === 0x02, spec: { name: 'END_PERSONALISATION' } },
  { match: (a) => a.ins === 0xd4, spec: { name: 'WRITE_KEY', request: writeKeyFields } },
  { match: (a) => a.ins === 0xe6, spec: { name: 'APPEND_RECORD', request: raw } },
  { match: (a) => a.ins === 0xc0, spec: { name: 'GET_RESPONSE', request: (a) => ({ length: a.le }) } },
  {
    match: (a) => a.cla === 0xe0 && a.ins === 0xca && a.p1 === 0x00,
    spec: { name: 'GET_LOCK_PROOF', response: (d) => M.decodeLockProof(d) },
  },
  { match: (a) => a.cla === 0xe0 && a.ins === 0xca, spec: { name: 'CLEAR_LOCK_PROOF' } },
  {
    match: (a) => a.ins === 0x7a && a.p1 === 0x08,
    spec: {
      name: 'INITIALIZE_FOR_GREY_LOCK',
      request: body(M.GREY_INITIALIZE_REQUEST),
      response: layout(M.INITIALIZE_FOR_GREY_LOCK_RESPONSE),
    },
  },
  {
    match: (a) => a.ins === 0x7a,
    spec: {
      name: 'INITIALIZE_FOR_GREY_UNLOCK',
      request: body(M.GREY_INITIALIZE_REQUEST),
      response: layout(M.INITIALIZE_FOR_GREY_UNLOCK_RESPONSE),
    },
  },
  { match: (a) => a.ins === 0x7c, spec: { name: 'GREY_LOCK', request: body(M.GREY_LOCK_REQUEST), response: layout(M.GREY_LOCK_RESPONSE) } },
  {
    match: (a) => a.ins === 0x7e && a.p1 === 0x08,
    spec: { name: 'DEBIT_FOR_UNLOCK', request: body(M.DEBIT_FOR_UNLOCK_REQUEST), response: layout(M.TAC_RESPONSE) },
  },
  { match: (a) => a.ins === 0x7e, spec: { name: 'GREY_UNLOCK', request: body(M.GREY_UNLOCK_REQUEST), response: layout(M.MAC3_RESPONSE) } },
  {
    match: (a) => a.ins === 0x40,
    spec: { name: 'INIT_SAM_GREY_LOCK', request: body(M.INIT_SAM_GREY_LOCK_REQUEST), response: layout(M.INIT_SAM_GREY_LOCK_RESPONSE) },
  },
  { match: (a) => a.ins === 0x42, spec: { name: 'CERTIFY_SAM_GREY_LOCK', request: body(M.MAC2_REQUEST) } },
  {
    match: (a) => a.ins === 0x44,
    spec: { name: 'CREDIT_SAM_FOR_GREY_DEBIT', request: body(M.CREDIT_SAM_FOR_GREY_DEBIT_REQUEST), response: layout(M.GMAC_RESPONSE) },
  },
  { match: (a) => a.ins === 0x46, spec: { name: 'GET_GMAC', request: body(M.GET_GMAC_REQUEST), response: layout(M.GMAC_RESPONSE) } },
  {
    match: (a) => a.ins === 0x70,
    spec: {
      name: 'INIT_SAM_FOR_PURCHASE',
      request: body(M.INIT_SAM_FOR_PURCHASE_REQUEST),
      response: layout(M.INIT_SAM_FOR_PURCHASE_RESPONSE),
    },
  },
  { match: (a) => a.ins === 0x72, spec: { name: 'CREDIT_SAM_FOR_PURCHASE', request: body(M.MAC2_REQUEST) } },
  { match: (a) => a.ins === 0x1a, spec: { name: 'INIT_DES', request: raw } },
  { match: (a) => a.ins === 0xfa, spec: { name: 'DES_CRYPT', request: raw, response: raw } },
];

function fileName(sfi: number | null): string | null {
  return sfi === null ? null : `EF${sfi.toString(16).toUpperCase().padStart(2, '0')}`;
}
function purseName(p2: number): string {
  return p2 === 0x01 ? 'ED' : p2 === 0x02 ? 'EP' : toHex(Uint8Array.of(p2));
}
function raw(a: Apdu | Uint8Array): Fields {
  return { data: toHex(a instanceof Uint8Array ? a : a.data) };
}
function body(l: Layout) {
  return (a: Apdu): Fields => decodeLayout(l, a.data, 'command data');
}
function initSpec(name: string, response: Layout): Spec {
  return { name, request: (a) => ({ purse: purseName(a.p2), ...body(M.INITIALIZE_REQUEST)(a) }), response: layout(response) };
}
function changePinFields(a: Apdu): Fields {
  const at = a.data.indexOf(0xff);
  if (at < 0) return { data: mask(toHex(a.data)) };
  return { oldPin: mask(toHex(a.data.subarray(0, at))), newPin: mask(toHex(a.data.subarray(at + 1))) };
}
function updateBinaryFields(a: Apdu, c: Context): Fields {
  const secure = (a.cla & 0x04) !== 0;
  const data = secure ? a.data.subarray(0, -4) : a.data;
  const sfi = (a.p1 & 0x80) !== 0 ? a.p1 & 0x1f : c.currentFid;
  return { ...fileContent(sfi, (a.p1 & 0x80) !== 0 ? a.p2 : 0, data), ...(secure ? { mac: toHex(a.data.subarray(-4)) } : {}) };
}
function writeKeyFields(a: Apdu): Fields {
  const keyType = a.data[0];
  return {
    keyIndex: a.p2,
    keyType: keyType ?? null,
    ...(keyType === 0x3a ? { triesMax: a.data[1] ?? null, pin: mask(toHex(a.data.subarray(2))) } : { key: '*'.repeat(32) }),
  };
}

/**
 * The command's name as docs/card-protocol.md spells it (`VERIFY`, `INITIALIZE_FOR_LOAD` ...), from
 * its bytes alone; undefined when it is not a short APDU or not a command of the card or the PSAM.
 * A ccid/iso7816 `CommandNamer`, for TraceRecorder.
 */
export function commandName(command: Uint8Array): string | undefined {
  const a = command.length >= 4 ? parseCommand(command) : null;
  const name = a === null ? undefined : findSpec(a).name;
  return name === 'UNKNOWN' ? undefined : name;
}

function findSpec(a: Apdu): Spec {
  return (
    SPECS.find((s) => s.match(a))?.spec ?? {
      name: 'UNKNOWN',
      request: (x) => ({ cla: x.cla, ins: x.ins, p1: x.p1, p2: x.p2, data: toHex(x.data) }),
    }
  );
}

function safely(decode: () => Fields): Fields {
  try {
    return decode();
  } catch (error) {
    if (error instanceof FuelCardError) return { decodeError: error.message };
    throw error;
  }
}

function responseFields(spec: Spec, a: Apdu, c: Context, data: Uint8Array, sw: number): Fields {
  const sw2 = sw & 0xff;
  if (sw >> 8 === 0x63 && (sw2 & 0xf0) === 0xc0) return { triesLeft: sw2 & 0x0f };
  if (spec.name === 'GET_LOCK_PROOF' && sw === 0x6985) return { greyStatus: 0, greyState: 'NORMAL', note: 'no lock history' };
  if (sw !== 0x9000) return data.length > 0 ? { responseData: toHex(data) } : {};
  if (spec.name === 'GET_RESPONSE' && c.lastCommand !== null) {
    const previous = findSpec(c.lastCommand.apdu);
    return {
      for: previous.name,
      ...(previous.response ? safely(() => previous.response!(data, c.lastCommand!.apdu, c)) : { data: toHex(data) }),
    };
  }
  if (spec.response !== undefined) return safely(() => spec.response!(data, a, c));
  return data.length > 0 ? { responseData: toHex(data) } : {};
}

function track(a: Apdu, sw: number | null, spec: Spec, c: Context): void {
  if (spec.name === 'SELECT' && sw === 0x9000) c.currentFid = a.p1 === 0x00 && a.data.length === 2 ? (a.data[0]! << 8) | a.data[1]! : null;
  if (spec.name !== 'GET_RESPONSE') c.lastCommand = { name: spec.name, apdu: a };
}

export function decodeExchange(line: number, command: Uint8Array, response: Uint8Array | null, c: Context): DecodedExchange {
  const a = parseCommand(command);
  if (a === null)
    return {
      line,
      command: 'MALFORMED',
      sw: response ? swHex(swOf(response)) : null,
      meaning: 'not a valid short APDU',
      fields: { data: toHex(command) },
    };
  const spec = findSpec(a);
  const request = spec.request ? safely(() => spec.request!(a, c)) : {};
  if (response === null) {
    track(a, null, spec, c);
    return { line, command: spec.name, sw: null, meaning: 'no response', fields: request };
  }
  const sw = swOf(response);
  const fields = { ...request, ...responseFields(spec, a, c, response.subarray(0, -2), sw) };
  track(a, sw, spec, c);
  return { line, command: spec.name, sw: swHex(sw), meaning: describeFuelSw(sw), fields };
}

function swOf(response: Uint8Array): number {
  return (response[response.length - 2]! << 8) | response[response.length - 1]!;
}

/** A PIN command recorded with its data masked (`> 0020000003**`): named, its data not decoded. */
function decodeMasked(e: TraceExchange, c: Context): DecodedExchange {
  const head = e.command;
  const a: Apdu = { cla: head[0]!, ins: head[1]!, p1: head[2]!, p2: head[3]!, data: new Uint8Array(0), le: null };
  const spec = findSpec(a);
  const request: Fields = { data: 'masked' };
  if (e.response === null) return { line: e.line, command: spec.name, sw: null, meaning: 'no response', fields: request };
  const sw = swOf(e.response);
  const fields = { ...request, ...responseFields({ name: spec.name }, a, c, e.response.subarray(0, -2), sw) };
  track(a, sw, spec, c);
  return { line: e.line, command: spec.name, sw: swHex(sw), meaning: describeFuelSw(sw), fields };
}

function exchangesOf(text: string): TraceExchange[] {
  try {
    return parseTrace(text, { unanswered: 'keep' });
  } catch (error) {
    if (!(error instanceof Iso7816Error)) throw error;
    throw new FuelCardError(FUEL_CARD_ERROR.TRACE_INVALID, error.message);
  }
}

/**
 * Decodes a whole trace (ccid/iso7816's format; a command may lack its response); throws
 * FuelCardError TRACE_INVALID (with the line) on a line that is not `> hex` or `< hex`.
 */
export function decodeTrace(text: string): DecodedExchange[] {
  const context: Context = { currentFid: null, lastCommand: null };
  return exchangesOf(text).map((e) =>
    e.commandMasked ? decodeMasked(e, context) : decodeExchange(e.line, e.command, e.response, context),
  );
}
