import { describe, expect, it } from 'vitest';
import { toHex } from '../../bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { DEMO_NAMES_GBK, DEMO_PIN, createDemoCard, createDemoCards } from './cards.ts';
import { send } from '../card/testkit.ts';

describe('the demo cards', () => {
  const cards = createDemoCards();
  const byId = Object.fromEntries(cards.map((c) => [c.id, c]));

  it('are deterministic: two sets serialise identically', () => {
    expect(createDemoCards().map((c) => c.card.serialize())).toEqual(cards.map((c) => c.card.serialize()));
  });

  it('have distinct ASNs in the docs/card-protocol.md §5.1 format (0100, type, key version, province 32, 00, serial)', () => {
    const asns = cards.map((c) => toHex(c.asn));
    expect(new Set(asns).size).toBe(asns.length);
    expect(byId.named!.asn).toEqual(Uint8Array.from([0x01, 0x00, 0x01, 0x13, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01]));
    expect(toHex(byId.employee!.asn).slice(4, 6)).toBe('04');
    expect(toHex(byId.pumpTest!.asn).slice(4, 6)).toBe('05');
    expect(toHex(byId.maintenance!.asn).slice(4, 6)).toBe('06');
  });

  it('hold the balances of their loads, the named card 800 yuan in two loads', () => {
    expect(byId.named!.card.inspect().purse).toMatchObject({ edBalanceFen: 80_000, onlineTtc: 2 });
    expect(byId.subCard!.card.inspect().ef16[0]).toBe(2);
    expect(
      byId
        .anonymous!.card.inspect()
        .ef16.slice(2, 22)
        .every((b) => b === 0),
    ).toBe(true);
    expect(byId.pumpTest!.card.inspect().purse.edBalanceFen).toBe(100_000);
  });

  it('encode the holder names in GBK', () => {
    const gbk = new TextDecoder('gbk');
    for (const [name, bytes] of Object.entries(DEMO_NAMES_GBK)) expect(gbk.decode(bytes)).toBe(name);
    expect(gbk.decode(byId.named!.card.inspect().ef16.slice(2, 6))).toBe('张伟');
  });

  it('include a grey card with its pump record, a blocked PIN and an expired card', () => {
    expect(byId.grey!.card.inspect().grey.status).toBe(1);
    expect(byId.grey!.greyRecord).toMatchObject({ amountFen: 12_345, offlineTtc: 0 });
    expect(byId.pinBlocked!.card.inspect().pin.triesLeft).toBe(0);
    expect(toHex(byId.expired!.card.inspect().ef15.slice(24, 28))).toBe('20201231');
  });

  it('answer the documented PIN, and are unpowered when handed out', () => {
    const { card } = createDemoCard('named');
    expect(card.isPowered).toBe(false);
    card.powerOn();
    send(card, '00A404000CA00000000353494E4F504543');
    expect(DEMO_PIN).toBe('123456');
    expect(send(card, '0020000003123456').sw).toBe('9000');
  });

  it('use the public test keys of docs/card-protocol.md §4.3, labelled as such', () => {
    expect(toHex(DEMO_TEST_MASTER_KEYS.MLK)).toBe('11'.repeat(16));
    expect(toHex(DEMO_TEST_MASTER_KEYS.MPK)).toBe('22'.repeat(16));
    expect(toHex(DEMO_TEST_MASTER_KEYS.MTK)).toBe('33'.repeat(16));
  });
});
