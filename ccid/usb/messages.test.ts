import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { CcidError } from './errors.ts';
import {
  CCID_MESSAGE,
  decodeCommand,
  decodeInterrupt,
  decodeReply,
  encodeCommand,
  encodeNotifySlotChange,
  encodeReply,
  type CcidCommandFrame,
  type CcidReply,
} from './messages.ts';
import { decodeParameters, encodeParameters } from './parameters.ts';
import { replyError } from './status.ts';

const head = { slot: 0, seq: 7 };
const COMMANDS: CcidCommandFrame[] = [
  { ...head, type: 'IccPowerOn', powerSelect: 1 },
  { ...head, type: 'IccPowerOff' },
  { ...head, type: 'GetSlotStatus' },
  { ...head, type: 'XfrBlock', bwi: 3, levelParameter: 0x0010, data: fromHex('00A4040000') },
  { ...head, type: 'GetParameters' },
  { ...head, type: 'ResetParameters' },
  { ...head, type: 'SetParameters', protocolNum: 1, data: fromHex('1110004D00FE00') },
  { ...head, type: 'Escape', data: fromHex('0102') },
  { ...head, type: 'IccClock', clockCommand: 1 },
  { ...head, type: 'T0APDU', changes: 3, classGetResponse: 0xff, classEnvelope: 0x00 },
  { ...head, type: 'Secure', bwi: 0, levelParameter: 0, data: fromHex('00') },
  { ...head, type: 'Mechanical', function: 2 },
  { ...head, type: 'Abort' },
  { ...head, type: 'SetDataRateAndClockFrequency', clockFrequencyKhz: 4000, dataRateBps: 10752 },
];
const REPLIES: CcidReply[] = [
  { ...head, type: 'DataBlock', status: 0, error: 0, chainParameter: 1, data: fromHex('3B00') },
  { ...head, type: 'SlotStatus', status: 1, error: 0, clockStatus: 3 },
  { ...head, type: 'Parameters', status: 0, error: 0, protocolNum: 0, data: fromHex('1100000A00') },
  { ...head, type: 'Escape', status: 0, error: 0, data: fromHex('AA') },
  { ...head, type: 'DataRateAndClockFrequency', status: 0, error: 0, clockFrequencyKhz: 4800, dataRateBps: 12903 },
];

describe('CCID message codecs', () => {
  it('spell the message types as the spec does', () => {
    expect(CCID_MESSAGE.PC_to_RDR_XfrBlock).toBe(0x6f);
    expect(CCID_MESSAGE.RDR_to_PC_DataBlock).toBe(0x80);
    expect(CCID_MESSAGE.RDR_to_PC_NotifySlotChange).toBe(0x50);
  });

  it('encode an XfrBlock with a little-endian dwLength and wLevelParameter', () => {
    expect(
      toHex(encodeCommand({ slot: 0, seq: 0x12, type: 'XfrBlock', bwi: 4, levelParameter: 0x0201, data: fromHex('00B0000004') })),
    ).toBe('6F05000000001204010200B0000004');
  });

  it.each(COMMANDS)('round-trip $type', (command) => {
    expect(decodeCommand(encodeCommand(command))).toEqual(command);
  });

  it.each(REPLIES)('round-trip the $type reply', (reply) => {
    expect(decodeReply(encodeReply(reply))).toEqual(reply);
  });

  it('decode slot-change and hardware-error interrupts', () => {
    expect(decodeInterrupt(fromHex('5003'))).toEqual({ type: 'NotifySlotChange', slots: [{ present: true, changed: true }] });
    expect(decodeInterrupt(fromHex('5002'))).toEqual({ type: 'NotifySlotChange', slots: [{ present: false, changed: true }] });
    expect(decodeInterrupt(fromHex('50 08'), 2)).toMatchObject({
      slots: [
        { present: false, changed: false },
        { present: false, changed: true },
      ],
    });

    expect(
      toHex(
        encodeNotifySlotChange([
          { present: true, changed: false },
          { present: false, changed: true },
        ]),
      ),
    ).toBe('5009');
    expect(decodeInterrupt(fromHex('51000501'))).toEqual({ type: 'HardwareError', slot: 0, seq: 5, hardwareErrorCode: 1 });
  });

  it('refuse truncated, oversized and unknown messages with FRAME_INVALID', () => {
    const bad = [
      '80 02000000 00 01 00 00 00',
      '80 00000000 00 01 00 00 00 AA',
      '99 00000000 00 01 00 00 00',
      '80 0000',
      '80 FFFFFFFF 00 00 00 00 00',
      '',
      '52 00',
    ];
    for (const hex of bad) {
      expect(() => decodeReply(fromHex(hex))).toThrow(expect.objectContaining({ code: 'FRAME_INVALID' }));
    }
    expect(() => decodeInterrupt(fromHex('50'))).toThrow(expect.objectContaining({ code: 'FRAME_INVALID' }));
  });

  it('give a value or FRAME_INVALID for any bytes, never another exception (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 0xff }), (tail, type) => {
        const bytes = new Uint8Array([type, ...tail]);
        for (const decode of [
          (b: Uint8Array) => decodeReply(b),
          (b: Uint8Array) => decodeCommand(b),
          (b: Uint8Array) => decodeInterrupt(b, 3),
        ]) {
          try {
            decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(CcidError);
            expect((error as CcidError).code).toBe('FRAME_INVALID');
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('decode any well-framed reply and re-encode it to the same bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x80, 0x81, 0x82, 0x83),
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        fc.uint8Array({ maxLength: 40 }),
        (type, fields, data) => {
          const body = type === 0x81 ? new Uint8Array(0) : data;
          if (type === 0x83) fields[4] = 0; // byte 9 of RDR_to_PC_Escape is RFU
          const bytes = new Uint8Array([type, body.length, 0, 0, 0, ...fields, ...body]);
          expect(encodeReply(decodeReply(bytes))).toEqual(bytes);
        },
      ),
    );
  });
});

describe('protocol data structures', () => {
  it('round-trip T=0 and T=1 parameters and refuse a wrong length', () => {
    const t1 = {
      protocol: 1 as const,
      bmFindexDindex: 0x13,
      bmTCCKST1: 0x11,
      bGuardTimeT1: 0,
      bmWaitingIntegersT1: 0x45,
      bClockStop: 0,
      bIFSC: 0xfe,
      bNadValue: 0,
    };
    expect(decodeParameters(1, encodeParameters(t1))).toEqual(t1);
    expect(() => decodeParameters(0, fromHex('11'))).toThrow(expect.objectContaining({ code: 'FRAME_INVALID' }));
  });
});

describe('bStatus and bError', () => {
  const reply = (status: number, error: number): CcidReply => ({
    ...head,
    type: 'DataBlock',
    status,
    error,
    chainParameter: 0,
    data: new Uint8Array(0),
  });
  it.each([
    [0x41, 0xfe, 'CARD_MUTE'],
    [0x42, 0xfe, 'NO_CARD'],
    [0x40, 0xfd, 'XFR_PARITY_ERROR'],
    [0x40, 0xfb, 'HW_ERROR'],
    [0x40, 0xff, 'CMD_ABORTED'],
    [0x40, 0xf2, 'BUSY_WITH_AUTO_SEQUENCE'],
    [0x40, 0xe0, 'CMD_SLOT_BUSY'],
    [0x40, 0x01, 'BAD_LENGTH'],
    [0x40, 0x05, 'BAD_SLOT'],
    [0x40, 0x07, 'BAD_PARAMETER'],
    [0x40, 0x00, 'CMD_NOT_SUPPORTED'],
    [0x40, 0xf8, 'BAD_ATR'],
    [0x40, 0xf5, 'VOLTAGE_NOT_SUPPORTED'],
    [0x40, 0xbb, 'COMMAND_FAILED'],
    [0xc0, 0x00, 'FRAME_INVALID'],
  ])('bStatus %i with bError %i is %s', (status, error, code) => {
    const typed = replyError(reply(status, error));
    expect(typed?.code).toBe(code);
    expect(typed?.detail).toEqual({ bStatus: status, bError: error });
    expect(typed?.message.length).toBeGreaterThan(10);
  });

  it('a success or a time extension is not an error', () => {
    expect(replyError(reply(0x00, 0))).toBeNull();
    expect(replyError(reply(0x80, 2))).toBeNull();
  });
});
