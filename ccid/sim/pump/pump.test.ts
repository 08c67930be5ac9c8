import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { createDemoCard } from '../demo/cards.ts';
import { send } from '../card/testkit.ts';
import { DEMO_PSAM_TERMINAL_ID, SimulatedPsam } from './psam.ts';
import { Pump } from './pump.ts';

const CLOCK = { date: fromHex('20240701'), time: fromHex('120000') };
const newPump = () => new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });

describe('the pump harness', () => {
  it('reads the key index and terminal id from the PSAM, and journals purchases with rising PSAM TTCs', () => {
    const pump = newPump();
    expect(toHex(pump.terminalId)).toBe(toHex(DEMO_PSAM_TERMINAL_ID));
    const { card, pin } = createDemoCard('named');
    const session = pump.insert(card, pin);
    expect(session).toMatchObject({ greyStatus: 0, lockProof: null, balanceFen: 80_000 });
    const first = pump.purchase(session, { amountFen: 1_000, ...CLOCK });
    const second = pump.purchase(session, { amountFen: 2_000, ...CLOCK });
    expect([first.psamTtc, second.psamTtc, first.offlineTtc, second.offlineTtc]).toEqual([1, 2, 0, 1]);
    expect(second.balanceFenAfter).toBe(77_000);
    expect(send(card, '00B201C417').data.slice(0, 4)).toBe('0001');
  });

  it('makes a grey card when the card is pulled after the lock, and the PSAM gives the GMAC again by TTC (E0 46)', () => {
    const pump = newPump();
    const { card, pin } = createDemoCard('anonymous');
    const lock = pump.greyLock(pump.insert(card, pin), CLOCK);
    card.powerOff();
    const ready = pump.prepareUnlock(lock, 999);
    const again = send(pump.psam, `E046000004${toHex(fromHex('00000000').map((_, i) => (i === 3 ? lock.psamTtc : 0)))}08`);
    expect(again.data.slice(0, 8)).toBe(toHex(ready.gmac!));
    const session = pump.insert(card, pin);
    expect(session.greyStatus).toBe(1);
    pump.recoverGrey(session, ready);
    expect(card.inspect().purse.edBalanceFen).toBe(10_000 - 999);
  });

  it('finishes a debit whose TAC was never read (flag 10) from the lock proof alone', () => {
    const pump = newPump();
    const { card, pin } = createDemoCard('anonymous');
    const ready = pump.prepareUnlock(pump.greyLock(pump.insert(card, pin), CLOCK), 500);
    // Power goes at CLEAR TACUF (the second E0 CA after insertion's GET LOCK PROOF), after the debit.
    card.failNext({ when: 'before-write', ins: 0xca, skip: 1 });
    expect(() => pump.debitForUnlock(pump.insert(card, pin), ready)).toThrow();
    const session = pump.insert(card, pin);
    expect(session.greyStatus).toBe(0x10);
    expect(toHex(pump.recoverGrey(session, ready))).toBe(toHex(session.lockProof!.slice(26, 30)));
    expect(card.inspect().grey.status).toBe(0);
    expect(card.inspect().purse.edBalanceFen).toBe(9_500);
  });
});
