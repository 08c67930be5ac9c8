/**
 * Every vector of docs/card-protocol.md §4, as regression tests of the TypeScript implementation.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from './demo-keys.ts';
import {
  DEFAULT_SCHEMES,
  deriveDpk,
  desCbcMac,
  desEncryptBlock,
  desDecryptBlock,
  diversify,
  greyLockMac1,
  greyLockSessionKey,
  loadMac1,
  loadMac2,
  loadSessionKey,
  loadTac,
  onlineUnlockMac1,
  onlineUnlockMac2,
  onlineUnlockSessionKey,
  pinBlock,
  pinReloadMac,
  pinUnblockData,
  purchaseMac1,
  purchaseMac2,
  purchaseSessionKey,
  purchaseTac,
  tacKey,
  tdesEncryptBlock,
  TRANS_TYPE,
  purchaseSessionKey as plainPurchaseKey,
} from './index.ts';

const h = fromHex;

const { MLK, MPK, MTK, MULK, MUGK, MPUK, MRPK } = DEMO_TEST_MASTER_KEYS;
const ASN8 = h('0113200000123456');
const ISSUER_ID = h('10FFFFFFFFFFFFFF');
const TID = h('000000000001');
const DATE = h('20240102');
const TIME = h('030405');

const DTK = diversify(MTK, ASN8);

describe('DES known-answer tests (docs/card-protocol.md §4.1)', () => {
  it.each([
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815'],
    ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900'],
  ])('DES with key %s encrypts %s to %s and decrypts it back', (k, plain, cipher) => {
    expect(toHex(desEncryptBlock(h(k), h(plain)))).toBe(cipher);
    expect(toHex(desDecryptBlock(h(k), h(cipher)))).toBe(plain);
  });

  it('3DES with K||K is single DES', () => {
    const k = h('133457799BBCDFF1');
    expect(toHex(tdesEncryptBlock(concatBytes(k, k), h('0123456789ABCDEF')))).toBe('85E813540F0AB405');
  });
});

describe('derived card keys (docs/card-protocol.md §4.3)', () => {
  it('diversifies DLK, DTK, DULK, DUGK, DPUK and DRPK by the ASN', () => {
    expect(toHex(diversify(MLK, ASN8))).toBe('A550C03707AA8AACF814ED37FDCA9CBF');
    expect(toHex(DTK)).toBe('2B7327A601CBB0FB38C5DAF78279A56A');
    expect(toHex(diversify(MULK, ASN8))).toBe('D1D5AD1D040E1E20C342EA70D131CA12');
    expect(toHex(diversify(MUGK, ASN8))).toBe('D8CFA4A131364825C110D79525385852');
    expect(toHex(diversify(MPUK, ASN8))).toBe('7862CC1B28C47E1036B75CF0B82C1DE8');
    expect(toHex(diversify(MRPK, ASN8))).toBe('D700097FBCB45F76245451DB39C54DE6');
  });

  it('makes the TAC key as the XOR of the DTK halves', () => {
    expect(toHex(tacKey(DTK))).toBe('13B6FD5183B21591');
  });

  it('diversifies DPK once by the ASN, and twice by issuer then ASN by default', () => {
    expect(toHex(deriveDpk({ mpk: MPK, asn8: ASN8, issuerId: ISSUER_ID, scheme: 'ASN_ONCE' }))).toBe('0C117CD4CB886FC329B5F2FE95039656');
    expect(toHex(deriveDpk({ mpk: MPK, asn8: ASN8, issuerId: ISSUER_ID }))).toBe('6BF897EC96F5FF2AAE31DBA265A9B222');
    expect(DEFAULT_SCHEMES.dpkDiversification).toBe('ISSUER_THEN_ASN');
  });
});

describe('V1 load ED', () => {
  const sessionKey = loadSessionKey(diversify(MLK, ASN8), h('12345678'), h('0000'));
  const common = { amountFen: 0x2710, transType: TRANS_TYPE.LOAD_ED, terminalId: TID };

  it('derives SESLK, MAC1, MAC2 and the TAC of docs/card-protocol.md §4.3', () => {
    expect(toHex(sessionKey)).toBe('5BBAB2ED8961FFAC');
    expect(toHex(loadMac1({ sessionKey, balanceFen: 0, ...common }))).toBe('F3D0C374');
    expect(toHex(loadMac2({ sessionKey, ...common, date: DATE, time: TIME }))).toBe('ABABF9AC');
    const tac = loadTac({ dtk: DTK, balanceFenAfter: 0x2710, onlineTtc: 0, ...common, date: DATE, time: TIME });
    expect(toHex(tac)).toBe('F7B5493D');
  });

  it('accepts the online TTC as a number as well as bytes', () => {
    expect(toHex(loadSessionKey(diversify(MLK, ASN8), h('12345678'), 0))).toBe('5BBAB2ED8961FFAC');
  });
});

describe('V2 purchase ED with a one-level DPK', () => {
  const dpk = h('0C117CD4CB886FC329B5F2FE95039656');
  const sessionKey = purchaseSessionKey({ dpk, random: h('87654321'), offlineTtc: 0, terminalTtc: 1 });
  const common = { amountFen: 0xbb8, transType: TRANS_TYPE.PURCHASE_ED, terminalId: TID, date: DATE, time: TIME };

  it('derives SESPK, MAC1, MAC2 and TAC of docs/card-protocol.md §4.3', () => {
    expect(toHex(sessionKey)).toBe('D9DFA618BE2ED179');
    expect(toHex(purchaseMac1({ sessionKey, ...common }))).toBe('71ABD287');
    expect(toHex(purchaseMac2({ sessionKey, amountFen: 0xbb8 }))).toBe('1D35AC8F');
    expect(toHex(purchaseTac({ dtk: DTK, terminalTtc: 1, ...common }))).toBe('11C4689E');
  });
});

describe('V3 grey lock with the S1 session scheme and a two-level DPK', () => {
  const dpk = h('6BF897EC96F5FF2AAE31DBA265A9B222');
  const fields = { dpk, random: h('AABBCCDD'), offlineTtc: 1, terminalTtc: 2, terminalRandom: h('11223344') };

  it('derives the intermediate key, the grey session key and MAC1 of docs/card-protocol.md §4.3', () => {
    expect(toHex(plainPurchaseKey(fields))).toBe('54A7FCE019E3B824');
    expect(toHex(greyLockSessionKey({ ...fields, scheme: 'PURCHASE' }))).toBe('54A7FCE019E3B824');
    const sessionKey = greyLockSessionKey(fields);
    expect(toHex(sessionKey)).toBe('9C040E81AC6F1446');
    expect(toHex(greyLockMac1({ sessionKey, terminalId: TID, date: DATE, time: TIME }))).toBe('496FF950');
  });
});

describe('V4 online unlock', () => {
  const sessionKey = onlineUnlockSessionKey(diversify(MUGK, ASN8), h('0F1E2D3C'), 1);

  it('derives SESUK, MAC1 and MAC2 of docs/card-protocol.md §4.3', () => {
    expect(toHex(sessionKey)).toBe('789245D779C7C36B');
    expect(toHex(onlineUnlockMac1({ sessionKey, balanceFen: 0x1b58, offlineTtc: 2, terminalId: TID }))).toBe('09CE234C');
    expect(toHex(onlineUnlockMac2({ sessionKey, amountFen: 0, terminalId: TID, date: DATE, time: TIME }))).toBe('4ACBF6E1');
  });
});

describe('V5 PIN UNBLOCK and V6 RELOAD PIN', () => {
  it('encrypts the PIN block under DPUK and MACs the command with the challenge', () => {
    const dpuk = diversify(MPUK, ASN8);
    expect(toHex(pinBlock(h('123456')))).toBe('0312345680000000');
    expect(toHex(tdesEncryptBlock(dpuk, pinBlock(h('123456'))))).toBe('8CF5B9D376E8D4F1');
    expect(toHex(pinUnblockData({ dpuk, pin: h('123456'), challenge: h('A1B2C3D4') }))).toBe('8CF5B9D376E8D4F180DC9240');
  });

  it('MACs the reloaded PIN with DRPK left XOR right', () => {
    expect(toHex(pinReloadMac({ drpk: diversify(MRPK, ASN8), pin: h('123456') }))).toBe('AAE5D5E8');
  });
});

describe('MAC padding', () => {
  it('pads an 8-byte-aligned input with a whole 8000000000000000 block', () => {
    expect(toHex(desCbcMac(h('0123456789ABCDEF'), h('0102030405060708')))).toBe('F0A11DAFDF3B712D');
  });
});
