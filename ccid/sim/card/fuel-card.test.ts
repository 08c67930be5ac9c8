import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../bytes.ts';
import { pinReloadMac, pinUnblockData, secureCommand, secureUpdateBinaryHeader } from '../../crypto/index.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { pinToBcd } from './files.ts';
import { blankFuelCard } from './issue.ts';
import { deriveCardKey } from './keys.ts';
import { openedDemo, send } from './testkit.ts';
import { FUEL_CARD_ATR, SIM_CARD_ERROR } from './fuel-card.ts';
import { createDemoCard } from '../demo/cards.ts';
import { parseAtr } from '../../iso7816/atr.ts';

const SELECT_SINOPEC = '00A404000CA00000000353494E4F50454300';
const keyOf = (kind: Parameters<typeof deriveCardKey>[0], asn: Uint8Array) =>
  deriveCardKey(kind, {
    masters: DEMO_TEST_MASTER_KEYS,
    asn,
    issuerId: fromHex('10FFFFFFFFFFFFFF'),
    dpkDiversification: 'ISSUER_THEN_ASN',
  });

describe('selection as a real dispenser does it', () => {
  it('answers the ATR on power on and refuses commands while unpowered', () => {
    const { card } = createDemoCard('named');
    expect(() => card.transmit(fromHex(SELECT_SINOPEC))).toThrowError(expect.objectContaining({ code: SIM_CARD_ERROR.NOT_POWERED }));
    expect(toHex(card.powerOn())).toBe(toHex(FUEL_CARD_ATR));
    expect(parseAtr(FUEL_CARD_ATR)).toMatchObject({ protocols: [0], defaultProtocol: 0 });
  });

  it('runs the S2 insertion order: LOYALTY absent 6A82, SINOPEC with FCI carrying EF15, DF01 by file id', () => {
    const { card, asn } = createDemoCard('named');
    card.powerOn();
    expect(send(card, '00A404000CA0000000034C4F59414C5459').sw).toBe('6A82');
    const fci = send(card, SELECT_SINOPEC);
    expect(fci.sw).toBe('9000');
    expect(fci.data.startsWith('6F')).toBe(true);
    expect(fci.data).toContain('84 0C A00000000353494E4F504543'.replace(/ /g, ''));
    expect(fci.data).toContain('9F0C1E');
    expect(fci.data).toContain(toHex(asn));
    expect(send(card, '00A4000002DF01').sw).toBe('9000');
    expect(send(card, '00A404000E315041592E5359532E444446303100').sw).toBe('9000');
  });

  it('refuses an unknown AID with 6A82, a bad P1 with 6A86 and a short FID with 6700', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    expect(send(card, '00A4040005A000000099').sw).toBe('6A82');
    expect(send(card, '00A4080002DF01').sw).toBe('6A86');
    expect(send(card, '00A4000001DF').sw).toBe('6700');
    expect(send(card, '00A4000002EF99').sw).toBe('6A82');
  });
});

describe('reading files', () => {
  it('reads EF15, EF16, EF1B and EF1C by SFI with the lengths the dispenser asks for', () => {
    const { card, asn } = openedDemo('named');
    const ef15 = send(card, '00B095001E');
    expect(ef15.sw).toBe('9000');
    expect(ef15.data).toBe(`10FFFFFFFFFFFFFF1101${toHex(asn)}2024010120341231` + '0100');
    const ef16 = send(card, '00B0960029');
    expect(ef16.data.slice(0, 12)).toBe('0100D5C5CEB0'); // single user, employee flag 0, 张伟 in GBK
    expect(send(card, '00B09B0020').data.slice(0, 2)).toBe('01');
    expect(send(card, '00B09C0060').bytes.length).toBe(0x60);
    expect(send(card, '00B09B0004').bytes.length).toBe(4);
  });

  it('reads everything with Le 00, the sloppy 00B095000000, and the current file after a select by FID', () => {
    const { card } = openedDemo('named');
    expect(send(card, '00B0950000').bytes.length).toBe(30);
    expect(send(card, '00B095000000').bytes.length).toBe(30);
    send(card, '00A40000020016');
    expect(send(card, '00B0000000').bytes.length).toBe(0x29);
    expect(send(card, '00B0000A05').bytes.length).toBe(5);
  });

  it('answers 6Cxx for an Le past the end, 6B00 for an offset past it, 6A82 for an unknown SFI, 6981 for EF18', () => {
    const { card } = openedDemo('named');
    expect(send(card, '00B0951020').sw).toBe('6C0E');
    expect(send(card, '00B0952001').sw).toBe('6B00');
    expect(send(card, '00B0810000').sw).toBe('6A82');
    expect(send(card, '00B0980000').sw).toBe('6981');
    expect(send(card, '00B0000000').bytes.length).toBe(30); // a failed read leaves EF15 current
  });

  it('finds no file before the application is selected', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    expect(send(card, '00B095001E').sw).toBe('6A82');
    expect(send(card, '00B201C417').sw).toBe('6A82');
  });

  it('reads EF18 newest first and answers 6A83 past the last record', () => {
    const { card } = openedDemo('named');
    const r1 = send(card, '00B201C417');
    const r2 = send(card, '00B202C417');
    expect(r1.sw).toBe('9000');
    expect(r1.data).toBe('0001' + '000000' + '00007530' + '01' + '000000000001' + '20240102' + '030405');
    expect(r2.data.slice(0, 4)).toBe('0000');
    expect(send(card, '00B203C417').sw).toBe('6A83');
    expect(send(card, '00B201C410').sw).toBe('6C17');
    expect(send(card, '00B200C417').sw).toBe('6A86');
    expect(send(card, '00B201C017').sw).toBe('6A86');
    expect(send(card, '00B201AC17').sw).toBe('6981');
  });
});

describe('the PIN', () => {
  it('verifies the right PIN and counts wrong ones down 63C2, 63C1, 63C0, then 6983', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    send(card, SELECT_SINOPEC);
    expect(send(card, '0020000002 1234').sw).toBe('63C2');
    expect(send(card, '0020000003 123456').sw).toBe('9000');
    expect(card.inspect().pin.triesLeft).toBe(3);
    for (const sw of ['63C2', '63C1', '63C0', '6983']) expect(send(card, '0020000002 9999').sw).toBe(sw);
    expect(send(card, '0020000003 123456').sw).toBe('6983');
  });

  it('refuses a PIN of the wrong length with 6700 and bad P1P2 with 6A86', () => {
    const { card } = openedDemo('named');
    expect(send(card, '0020000001 12').sw).toBe('6700');
    expect(send(card, '0020000007 12345678901234').sw).toBe('6700');
    expect(send(card, '0020010003 123456').sw).toBe('6A86');
  });

  it('uses the default PIN 9999 on an anonymous card (EF1B[0] = 00)', () => {
    const { card } = createDemoCard('anonymous');
    card.powerOn();
    send(card, SELECT_SINOPEC);
    expect(send(card, '00B09B0001').data).toBe('00');
    expect(send(card, '0020000002 9999').sw).toBe('9000');
  });

  it('changes the PIN with old FF new, and a wrong old PIN costs a try', () => {
    const { card } = openedDemo('named');
    expect(send(card, '805E010006 123457 FF 6543').sw).toBe('63C2');
    expect(send(card, '805E010006 123456 FF 6543').sw).toBe('9000');
    expect(send(card, '0020000002 6543').sw).toBe('9000');
    expect(send(card, '805E010003 6543 FF').sw).toBe('6700');
    expect(send(card, '805E010004 65436543').sw).toBe('6700');
  });

  it('reloads the PIN with the issuer DRPK MAC and refuses a bad MAC with 9302', () => {
    const { card, asn } = createDemoCard('pinBlocked');
    card.powerOn();
    send(card, SELECT_SINOPEC);
    expect(send(card, '0020000003 123456').sw).toBe('6983');
    const pin = pinToBcd('111111');
    const mac = pinReloadMac({ drpk: keyOf('DRPK', asn), pin });
    expect(send(card, concatBytes(fromHex('805E000007'), pin, fromHex('00000000'))).sw).toBe('9302');
    expect(send(card, concatBytes(fromHex('805E000007'), pin, mac)).sw).toBe('9000');
    expect(send(card, '0020000003 111111').sw).toBe('9000');
  });

  it('unblocks the PIN with the enciphered PIN block after GET CHALLENGE, and needs the challenge', () => {
    const { card, asn } = createDemoCard('pinBlocked');
    card.powerOn();
    send(card, SELECT_SINOPEC);
    const dpuk = keyOf('DPUK', asn);
    const stale = pinUnblockData({ dpuk, pin: pinToBcd('123456'), challenge: fromHex('00000000') });
    expect(send(card, concatBytes(fromHex('842400010C'), stale)).sw).toBe('6985');
    const challenge = send(card, '0084000004').bytes;
    expect(challenge.length).toBe(4);
    expect(send(card, concatBytes(fromHex('842400010C'), stale)).sw).toBe('9302');
    const fresh = pinUnblockData({ dpuk, pin: pinToBcd('123456'), challenge: send(card, '0084000004').bytes });
    expect(send(card, concatBytes(fromHex('842400010C'), fresh)).sw).toBe('9000');
    expect(send(card, '0020000003 123456').sw).toBe('9000');
    expect(send(card, '842400010B 0000000000000000000000').sw).toBe('6700');
  });
});

describe('balance and challenge', () => {
  it('answers the ED balance after VERIFY, 6982 before, and the EP balance without PIN', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    send(card, SELECT_SINOPEC);
    expect(send(card, '805C000104').sw).toBe('6982');
    expect(send(card, '805C000204')).toMatchObject({ data: '00000000', sw: '9000' });
    send(card, '0020000003 123456');
    expect(send(card, '805C000104')).toMatchObject({ data: '00013880', sw: '9000' });
    expect(send(card, '805C000304').sw).toBe('6A86');
    expect(send(card, '805C010104').sw).toBe('6A86');
  });

  it('answers GET CHALLENGE with 4 or 8 bytes and refuses other lengths', () => {
    const { card } = openedDemo('named');
    expect(send(card, '0084000008').bytes.length).toBe(8);
    expect(send(card, '0084000005').sw).toBe('6700');
    expect(send(card, '0084010004').sw).toBe('6A86');
  });
});

describe('secure UPDATE BINARY and issuer commands', () => {
  it('updates EF16 with a DAMTK retail MAC over the challenge, and refuses a bad MAC or no challenge', () => {
    const { card, asn } = openedDemo('named');
    const key = keyOf('DAMTK', asn);
    const data = fromHex('0101C0EEC4C8');
    const header = secureUpdateBinaryHeader(0x16, 0);
    expect(send(card, secureCommand({ key, challenge: fromHex('00000000'), header, data })).sw).toBe('6985');
    const challenge = send(card, '0084000004').bytes;
    const bad = secureCommand({ key, challenge: fromHex('01020304'), header, data });
    expect(send(card, bad).sw).toBe('9302');
    const good = secureCommand({ key, challenge: send(card, '0084000004').bytes, header, data });
    expect(challenge.length).toBe(4);
    expect(send(card, good).sw).toBe('9000');
    expect(send(card, '00B0960006').data).toBe('0101C0EEC4C8');
  });

  it('refuses a plain UPDATE BINARY on an issued card with 6982', () => {
    const { card } = openedDemo('named');
    expect(send(card, '00D6960002 0101').sw).toBe('6982');
    expect(send(card, '80D4020000').sw).toBe('6985');
  });

  it('personalises a blank card: plain writes, keys in both WRITE KEY shapes, the PIN, then issue', () => {
    const card = blankFuelCard();
    card.powerOn();
    send(card, SELECT_SINOPEC);
    expect(send(card, '00D6950002 1000').sw).toBe('9000');
    const key = 'AB'.repeat(16);
    expect(send(card, `80D4010113 3F 02 00 ${key}`).sw).toBe('9000'); // project shape: DLK index 1 version 2
    expect(send(card, `80D4010215 41 F0 02 03 00 ${key}`).sw).toBe('9000'); // S1 shape: DLK index 2 version 3
    expect(send(card, '80D4010005 3A 03 123456').sw).toBe('9000');
    expect(send(card, `80D4010113 EE 02 00 ${key}`).sw).toBe('6A80');
    const state = card.inspect();
    expect(state.keys.map((k) => [k.kind, k.index, k.version])).toEqual([
      ['DLK', 1, 2],
      ['DLK', 2, 3],
    ]);
    expect(toHex(state.pin.bcd)).toBe('123456');
    expect(send(card, '80D4020000').sw).toBe('9000');
    expect(card.inspect().lifecycle).toBe('issued');
    expect(send(card, '00D6950002 1000').sw).toBe('6982');
  });

  it('blocks the application with a MAC (SELECT then answers 6A81, purse commands 9407) and unblocks it', () => {
    const { card, asn } = openedDemo('named');
    const key = keyOf('DAMTK', asn);
    const block = secureCommand({ key, challenge: send(card, '0084000004').bytes, header: fromHex('841E0000'), data: new Uint8Array(0) });
    expect(send(card, block).sw).toBe('9000');
    expect(send(card, '805C000204').sw).toBe('9407');
    expect(send(card, SELECT_SINOPEC).sw).toBe('6A81');
    expect(send(card, '0020000003 123456').sw).toBe('9407');
    const unblock = secureCommand({ key, challenge: send(card, '0084000004').bytes, header: fromHex('84180000'), data: new Uint8Array(0) });
    expect(send(card, unblock).sw).toBe('9000');
    expect(send(card, SELECT_SINOPEC).sw).toBe('9000');
  });

  it('locks the card for good with CARD BLOCK: SELECT answers 9303', () => {
    const { card, asn } = openedDemo('named');
    const block = secureCommand({
      key: keyOf('DAMTK', asn),
      challenge: send(card, '0084000004').bytes,
      header: fromHex('84160000'),
      data: new Uint8Array(0),
    });
    expect(send(card, block).sw).toBe('9000');
    expect(send(card, SELECT_SINOPEC).sw).toBe('9303');
  });
});

describe('malformed commands', () => {
  it('answers 6D00 for an unknown INS, 6E00 for an unknown CLA or a known INS under the wrong CLA', () => {
    const { card } = openedDemo('named');
    expect(send(card, '00C0000010').sw).toBe('6D00');
    expect(send(card, '80FF000000').sw).toBe('6D00');
    expect(send(card, 'A0A4000002DF01').sw).toBe('6E00');
    expect(send(card, '005C000104').sw).toBe('6E00');
  });

  it('answers 6700 to bytes that are not an APDU (too short, Lc disagreeing with the data)', () => {
    const { card } = openedDemo('named');
    expect(send(card, '00B0').sw).toBe('6700');
    expect(send(card, '0020000005 1234').sw).toBe('6700');
  });
});
