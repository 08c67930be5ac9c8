/** The application layer against a scripted transmit: the bytes each command sends, its decoding, and the error per status word. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import * as card from './card.ts';
import { FuelCardError } from './errors.ts';
import { describeFuelSw, errorForSw } from './sw.ts';
import { exchange, type Transmit } from './transport.ts';

/** A transmit that expects these commands in order and answers the scripted responses. */
function scripted(script: [command: string, response: string][]): Transmit & { done: () => boolean } {
  let at = 0;
  const transmit = async (apdu: Uint8Array): Promise<Uint8Array> => {
    const step = script[at++];
    if (step === undefined) throw new Error(`unexpected command ${toHex(apdu)}`);
    expect(toHex(apdu)).toBe(step[0].replace(/\s/g, ''));
    return fromHex(step[1]);
  };
  return Object.assign(transmit, { done: () => at === script.length });
}

describe('commands', () => {
  it('selects SINOPEC by name as a dispenser does', async () => {
    const t = scripted([['00A404000C A00000000353494E4F504543', '6F009000']]);
    expect(await card.selectSinopec(t)).toEqual({ fci: '6F00' });
  });

  it('reads EF15 by SFI with Le 1E', async () => {
    const t = scripted([['00B095001E', '00'.repeat(30) + '9000']]);
    expect(await card.readBinary(t, { sfi: 0x15, length: 30 })).toHaveLength(30);
  });

  it('refuses a READ BINARY answer of the wrong length', async () => {
    const t = scripted([['00B095001E', '00'.repeat(29) + '9000']]);
    await expect(card.readBinary(t, { sfi: 0x15, length: 30 })).rejects.toMatchObject({ code: 'RESPONSE_MALFORMED' });
  });

  it('gets the ED balance in fen', async () => {
    const t = scripted([['805C000104', '000186A09000']]);
    expect(await card.getBalance(t)).toBe(100000);
  });

  it('builds INITIALIZE FOR LOAD and decodes its 16-byte answer', async () => {
    const t = scripted([['805000010B 01 00002710 000000000001 10', '00000000 0000 01 00 12345678 F3D0C374 9000']]);
    expect(await card.initializeForLoad(t, { keyIndex: 1, amountFen: 10000, terminalId: '000000000001' })).toEqual({
      balanceFen: 0,
      onlineTtc: 0,
      keyVersion: 1,
      algId: 0,
      random: '12345678',
      mac1: 'F3D0C374',
    });
  });

  it('sends CREDIT FOR LOAD with date, time and MAC2 and returns the TAC', async () => {
    const t = scripted([['805200000B 20240102 030405 ABABF9AC 04', 'F7B5493D9000']]);
    expect(await card.creditForLoad(t, { date: '2024-01-02', time: '03:04:05', mac2: 'ABABF9AC' })).toEqual({ tac: 'F7B5493D' });
  });

  it('sends DEBIT FOR UNLOCK with its 27 bytes in the order of S1, S2 and S3', async () => {
    const t = scripted([['E07E08011B 000005DC 0002 000000000001 00000002 20240102 030405 11223344 04', 'AABBCCDD9000']]);
    const f = {
      amountFen: 1500,
      offlineTtc: 2,
      terminalId: '000000000001',
      terminalTtc: 2,
      date: '2024-01-02',
      time: '03:04:05',
      gmac: '11223344',
    };
    expect(await card.debitForUnlock(t, f)).toEqual({ tac: 'AABBCCDD' });
  });

  it('reads TAC then MAC from GET TRANSACTION PROVE by default, and the other order by name', async () => {
    const t = scripted([
      ['805A000102000508', '1111111122222222 9000'],
      ['805A000102000508', '1111111122222222 9000'],
    ]);
    expect(await card.getTransactionProve(t, { transType: 1, ttc: 5 })).toEqual({ tac: '11111111', mac: '22222222' });
    expect(await card.getTransactionProve(t, { transType: 1, ttc: 5, order: 'MAC_THEN_TAC' })).toEqual({
      tac: '22222222',
      mac: '11111111',
    });
  });

  it('reads a lock proof of 6985 as never locked', async () => {
    const t = scripted([['E0CA00001E', '6985']]);
    expect(await card.getLockProof(t)).toBeNull();
  });

  it('masks nothing it sends: VERIFY carries the PIN in BCD, CHANGE PIN old FF new', async () => {
    const t = scripted([
      ['0020000002 9999', '9000'],
      ['805E010007 123456 FF 654321', '9000'],
    ]);
    await card.verifyPin(t, '9999');
    await card.changePin(t, { oldPin: '123456', newPin: '654321' });
    expect(t.done()).toBe(true);
  });
});

describe('status words', () => {
  it.each([
    ['63C2', 'PIN_WRONG', 2],
    ['63C0', 'PIN_BLOCKED', 0],
    ['6983', 'PIN_BLOCKED', 0],
    ['9401', 'INSUFFICIENT_FUNDS', undefined],
    ['9302', 'MAC_INVALID', undefined],
    ['9406', 'GREY_TTC_MISMATCH', undefined],
    ['9408', 'GREY_LOCKED', undefined],
    ['6A82', 'FILE_NOT_FOUND', undefined],
    ['6A83', 'RECORD_NOT_FOUND', undefined],
    ['6982', 'SECURITY_NOT_SATISFIED', undefined],
    ['6A81', 'APP_BLOCKED', undefined],
    ['9303', 'APP_LOCKED_PERMANENTLY', undefined],
    ['1234', 'UNKNOWN_STATUS', undefined],
  ])('answers %s with %s', async (sw, code, triesLeft) => {
    const t = scripted([['0020000003123456', sw]]);
    const error = await card.verifyPin(t, '123456').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FuelCardError);
    expect(error).toMatchObject({ code, sw: parseInt(sw, 16), command: 'VERIFY' });
    expect((error as FuelCardError).triesLeft).toBe(triesLeft);
  });

  it('describes every status word it is given', () => {
    expect(describeFuelSw(0x6110)).toBe('16 response bytes available');
    expect(describeFuelSw(0x63c1)).toBe('PIN wrong, 1 tries left');
    expect(errorForSw(0x9408, 'DEBIT_FOR_PURCHASE').message).toContain('grey');
  });
});

describe('transport', () => {
  it('follows 61xx with GET RESPONSE and joins the data', async () => {
    const t = scripted([
      ['805C000104', '6104'],
      ['00C0000004', '000000649000'],
    ]);
    expect(await card.getBalance(t)).toBe(100);
  });

  it('re-sends with the Le a 6Cxx names', async () => {
    const t = scripted([
      ['805C000100'.slice(0, 8) + '08', '6C04'],
      ['805C000104', '000000649000'],
    ]);
    const response = await exchange(t, fromHex('805C000108'), 'GET_BALANCE');
    expect(response).toEqual({ data: fromHex('00000064'), sw: 0x9000 });
  });

  it('stops a GET RESPONSE chain that never ends', async () => {
    const endless: Transmit = async () => fromHex('6101');
    await expect(card.getBalance(endless)).rejects.toMatchObject({ code: 'RESPONSE_MALFORMED' });
  });

  it('refuses a response shorter than a status word', async () => {
    const t: Transmit = async () => fromHex('90');
    await expect(card.getBalance(t)).rejects.toMatchObject({ code: 'RESPONSE_MALFORMED' });
  });
});
