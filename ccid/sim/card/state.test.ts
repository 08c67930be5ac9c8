import { describe, expect, it } from 'vitest';
import { createDemoCard, createDemoCards } from '../demo/cards.ts';
import { FuelCardStateError, STATE_ERROR, STATE_FORMAT } from './state.ts';
import { send } from './testkit.ts';
import { FuelCard } from './fuel-card.ts';

const roundTrip = (card: FuelCard): FuelCard => FuelCard.restore(JSON.parse(JSON.stringify(card.serialize())));

describe('serialising a card', () => {
  it('round-trips every demo card through JSON text with the same state', () => {
    for (const { card } of createDemoCards()) {
      const copy = roundTrip(card);
      expect(copy.inspect()).toEqual(card.inspect());
      expect(copy.serialize()).toEqual(card.serialize());
    }
  });

  it('restores a card that behaves the same, randoms included (a demo card survives a page reload)', () => {
    const { card } = createDemoCard('grey');
    const copy = roundTrip(card);
    for (const c of [card, copy]) c.powerOn();
    for (const apdu of ['00A404000CA00000000353494E4F504543', '0020000003123456', 'E0CA00001E', '805C000104', '0084000008']) {
      expect(send(copy, apdu)).toEqual(send(card, apdu));
    }
  });

  it('keeps no volatile state: a restored card starts unpowered with nothing selected', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    send(card, '00A404000CA00000000353494E4F504543');
    const copy = roundTrip(card);
    expect(copy.isPowered).toBe(false);
    copy.powerOn();
    expect(send(copy, '805C000204').sw).toBe('6985');
  });
});

describe('refusing a corrupted state', () => {
  const good = () => JSON.parse(JSON.stringify(createDemoCard('named').card.serialize()));
  const refuse = (mutate: (s: ReturnType<typeof good>) => void, code: string, path?: string) => {
    const s = good();
    mutate(s);
    let caught: unknown;
    try {
      FuelCard.restore(s);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FuelCardStateError);
    expect((caught as FuelCardStateError).code).toBe(code);
    if (path !== undefined) expect((caught as FuelCardStateError).path).toBe(path);
  };

  it('refuses what is not an object, and an unknown format', () => {
    for (const value of [null, 42, 'card', []]) expect(() => FuelCard.restore(value)).toThrow(FuelCardStateError);
    refuse((s) => (s.format = 'fuelcard-sim-user-card/0'), STATE_ERROR.FORMAT_UNKNOWN);
    expect(good().format).toBe(STATE_FORMAT);
  });

  it('refuses a balance above the purse limit, a negative or fractional counter, and a missing field', () => {
    refuse((s) => (s.state.purse.edBalanceFen = s.state.purse.balanceMaxFen + 1), STATE_ERROR.FIELD_INVALID, '$.state.purse.edBalanceFen');
    refuse((s) => (s.state.purse.onlineTtc = -1), STATE_ERROR.FIELD_INVALID, '$.state.purse.onlineTtc');
    refuse((s) => (s.state.purse.offlineTtc = 1.5), STATE_ERROR.FIELD_INVALID);
    refuse((s) => delete s.state.pin, STATE_ERROR.NOT_AN_OBJECT, '$.state.pin');
  });

  it('refuses files of the wrong size, bad hex, an unknown key kind, more tries left than allowed, a bad grey flag', () => {
    refuse((s) => (s.state.ef15 = s.state.ef15.slice(2)), STATE_ERROR.FIELD_INVALID, '$.state.ef15');
    refuse((s) => (s.state.ef16 = 'zz'.repeat(41)), STATE_ERROR.FIELD_INVALID);
    refuse((s) => (s.state.keys[0].kind = 'DXXK'), STATE_ERROR.FIELD_INVALID, '$.state.keys[0].kind');
    refuse((s) => (s.state.pin.triesLeft = 4), STATE_ERROR.FIELD_INVALID, '$.state.pin.triesLeft');
    refuse((s) => (s.state.grey.status = 2), STATE_ERROR.FIELD_INVALID, '$.state.grey.status');
    refuse((s) => (s.state.log = Array(11).fill(s.state.log[0])), STATE_ERROR.FIELD_INVALID, '$.state.log');
    refuse((s) => (s.state.log[0] = '00'), STATE_ERROR.FIELD_INVALID, '$.state.log[0]');
    refuse((s) => (s.rng = 'seed'), STATE_ERROR.FIELD_INVALID, '$.rng');
  });

  it('refuses fields that disagree: a grey flag never locked, duplicate keys, a proof ahead of its counter', () => {
    refuse((s) => (s.state.grey.status = 1), STATE_ERROR.FIELD_INVALID, '$.state.grey');
    refuse((s) => s.state.keys.push(s.state.keys[0]), STATE_ERROR.FIELD_INVALID, '$.state.keys');
    refuse((s) => (s.state.proofs.online.ttc = 9), STATE_ERROR.FIELD_INVALID, '$.state.proofs.online.ttc');
  });
});
