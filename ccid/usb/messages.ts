/**
 * Pure codecs for every USB CCID rev 1.1 message: the PC_to_RDR commands on bulk-out, the
 * RDR_to_PC replies on bulk-in, and the two interrupt-in notifications. Bytes in, values out, no
 * I/O; the driver (reader.ts) and the virtual reader (ccid/sim/reader/reader.ts) both build on them, so
 * the two sides cannot drift apart. Every field wider than a byte is little-endian (CCID §1.3).
 * Decoders never throw anything but a CcidError('FRAME_INVALID').
 */
import { concatBytes, readU32le, toHex, u32le } from '../bytes.ts';
import { CcidError } from './errors.ts';

/** bMessageType values, spelled as CCID rev 1.1 spells them (§6.1 commands, §6.2 replies, §6.3 interrupts). */
export const CCID_MESSAGE = {
  PC_to_RDR_SetParameters: 0x61, // §6.1.7
  PC_to_RDR_IccPowerOn: 0x62, // §6.1.1
  PC_to_RDR_IccPowerOff: 0x63, // §6.1.2
  PC_to_RDR_GetSlotStatus: 0x65, // §6.1.3
  PC_to_RDR_Secure: 0x69, // §6.1.11
  PC_to_RDR_T0APDU: 0x6a, // §6.1.10
  PC_to_RDR_Escape: 0x6b, // §6.1.8
  PC_to_RDR_GetParameters: 0x6c, // §6.1.5
  PC_to_RDR_ResetParameters: 0x6d, // §6.1.6
  PC_to_RDR_IccClock: 0x6e, // §6.1.9
  PC_to_RDR_XfrBlock: 0x6f, // §6.1.4
  PC_to_RDR_Mechanical: 0x71, // §6.1.12
  PC_to_RDR_Abort: 0x72, // §6.1.13
  PC_to_RDR_SetDataRateAndClockFrequency: 0x73, // §6.1.14
  RDR_to_PC_DataBlock: 0x80, // §6.2.1
  RDR_to_PC_SlotStatus: 0x81, // §6.2.2
  RDR_to_PC_Parameters: 0x82, // §6.2.3
  RDR_to_PC_Escape: 0x83, // §6.2.4
  RDR_to_PC_DataRateAndClockFrequency: 0x84, // §6.2.5
  RDR_to_PC_NotifySlotChange: 0x50, // §6.3.1
  RDR_to_PC_HardwareError: 0x51, // §6.3.2
} as const;

/** Class-specific control requests on the default pipe (§5.3). */
export const CCID_REQUEST = {
  ABORT: 0x01, // §5.3.1: wValue = bSeq << 8 | bSlot, wIndex = interface
  GET_CLOCK_FREQUENCIES: 0x02, // §5.3.2
  GET_DATA_RATES: 0x03, // §5.3.3
} as const;

/** bmICCStatus, bits 0-1 of bStatus (§6.2.6). */
export const ICC_STATUS = { PRESENT_ACTIVE: 0, PRESENT_INACTIVE: 1, NOT_PRESENT: 2 } as const;
/** bmCommandStatus, bits 6-7 of bStatus (§6.2.6). */
export const COMMAND_STATUS = { PROCESSED_WITHOUT_ERROR: 0, FAILED: 1, TIME_EXTENSION: 2 } as const;

/** Slot error register bError when bmCommandStatus = 1 (§6.2.6 table 6.2-2). */
export const CCID_ERROR = {
  CMD_ABORTED: 0xff,
  ICC_MUTE: 0xfe,
  XFR_PARITY_ERROR: 0xfd,
  XFR_OVERRUN: 0xfc,
  HW_ERROR: 0xfb,
  BAD_ATR_TS: 0xf8,
  BAD_ATR_TCK: 0xf7,
  ICC_PROTOCOL_NOT_SUPPORTED: 0xf6,
  ICC_CLASS_NOT_SUPPORTED: 0xf5,
  PROCEDURE_BYTE_CONFLICT: 0xf4,
  DEACTIVATED_PROTOCOL: 0xf3,
  BUSY_WITH_AUTO_SEQUENCE: 0xf2,
  PIN_TIMEOUT: 0xf0,
  PIN_CANCELLED: 0xef,
  CMD_SLOT_BUSY: 0xe0,
  CMD_NOT_SUPPORTED: 0x00,
} as const;

/** bPowerSelect of PC_to_RDR_IccPowerOn (§6.1.1). */
export const POWER_SELECT = { AUTOMATIC: 0x00, V5_0: 0x01, V3_0: 0x02, V1_8: 0x03 } as const;

/** wLevelParameter (commands) and bChainParameter (replies) at extended APDU level (§6.1.4, §6.2.1). */
export const CHAIN = {
  BEGINS_AND_ENDS: 0x00,
  BEGINS_CONTINUES: 0x01,
  CONTINUES_ENDS: 0x02,
  CONTINUES_MORE: 0x03,
  EMPTY_NEXT: 0x10,
} as const;

export const HEADER_BYTES = 10;

type Header = { slot: number; seq: number };

export type CcidCommand =
  | { type: 'IccPowerOn'; powerSelect: number }
  | { type: 'IccPowerOff' }
  | { type: 'GetSlotStatus' }
  | { type: 'XfrBlock'; bwi: number; levelParameter: number; data: Uint8Array }
  | { type: 'GetParameters' }
  | { type: 'ResetParameters' }
  | { type: 'SetParameters'; protocolNum: number; data: Uint8Array }
  | { type: 'Escape'; data: Uint8Array }
  | { type: 'IccClock'; clockCommand: number }
  | { type: 'T0APDU'; changes: number; classGetResponse: number; classEnvelope: number }
  | { type: 'Secure'; bwi: number; levelParameter: number; data: Uint8Array }
  | { type: 'Mechanical'; function: number }
  | { type: 'Abort' }
  | { type: 'SetDataRateAndClockFrequency'; clockFrequencyKhz: number; dataRateBps: number };

export type CcidCommandFrame = CcidCommand & Header;

type ReplyHeader = Header & { status: number; error: number };

export type CcidReply =
  | (ReplyHeader & { type: 'DataBlock'; chainParameter: number; data: Uint8Array })
  | (ReplyHeader & { type: 'SlotStatus'; clockStatus: number })
  | (ReplyHeader & { type: 'Parameters'; protocolNum: number; data: Uint8Array })
  | (ReplyHeader & { type: 'Escape'; data: Uint8Array })
  | (ReplyHeader & { type: 'DataRateAndClockFrequency'; clockFrequencyKhz: number; dataRateBps: number });

export type CcidInterrupt =
  | { type: 'NotifySlotChange'; slots: { present: boolean; changed: boolean }[] }
  | { type: 'HardwareError'; slot: number; seq: number; hardwareErrorCode: number };

const COMMAND_TYPE_BY_NAME = {
  IccPowerOn: CCID_MESSAGE.PC_to_RDR_IccPowerOn,
  IccPowerOff: CCID_MESSAGE.PC_to_RDR_IccPowerOff,
  GetSlotStatus: CCID_MESSAGE.PC_to_RDR_GetSlotStatus,
  XfrBlock: CCID_MESSAGE.PC_to_RDR_XfrBlock,
  GetParameters: CCID_MESSAGE.PC_to_RDR_GetParameters,
  ResetParameters: CCID_MESSAGE.PC_to_RDR_ResetParameters,
  SetParameters: CCID_MESSAGE.PC_to_RDR_SetParameters,
  Escape: CCID_MESSAGE.PC_to_RDR_Escape,
  IccClock: CCID_MESSAGE.PC_to_RDR_IccClock,
  T0APDU: CCID_MESSAGE.PC_to_RDR_T0APDU,
  Secure: CCID_MESSAGE.PC_to_RDR_Secure,
  Mechanical: CCID_MESSAGE.PC_to_RDR_Mechanical,
  Abort: CCID_MESSAGE.PC_to_RDR_Abort,
  SetDataRateAndClockFrequency: CCID_MESSAGE.PC_to_RDR_SetDataRateAndClockFrequency,
} as const satisfies Record<CcidCommand['type'], number>;

const REPLY_TYPE_BY_NAME = {
  DataBlock: CCID_MESSAGE.RDR_to_PC_DataBlock,
  SlotStatus: CCID_MESSAGE.RDR_to_PC_SlotStatus,
  Parameters: CCID_MESSAGE.RDR_to_PC_Parameters,
  Escape: CCID_MESSAGE.RDR_to_PC_Escape,
  DataRateAndClockFrequency: CCID_MESSAGE.RDR_to_PC_DataRateAndClockFrequency,
} as const satisfies Record<CcidReply['type'], number>;

const EMPTY = new Uint8Array(0);

function invalid(message: string): CcidError {
  return new CcidError('FRAME_INVALID', `The card reader sent a malformed message: ${message}.`);
}

function checkByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} out of byte range: ${value}`);
}

function frame(messageType: number, head: Header, b7: number, b8: number, b9: number, data: Uint8Array): Uint8Array {
  checkByte('bSlot', head.slot);
  checkByte('bSeq', head.seq);
  checkByte('byte 7', b7);
  checkByte('byte 8', b8);
  checkByte('byte 9', b9);
  const out = new Uint8Array(HEADER_BYTES + data.length);
  out[0] = messageType;
  out.set(u32le(data.length), 1);
  out[5] = head.slot;
  out[6] = head.seq;
  out[7] = b7;
  out[8] = b8;
  out[9] = b9;
  out.set(data, HEADER_BYTES);
  return out;
}

function levelBytes(levelParameter: number): [number, number] {
  if (!Number.isInteger(levelParameter) || levelParameter < 0 || levelParameter > 0xffff) {
    throw new RangeError(`wLevelParameter out of range: ${levelParameter}`);
  }
  return [levelParameter & 0xff, levelParameter >> 8];
}

/** Encodes one PC_to_RDR message (bulk-out). Throws RangeError on out-of-range fields: a programmer error. */
export function encodeCommand(command: CcidCommandFrame): Uint8Array {
  return encodeCommandAt(command, command);
}

/** Same as encodeCommand, with bSlot and bSeq given apart (the driver's hot path: no object copy). */
export function encodeCommandAt(command: CcidCommand, head: Header): Uint8Array {
  const type = COMMAND_TYPE_BY_NAME[command.type];
  switch (command.type) {
    case 'IccPowerOn':
      return frame(type, head, command.powerSelect, 0, 0, EMPTY);
    case 'XfrBlock':
    case 'Secure': {
      const [lo, hi] = levelBytes(command.levelParameter);
      return frame(type, head, command.bwi, lo, hi, command.data);
    }
    case 'SetParameters':
      return frame(type, head, command.protocolNum, 0, 0, command.data);
    case 'Escape':
      return frame(type, head, 0, 0, 0, command.data);
    case 'IccClock':
      return frame(type, head, command.clockCommand, 0, 0, EMPTY);
    case 'T0APDU':
      return frame(type, head, command.changes, command.classGetResponse, command.classEnvelope, EMPTY);
    case 'Mechanical':
      return frame(type, head, command.function, 0, 0, EMPTY);
    case 'SetDataRateAndClockFrequency':
      return frame(type, head, 0, 0, 0, concatBytes(u32le(command.clockFrequencyKhz), u32le(command.dataRateBps)));
    default:
      return frame(type, head, 0, 0, 0, EMPTY);
  }
}

/** Encodes one RDR_to_PC message (bulk-in); the virtual reader's side. */
export function encodeReply(reply: CcidReply): Uint8Array {
  const type = REPLY_TYPE_BY_NAME[reply.type];
  checkByte('bStatus', reply.status);
  checkByte('bError', reply.error);
  let body: { b9: number; data: Uint8Array };
  switch (reply.type) {
    case 'DataBlock':
      body = { b9: reply.chainParameter, data: reply.data };
      break;
    case 'SlotStatus':
      body = { b9: reply.clockStatus, data: EMPTY };
      break;
    case 'Parameters':
      body = { b9: reply.protocolNum, data: reply.data };
      break;
    case 'Escape':
      body = { b9: 0, data: reply.data };
      break;
    case 'DataRateAndClockFrequency':
      body = { b9: 0, data: concatBytes(u32le(reply.clockFrequencyKhz), u32le(reply.dataRateBps)) };
      break;
  }
  return frame(type, reply, reply.status, reply.error, body.b9, body.data);
}

/** Total length (header included) announced by a message's first 10 bytes; used to reassemble bulk-in reads. */
export function announcedLength(header: Uint8Array, bytesMax: number): number {
  if (header.length < HEADER_BYTES) throw invalid(`header of ${header.length} bytes, 10 needed`);
  const dataLength = readU32le(header, 1);
  if (dataLength > bytesMax - HEADER_BYTES) throw invalid(`announced ${dataLength} data bytes, at most ${bytesMax - HEADER_BYTES} allowed`);
  return HEADER_BYTES + dataLength;
}

function splitFrame(bytes: Uint8Array, bytesMax: number): { data: Uint8Array; head: Header; b7: number; b8: number; b9: number } {
  const total = announcedLength(bytes, bytesMax);
  if (bytes.length !== total) throw invalid(`dwLength says ${total} bytes in all, ${bytes.length} received`);
  return {
    data: bytes.subarray(HEADER_BYTES),
    head: { slot: bytes[5]!, seq: bytes[6]! },
    b7: bytes[7]!,
    b8: bytes[8]!,
    b9: bytes[9]!,
  };
}

function dataOfLength(data: Uint8Array, name: string, length: number): Uint8Array {
  if (data.length !== length) throw invalid(`${name} carries ${data.length} data bytes, ${length} expected`);
  return data;
}

/** Decodes one RDR_to_PC message; the whole message must be present. */
export function decodeReply(bytes: Uint8Array, bytesMax = 65_546): CcidReply {
  // Object literals, not spreads: this runs for every reply and spreads cost microseconds here.
  const { data, head, b7: status, b8: error, b9 } = splitFrame(bytes, bytesMax);
  const slot = head.slot;
  const seq = head.seq;
  switch (bytes[0]) {
    case CCID_MESSAGE.RDR_to_PC_DataBlock:
      return { slot, seq, status, error, type: 'DataBlock', chainParameter: b9, data: data.slice() };
    case CCID_MESSAGE.RDR_to_PC_SlotStatus:
      return { slot, seq, status, error, type: 'SlotStatus', clockStatus: b9 };
    case CCID_MESSAGE.RDR_to_PC_Parameters:
      return { slot, seq, status, error, type: 'Parameters', protocolNum: b9, data: data.slice() };
    case CCID_MESSAGE.RDR_to_PC_Escape:
      return { slot, seq, status, error, type: 'Escape', data: data.slice() };
    case CCID_MESSAGE.RDR_to_PC_DataRateAndClockFrequency: {
      // A failed command may carry no data; the values are only meaningful on success.
      const values = data.length === 8 ? data : data.length === 0 ? new Uint8Array(8) : dataOfLength(data, 'DataRateAndClockFrequency', 8);
      return {
        slot,
        seq,
        status,
        error,
        type: 'DataRateAndClockFrequency',
        clockFrequencyKhz: readU32le(values, 0),
        dataRateBps: readU32le(values, 4),
      };
    }
    default:
      throw invalid(`unknown reply type 0x${toHex(bytes.subarray(0, 1))}`);
  }
}

/** Decodes one PC_to_RDR message; the virtual reader's side. */
export function decodeCommand(bytes: Uint8Array, bytesMax = 65_546): CcidCommandFrame {
  const { data, head, b7, b8, b9 } = splitFrame(bytes, bytesMax);
  const none = (type: 'IccPowerOff' | 'GetSlotStatus' | 'GetParameters' | 'ResetParameters' | 'Abort'): CcidCommandFrame => {
    dataOfLength(data, type, 0);
    return { slot: head.slot, seq: head.seq, type };
  };
  switch (bytes[0]) {
    case CCID_MESSAGE.PC_to_RDR_IccPowerOn:
      return { slot: head.slot, seq: head.seq, type: 'IccPowerOn', powerSelect: b7 };
    case CCID_MESSAGE.PC_to_RDR_IccPowerOff:
      return none('IccPowerOff');
    case CCID_MESSAGE.PC_to_RDR_GetSlotStatus:
      return none('GetSlotStatus');
    case CCID_MESSAGE.PC_to_RDR_XfrBlock:
      return { slot: head.slot, seq: head.seq, type: 'XfrBlock', bwi: b7, levelParameter: b8 | (b9 << 8), data: data.slice() };
    case CCID_MESSAGE.PC_to_RDR_GetParameters:
      return none('GetParameters');
    case CCID_MESSAGE.PC_to_RDR_ResetParameters:
      return none('ResetParameters');
    case CCID_MESSAGE.PC_to_RDR_SetParameters:
      return { slot: head.slot, seq: head.seq, type: 'SetParameters', protocolNum: b7, data: data.slice() };
    case CCID_MESSAGE.PC_to_RDR_Escape:
      return { slot: head.slot, seq: head.seq, type: 'Escape', data: data.slice() };
    case CCID_MESSAGE.PC_to_RDR_IccClock:
      return { slot: head.slot, seq: head.seq, type: 'IccClock', clockCommand: b7 };
    case CCID_MESSAGE.PC_to_RDR_T0APDU:
      return { slot: head.slot, seq: head.seq, type: 'T0APDU', changes: b7, classGetResponse: b8, classEnvelope: b9 };
    case CCID_MESSAGE.PC_to_RDR_Secure:
      return { slot: head.slot, seq: head.seq, type: 'Secure', bwi: b7, levelParameter: b8 | (b9 << 8), data: data.slice() };
    case CCID_MESSAGE.PC_to_RDR_Mechanical:
      return { slot: head.slot, seq: head.seq, type: 'Mechanical', function: b7 };
    case CCID_MESSAGE.PC_to_RDR_Abort:
      return none('Abort');
    case CCID_MESSAGE.PC_to_RDR_SetDataRateAndClockFrequency: {
      const values = dataOfLength(data, 'SetDataRateAndClockFrequency', 8);
      return {
        slot: head.slot,
        seq: head.seq,
        type: 'SetDataRateAndClockFrequency',
        clockFrequencyKhz: readU32le(values, 0),
        dataRateBps: readU32le(values, 4),
      };
    }
    default:
      throw invalid(`unknown command type 0x${toHex(bytes.subarray(0, 1))}`);
  }
}

/** Decodes one interrupt-in message; `slotCount` bounds how many slot pairs NotifySlotChange yields. */
export function decodeInterrupt(bytes: Uint8Array, slotCount = 1): CcidInterrupt {
  if (bytes[0] === CCID_MESSAGE.RDR_to_PC_NotifySlotChange) {
    const bytesNeeded = 1 + Math.ceil(slotCount / 4);
    if (bytes.length < bytesNeeded) throw invalid(`NotifySlotChange of ${bytes.length} bytes, ${bytesNeeded} needed`);
    const slots = [];
    for (let slot = 0; slot < slotCount; slot++) {
      const bits = (bytes[1 + (slot >> 2)]! >> ((slot & 3) * 2)) & 3;
      slots.push({ present: (bits & 1) !== 0, changed: (bits & 2) !== 0 });
    }
    return { type: 'NotifySlotChange', slots };
  }
  if (bytes[0] === CCID_MESSAGE.RDR_to_PC_HardwareError) {
    if (bytes.length < 4) throw invalid(`HardwareError of ${bytes.length} bytes, 4 needed`);
    return { type: 'HardwareError', slot: bytes[1]!, seq: bytes[2]!, hardwareErrorCode: bytes[3]! };
  }
  throw invalid(bytes.length === 0 ? 'empty interrupt message' : `unknown interrupt type 0x${toHex(bytes.subarray(0, 1))}`);
}

export function encodeNotifySlotChange(slots: readonly { present: boolean; changed: boolean }[]): Uint8Array {
  const out = new Uint8Array(1 + Math.ceil(Math.max(slots.length, 1) / 4));
  out[0] = CCID_MESSAGE.RDR_to_PC_NotifySlotChange;
  slots.forEach((s, slot) => {
    const bits = (s.present ? 1 : 0) | (s.changed ? 2 : 0);
    out[1 + (slot >> 2)]! |= bits << ((slot & 3) * 2);
  });
  return out;
}

export function encodeHardwareError(slot: number, seq: number, hardwareErrorCode: number): Uint8Array {
  return Uint8Array.of(CCID_MESSAGE.RDR_to_PC_HardwareError, slot, seq, hardwareErrorCode);
}

export function iccStatusOf(bStatus: number): number {
  return bStatus & 0x03;
}

export function commandStatusOf(bStatus: number): number {
  return (bStatus >> 6) & 0x03;
}

export function makeStatus(iccStatus: number, commandStatus: number): number {
  return (iccStatus & 0x03) | ((commandStatus & 0x03) << 6);
}
