import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, u32be } from '../../bytes.ts';
import { deriveDpk, purchaseMac1, purchaseMac2, purchaseSessionKey } from '../../crypto/index.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { send } from '../card/testkit.ts';
import { DEMO_PSAM_TERMINAL_ID, SimulatedPsam } from './psam.ts';

const ASN8 = fromHex('0113200000123456');
const ISSUER = fromHex('10FFFFFFFFFFFFFF');

function psam() {
  const p = new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID });
  p.powerOn();
  return p;
}

describe('the simulated PSAM', () => {
  it('gives the terminal id in the PSE FCI and by READ BINARY SFI 16, and the key index in SINOPEC1', () => {
    const p = psam();
    const pse = send(p, '00A404000E315041592E5359532E4444463031');
    expect(pse.sw).toBe('9000');
    expect(pse.data.endsWith(toHex(DEMO_PSAM_TERMINAL_ID))).toBe(true);
    expect(pse.data).toContain('9F0C14');
    expect(send(p, '00B0960006').data).toBe(toHex(DEMO_PSAM_TERMINAL_ID));
    const app = send(p, '00A404000DA00000000353494E4F50454331');
    expect(app.data).toContain('9F0C1901' + toHex(ISSUER));
    expect(send(p, '00A404000DA00000000353494E4F50454333').sw).toBe('6A82');
  });

  it('makes the purchase MAC1 from the two-level DPK and checks the card MAC2 once', () => {
    const p = psam();
    expect(send(p, '807000002400').sw).toBe('6700');
    send(p, '00A404000DA00000000353494E4F50454331');
    const random = fromHex('87654321');
    const data = concatBytes(
      random,
      fromHex('0000'),
      u32be(3_000),
      fromHex('05'),
      fromHex('20240102'),
      fromHex('030405'),
      fromHex('0100'),
      ASN8,
      ISSUER,
    );
    const r = send(p, concatBytes(fromHex('8070000024'), data, fromHex('08')));
    expect(r.sw).toBe('9000');
    expect(r.data.slice(0, 8)).toBe('00000001');
    const dpk = deriveDpk({ mpk: DEMO_TEST_MASTER_KEYS.MPK, asn8: ASN8, issuerId: ISSUER });
    const sessionKey = purchaseSessionKey({ dpk, random, offlineTtc: 0, terminalTtc: 1 });
    const mac1 = purchaseMac1({
      sessionKey,
      amountFen: 3_000,
      transType: 5,
      terminalId: DEMO_PSAM_TERMINAL_ID,
      date: fromHex('20240102'),
      time: fromHex('030405'),
    });
    expect(r.data.slice(8)).toBe(toHex(mac1));
    expect(send(p, concatBytes(fromHex('8072000004'), purchaseMac2({ sessionKey, amountFen: 3_000 }))).sw).toBe('9000');
    expect(send(p, '807200000401020304').sw).toBe('6985');
    expect(p.nextTtc).toBe(2);
  });

  it('refuses a wrong MAC2, grey commands out of order, and unknown commands', () => {
    const p = psam();
    send(p, '00A404000DA00000000353494E4F50454331');
    expect(send(p, 'E04200000401020304').sw).toBe('6985');
    expect(send(p, concatBytes(fromHex('E04400000F93'), ASN8, fromHex('0000'), u32be(1))).sw).toBe('6985');
    expect(send(p, 'E04600000400000001').sw).toBe('9406');
    expect(send(p, '80FF000000').sw).toBe('6D00');
    expect(send(p, 'A0A4040000').sw).toBe('6E00');
  });
});
