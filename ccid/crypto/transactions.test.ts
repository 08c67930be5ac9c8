/**
 * The transaction MACs beyond the vectors of docs/card-protocol.md §4: field checks, scheme
 * switches, card/host symmetry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from './demo-keys.ts';
import {
  CryptoError,
  DEFAULT_SCHEMES,
  diversify,
  greyLockGtac,
  greyLockMac2,
  loadMac1,
  loadTac,
  onlineUnlockMac3,
  openPinUnblockData,
  parsePinBlock,
  pinBlock,
  pinUnblockData,
  secureCommand,
  secureUpdateBinaryMac,
  tacKey,
  unloadMac1,
  unloadMac3,
  unlockDebitTac,
  unlockGmac,
  purchaseTac,
  pbocMac,
  retailMac,
} from './index.ts';

const DTK = diversify(DEMO_TEST_MASTER_KEYS.MTK, fromHex('0113200000123456'));
const stamp = { terminalId: fromHex('000000000001'), date: fromHex('20240102'), time: fromHex('030405') };
const sessionKey = fromHex('0123456789ABCDEF');

describe('field checks', () => {
  it('refuses negative, fractional and oversized amounts with FIELD_VALUE_INVALID', () => {
    for (const amountFen of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => loadMac1({ sessionKey, balanceFen: 0, amountFen, transType: 1, terminalId: stamp.terminalId })).toThrow(
        expect.objectContaining({ code: 'FIELD_VALUE_INVALID' }),
      );
    }
  });

  it('refuses a terminal id that is not 6 bytes and a date that is not 4', () => {
    expect(() => loadMac1({ sessionKey, balanceFen: 0, amountFen: 1, transType: 1, terminalId: new Uint8Array(5) })).toThrow(CryptoError);
    expect(() => unloadMac3({ dtk: DTK, balanceFenAfter: 0, onlineTtc: 0, amountFen: 1, ...stamp, date: new Uint8Array(3) })).toThrow(
      expect.objectContaining({ code: 'FIELD_LENGTH_INVALID' }),
    );
  });

  it('refuses a session key that is not 8 bytes', () => {
    expect(() => unloadMac1({ sessionKey: new Uint8Array(16), balanceFen: 0, amountFen: 1, terminalId: stamp.terminalId })).toThrow(
      expect.objectContaining({ code: 'KEY_LENGTH_INVALID' }),
    );
  });
});

describe('uncertain schemes', () => {
  it('defaults every uncertain detail to a named scheme', () => {
    expect(DEFAULT_SCHEMES).toEqual({
      dpkDiversification: 'ISSUER_THEN_ASN',
      greyLockSession: 'S1_TRAN_ROUND',
      loadTacLayout: 'JRT0025',
      mac3: 'TAC_KEY_ONLINE_LAYOUT',
      greyLockMac2: 'ZERO_AMOUNT',
      greyLockGtac: 'PURCHASE_TAC_ZERO_AMOUNT',
      unlockGmac: 'PSAM_INPUT_ORDER',
    });
  });

  it('computes the unload and online-unlock MAC3 like a load TAC with their own type by default', () => {
    const fields = { dtk: DTK, balanceFenAfter: 100, onlineTtc: 3, amountFen: 50, ...stamp };
    expect(toHex(unloadMac3(fields))).toBe(toHex(loadTac({ ...fields, transType: 0x03 })));
    expect(toHex(onlineUnlockMac3(fields))).toBe(toHex(loadTac({ ...fields, transType: 0x95 })));
    expect(unloadMac3({ ...fields, sessionKey, scheme: 'SESSION_KEY_ONLINE_LAYOUT' })).not.toEqual(unloadMac3(fields));
    expect(() => unloadMac3({ ...fields, scheme: 'SESSION_KEY_ONLINE_LAYOUT' })).toThrow(CryptoError);
  });

  it('computes the grey-lock MAC2 and GTAC as a purchase with amount 0 by default, and switches by name', () => {
    expect(toHex(greyLockMac2({ sessionKey, balanceFen: 77 }))).toBe(toHex(pbocMac(sessionKey, fromHex('00000000'))));
    expect(toHex(greyLockMac2({ sessionKey, balanceFen: 77, scheme: 'BALANCE' }))).toBe(toHex(pbocMac(sessionKey, fromHex('0000004D'))));
    const gtac = greyLockGtac({ dtk: DTK, balanceFen: 77, terminalTtc: 9, ...stamp });
    expect(toHex(gtac)).toBe(toHex(purchaseTac({ dtk: DTK, amountFen: 0, transType: 0x91, terminalTtc: 9, ...stamp })));
    expect(greyLockGtac({ dtk: DTK, balanceFen: 77, terminalTtc: 9, ...stamp, scheme: 'PURCHASE_TAC_BALANCE' })).not.toEqual(gtac);
  });

  it('computes the GMAC over 93 ASN8 CTC amount by default', () => {
    const asn8 = fromHex('0113200000123456');
    const gmac = unlockGmac({ sessionKey, asn8, offlineTtc: 2, amountFen: 300, ...stamp });
    expect(toHex(gmac)).toBe(toHex(pbocMac(sessionKey, fromHex('93 0113200000123456 0002 0000012C'))));
    expect(unlockGmac({ sessionKey, asn8, offlineTtc: 2, amountFen: 300, ...stamp, scheme: 'PURCHASE_MAC1_LAYOUT' })).not.toEqual(gmac);
  });

  it('computes the unlock-debit TAC over amount 93 TID termTTC date time with the TAC key', () => {
    const tac = unlockDebitTac({ dtk: DTK, amountFen: 300, terminalTtc: 2, ...stamp });
    expect(toHex(tac)).toBe(toHex(pbocMac(tacKey(DTK), fromHex('0000012C 93 000000000001 00000002 20240102 030405'))));
  });
});

describe('PIN blocks', () => {
  it('round-trips PIN UNBLOCK data through the card side for every PIN length', () => {
    const dpuk = fromHex('7862CC1B28C47E1036B75CF0B82C1DE8');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 6 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (pin, challenge) => {
        const data = pinUnblockData({ dpuk, pin, challenge });
        expect(toHex(openPinUnblockData({ dpuk, data, challenge }))).toBe(toHex(pin));
        expect(toHex(parsePinBlock(pinBlock(pin)))).toBe(toHex(pin));
      }),
    );
  });

  it('refuses PIN UNBLOCK data under another challenge', () => {
    const dpuk = fromHex('7862CC1B28C47E1036B75CF0B82C1DE8');
    const data = pinUnblockData({ dpuk, pin: fromHex('1234'), challenge: fromHex('01020304') });
    expect(() => openPinUnblockData({ dpuk, data, challenge: fromHex('01020305') })).toThrow(CryptoError);
  });

  it('refuses a PIN shorter than 2 or longer than 6 bytes', () => {
    expect(() => pinBlock(fromHex('12'))).toThrow(expect.objectContaining({ code: 'FIELD_LENGTH_INVALID' }));
    expect(() => pinBlock(fromHex('12345678901234'))).toThrow(CryptoError);
  });
});

describe('secure messaging', () => {
  it('MACs UPDATE BINARY over the header with Lc counting the MAC, then the data', () => {
    const key = fromHex('00112233445566778899AABBCCDDEEFF');
    const data = fromHex('0102030405');
    const mac = secureUpdateBinaryMac({ key, challenge: fromHex('A1B2C3D4'), sfi: 0x16, data });
    expect(toHex(mac)).toBe(toHex(retailMac(key, fromHex('A1B2C3D400000000'), fromHex('04D6960009 0102030405'))));
    const apdu = secureCommand({ key, challenge: fromHex('A1B2C3D4'), header: fromHex('04D69600'), data });
    expect(toHex(apdu)).toBe('04D69600090102030405' + toHex(mac));
  });

  it('refuses a challenge of neither 4 nor 8 bytes', () => {
    expect(() =>
      secureUpdateBinaryMac({ key: new Uint8Array(16), challenge: new Uint8Array(5), sfi: 0x15, data: new Uint8Array(1) }),
    ).toThrow(CryptoError);
  });
});
