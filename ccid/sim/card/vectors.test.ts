/**
 * The derived vectors of docs/card-protocol.md §4.3 replayed against the simulated
 * card: a card issued with the vector ASN and test master keys, answering with the vector's random.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { issuedState } from './issue.ts';
import { GREY_STATUS, findKey, type FuelCardState } from './state.ts';
import { send } from './testkit.ts';
import { FuelCard } from './fuel-card.ts';
import type { DpkDiversification } from '../../crypto/index.ts';

const ASN = fromHex('01000113200000123456');
const TID = '000000000001';
const DATE_TIME = '20240102030405';

function vectorCard(o: { random: string; dpk?: DpkDiversification; edit?: (s: FuelCardState) => void; verify?: boolean }): FuelCard {
  const spec = {
    masters: DEMO_TEST_MASTER_KEYS,
    asn: ASN,
    startDate: '2024-01-01',
    expiryDate: '2034-12-31',
    pin: '123456',
    dpkDiversification: o.dpk,
  };
  const state = issuedState(spec);
  o.edit?.(state);
  const card = new FuelCard(state, 1, { randomSource: () => fromHex(o.random) });
  card.powerOn();
  expect(send(card, '00A404000CA00000000353494E4F504543').sw).toBe('9000');
  if (o.verify !== false) expect(send(card, '0020000003123456').sw).toBe('9000');
  return card;
}

describe('docs/card-protocol.md §4.3 vectors against the card', () => {
  it('derives the card keys of the vector table from the test master keys', () => {
    const state = issuedState({ masters: DEMO_TEST_MASTER_KEYS, asn: ASN, startDate: '2024-01-01', expiryDate: '2034-12-31' });
    const key = (kind: Parameters<typeof findKey>[1]) => toHex(findKey(state, kind)!.key);
    expect(key('DLK')).toBe('A550C03707AA8AACF814ED37FDCA9CBF');
    expect(key('DTK')).toBe('2B7327A601CBB0FB38C5DAF78279A56A');
    expect(key('DPK')).toBe('6BF897EC96F5FF2AAE31DBA265A9B222');
    expect(key('DULK')).toBe('D1D5AD1D040E1E20C342EA70D131CA12');
    expect(key('DUGK')).toBe('D8CFA4A131364825C110D79525385852');
    expect(key('DPUK')).toBe('7862CC1B28C47E1036B75CF0B82C1DE8');
    expect(key('DRPK')).toBe('D700097FBCB45F76245451DB39C54DE6');
  });

  it('V1 load: MAC1 F3D0C374, takes MAC2 ABABF9AC, answers TAC F7B5493D', () => {
    const card = vectorCard({ random: '12345678' });
    const init = send(card, `805000010B 01 00002710 ${TID} 10`);
    expect(init.data).toBe('00000000' + '0000' + '0100' + '12345678' + 'F3D0C374');
    expect(send(card, `805200000B ${DATE_TIME} ABABF9AC 04`)).toMatchObject({ sw: '9000', data: 'F7B5493D' });
  });

  it('V2 purchase with the one-level DPK: takes MAC1 71ABD287, answers TAC 11C4689E and MAC2 1D35AC8F', () => {
    const card = vectorCard({ random: '87654321', dpk: 'ASN_ONCE', edit: (s) => (s.purse.edBalanceFen = 10_000) });
    expect(send(card, `805001010B 01 00000BB8 ${TID} 0F`).sw).toBe('9000');
    expect(send(card, `805401000F 00000001 ${DATE_TIME} 71ABD287 08`)).toMatchObject({ sw: '9000', data: '11C4689E1D35AC8F' });
  });

  it('V3 grey lock: takes the PSAM MAC1 496FF950 made with TRAN 11223344', () => {
    const card = vectorCard({ random: 'AABBCCDD', edit: (s) => (s.purse.offlineTtc = 1) });
    expect(send(card, `E07A080107 01 ${TID} 0F`).sw).toBe('9000');
    expect(send(card, `E07C080013 00000002 11223344 ${DATE_TIME} 496FF950 08`).sw).toBe('9000');
    expect(card.inspect().grey.status).toBe(GREY_STATUS.LOCKED);
  });

  it('V4 online unlock: MAC1 09CE234C, takes MAC2 4ACBF6E1', () => {
    const card = vectorCard({
      random: '0F1E2D3C',
      edit: (s) => {
        Object.assign(s.purse, { edBalanceFen: 0x1b58, offlineTtc: 2, onlineTtc: 1 });
        Object.assign(s.grey, { status: GREY_STATUS.LOCKED, everLocked: true, purseType: 1, offlineTtc: 2 });
      },
    });
    expect(send(card, `E07A090107 01 ${TID} 12`).data).toBe('00001B58' + '0002' + '0001' + '0100' + '0F1E2D3C' + '09CE234C');
    expect(send(card, `E07E09000F 00000000 ${DATE_TIME} 4ACBF6E1 04`).sw).toBe('9000');
    expect(card.inspect().grey.status).toBe(GREY_STATUS.NORMAL);
  });

  it('V5 PIN UNBLOCK with challenge A1B2C3D4 sets PIN 123456', () => {
    const card = vectorCard({ random: 'A1B2C3D4', edit: (s) => (s.pin = { ...s.pin, bcd: fromHex('9999'), triesLeft: 0 }), verify: false });
    expect(send(card, '0084000004').data).toBe('A1B2C3D4');
    expect(send(card, '842400010C 8CF5B9D376E8D4F1 80DC9240').sw).toBe('9000');
    expect(card.inspect().pin).toMatchObject({ bcd: fromHex('123456'), triesLeft: 3 });
  });

  it('V6 RELOAD PIN 123456 with MAC AAE5D5E8', () => {
    const card = vectorCard({ random: '00000000', edit: (s) => (s.pin = { ...s.pin, bcd: fromHex('9999'), triesLeft: 0 }), verify: false });
    expect(send(card, '805E000007 123456 AAE5D5E8').sw).toBe('9000');
    expect(send(card, '0020000003 123456').sw).toBe('9000');
  });
});
