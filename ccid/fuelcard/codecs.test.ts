/** Round trips of every codec, and decoders given arbitrary bytes: a value or a FuelCardError, never a crash. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { decodeBcdDate, encodeBcdDate, encodePin, cardDateTime } from './bcd.ts';
import { FuelCardError } from './errors.ts';
import {
  asnDetails,
  decodeEf15,
  decodeEf16,
  decodeEf1b,
  decodeEf1c,
  encodeEf15,
  encodeEf16,
  encodeEf1b,
  encodeEf1c,
  type Ef1c,
} from './files.ts';
import { decodeGbk, encodeGbk, gbkSource } from './gbk.ts';
import { decodeLockProof, decodeTransactionRecord, encodeLockProof, encodeTransactionRecord, type LockProof } from './messages.ts';
import { decodeTrace } from './decode.ts';
import type { Ef15 } from './files.ts';

/** EF15 of a user card of Jiangsu (ASN 0100 01 1 32 ...), key version 1. */
const TEST_EF15: Ef15 = {
  issuerId: '10FFFFFFFFFFFFFF',
  appType: 0x11,
  appVersion: 0x01,
  asn: '01000113200000123456',
  startDate: '2024-01-01',
  expiryDate: '2029-12-31',
  instructionVersion: 0x01,
  rfu: 0x00,
};

const hexOf = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toHex);
const bcdDate = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const bcdTime = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map((parts) => parts.map((p) => String(p).padStart(2, '0')).join(':'));
const byte = fc.integer({ min: 0, max: 255 });
const fen = fc.integer({ min: 0, max: 0xffffffff });

function valueOrTypedError(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(FuelCardError);
  }
}

describe('EF15', () => {
  it('decodes the test card and reads card type, key version and province from the ASN', () => {
    const ef15 = decodeEf15(encodeEf15(TEST_EF15));
    expect(ef15).toEqual(TEST_EF15);
    expect(asnDetails(ef15.asn)).toEqual({ cardType: 0x01, keyVersion: 1, provinceCode: '32' });
  });

  it('round-trips any field values', () => {
    fc.assert(
      fc.property(
        hexOf(8),
        byte,
        byte,
        hexOf(10),
        bcdDate,
        bcdDate,
        byte,
        byte,
        (issuerId, appType, appVersion, asn, startDate, expiryDate, instructionVersion, rfu) => {
          const ef15 = { issuerId, appType, appVersion, asn, startDate, expiryDate, instructionVersion, rfu };
          expect(decodeEf15(encodeEf15(ef15))).toEqual(ef15);
        },
      ),
    );
  });

  it('refuses 29 and 31 bytes with RESPONSE_MALFORMED', () => {
    for (const length of [29, 31])
      expect(() => decodeEf15(new Uint8Array(length))).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
  });

  it('refuses a non-BCD expiry date with DATA_INVALID', () => {
    const bytes = encodeEf15(TEST_EF15);
    bytes[24] = 0xab;
    expect(() => decodeEf15(bytes)).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });
});

describe('EF16 and GBK', () => {
  it('round-trips a Chinese holder name through GBK', () => {
    const ef16 = { holderFlag: 1, employeeFlag: 0, holderName: '欧阳明华', idNumber: '11010519491231002X', idType: 1 };
    const bytes = encodeEf16(ef16);
    expect(toHex(bytes.subarray(2, 10))).toBe('C5B7D1F4C3F7BBAA');
    expect(decodeEf16(bytes)).toEqual(ef16);
  });

  it('uses the runtime GBK decoder in Node and agrees with the fallback table on common names', () => {
    expect(gbkSource()).toBe('native');
    for (const name of ['张三', '王伟', '李娜', '刘洋', '陈静', '苏A12345']) {
      const bytes = encodeGbk(name, 20);
      expect(decodeGbk(bytes)).toBe(name);
      expect(decodeGbk(bytes, { forceFallback: true })).toBe(name);
      expect(toHex(encodeGbk(name, 20, { forceFallback: true }))).toBe(toHex(bytes));
    }
  });

  it('strips 00, 20 and FF padding and never throws on arbitrary bytes', () => {
    expect(decodeGbk(fromHex('D5C5C8FD0000'))).toBe('张三');
    expect(decodeGbk(fromHex('D5C5C8FD2020'))).toBe('张三');
    expect(decodeGbk(fromHex('D5C5C8FDFFFF'))).toBe('张三');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
        expect(typeof decodeGbk(bytes)).toBe('string');
        expect(typeof decodeGbk(bytes, { forceFallback: true })).toBe('string');
      }),
    );
  });

  it('refuses a name longer than the field and a character without a GBK code', () => {
    expect(() => encodeGbk('张三李四王五赵六钱七孙八', 20)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => encodeGbk('😀', 20)).toThrow(FuelCardError);
  });
});

describe('EF1B and EF1C', () => {
  it('round-trips EF1B and reads the default-PIN mode', () => {
    fc.assert(
      fc.property(fc.boolean(), byte, hexOf(2), hexOf(28), (usesDefaultPin, employeeNumber, employeePassword, rfu) => {
        const ef1b = { usesDefaultPin, pinMode: usesDefaultPin ? 0 : 1, employeeNumber, employeePassword, rfu };
        expect(decodeEf1b(encodeEf1b(ef1b))).toEqual(ef1b);
      }),
    );
  });

  it('round-trips EF1C with a station list and a plate', () => {
    const ef1c: Ef1c = {
      gradeLimit: '0092',
      locationMode: 4,
      locations: ['32010001', '32010002'],
      perFuellingLimit: 500,
      fuellingsPerDayMax: 3,
      amountPerDayFenMax: 200000,
      vehiclePlate: '京A88888',
      rfu: '00'.repeat(30),
    };
    expect(decodeEf1c(encodeEf1c(ef1c))).toEqual(ef1c);
  });

  it('refuses more locations than the 40-byte list holds', () => {
    const ef1c: Ef1c = {
      gradeLimit: 'FFFF',
      locationMode: 4,
      locations: Array(11).fill('32010001'),
      perFuellingLimit: 0,
      fuellingsPerDayMax: 0,
      amountPerDayFenMax: 0,
      vehiclePlate: '',
      rfu: '00'.repeat(30),
    };
    expect(() => encodeEf1c(ef1c)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('EF18 records and the lock proof', () => {
  it('round-trips any transaction record', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffff }),
        fen,
        byte,
        hexOf(6),
        bcdDate,
        bcdTime,
        (ttc, overdraftFen, amountFen, transType, terminalId, date, time) => {
          const record = { ttc, overdraftFen, amountFen, transType, terminalId, date, time };
          expect(decodeTransactionRecord(encodeTransactionRecord(record))).toEqual(record);
        },
      ),
    );
  });

  it('reads MAC2 and GTAC when grey, and amount and TAC otherwise', () => {
    const head = {
      transType: 0x91,
      purseType: 1,
      balanceFen: 20000,
      offlineTtc: 2,
      terminalId: '320100000007',
      date: '2024-01-01',
      time: '18:30:00',
    };
    const locked: LockProof = { ...head, greyStatus: 1, greyState: 'LOCKED', mac2: '1A2B3C4D', gtac: '5E6F7081' };
    const unread: LockProof = { ...head, greyStatus: 0x10, greyState: 'TAC_UNREAD', amountFen: 1500, tac: '01020304' };
    expect(decodeLockProof(encodeLockProof(locked))).toEqual(locked);
    expect(decodeLockProof(encodeLockProof(unread))).toEqual(unread);
    expect(() => encodeLockProof({ ...locked, greyStatus: 0 })).toThrow(FuelCardError);
  });

  it('refuses an unknown grey status flag', () => {
    expect(() => decodeLockProof(new Uint8Array(30).fill(0x05, 0, 1))).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });
});

describe('BCD', () => {
  it('round-trips dates and turns a Date into China time', () => {
    expect(decodeBcdDate(encodeBcdDate('2024-01-02'))).toBe('2024-01-02');
    const { date, time } = cardDateTime(new Date('2024-01-01T19:04:05Z'));
    expect(toHex(date) + toHex(time)).toBe('20240102030405');
  });

  it('pads an odd-length PIN with F and refuses non-digits', () => {
    expect(toHex(encodePin('12345'))).toBe('12345F');
    expect(() => encodePin('12a4')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => encodePin('123')).toThrow(FuelCardError);
  });
});

describe('decoders given arbitrary bytes', () => {
  const decoders = { decodeEf15, decodeEf16, decodeEf1b, decodeEf1c, decodeTransactionRecord, decodeLockProof };
  it.each(Object.entries(decoders))('%s returns a value or a FuelCardError', (_name, decode) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => valueOrTypedError(() => decode(bytes))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 255 }), (length, fill) =>
        valueOrTypedError(() => decode(new Uint8Array(length).fill(fill))),
      ),
    );
  });

  it('the trace decoder names any command line and never throws on hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 60 }), fc.uint8Array({ minLength: 2, maxLength: 60 }), (command, response) => {
        const exchanges = decodeTrace(`> ${toHex(command)}\n< ${toHex(response)}\n`);
        expect(exchanges).toHaveLength(1);
        expect(typeof exchanges[0]!.command).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
