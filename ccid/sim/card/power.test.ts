/**
 * Power loss at every command of a load, an unload and a grey unlock (at the pump and online),
 * before and after the card's write: the card is always in the state before or the state after
 * the transaction, never between, and recovery by the counter and GET TRANSACTION PROVE tells
 * which, every time (docs/ledger.md "A load, step by step").
 */
import { describe, expect, it } from 'vitest';
import { fromHex, readU16be, toHex } from '../../bytes.ts';
import {
  TRANS_TYPE,
  asnFactor,
  diversify,
  loadTac,
  onlineUnlockMac3,
  unlockDebitTac,
  unloadMac2,
  unloadMac3,
  unloadSessionKey,
} from '../../crypto/index.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { createDemoCard } from '../demo/cards.ts';
import { pinToBcd } from './files.ts';
import * as C from '../../fuelcard/commands.ts';
import { exchange, issuerLoad, issuerOnlineUnlock, openApplication } from './issuer.ts';
import type { FuelCardState } from './state.ts';
import { send } from './testkit.ts';
import { SIM_CARD_ERROR, SimCardError, type FuelCard, type PowerLossPoint } from './fuel-card.ts';
import { DEMO_PSAM_TERMINAL_ID, SimulatedPsam } from '../pump/psam.ts';
import { Pump, type GreyRecord } from '../pump/pump.ts';

const TID = fromHex('000000000042');
const STAMP = { terminalId: TID, date: fromHex('20240601'), time: fromHex('101112') };
const POINTS: PowerLossPoint[] = ['before-write', 'after-write'];
const dtkOf = (asn: Uint8Array) => diversify(DEMO_TEST_MASTER_KEYS.MTK, asnFactor(asn));

/** The persistent state without the session-dependent MACs, to compare outcomes. */
function project(state: FuelCardState) {
  const strip = (p: FuelCardState['proofs']['online']) => (p === null ? null : { ...p, mac: null });
  return { ...state, proofs: { online: strip(state.proofs.online), offline: strip(state.proofs.offline) } };
}

/** Runs `flow`, counting its commands; with a fault armed, expects the power loss. */
function runFlow(card: FuelCard, flow: () => void): { commands: number; lost: boolean } {
  const before = card.commandCount;
  try {
    flow();
    return { commands: card.commandCount - before, lost: false };
  } catch (error) {
    if (!(error instanceof SimCardError) || error.code !== SIM_CARD_ERROR.POWER_LOST) throw error;
    expect(card.isPowered).toBe(false);
    return { commands: card.commandCount - before, lost: true };
  }
}

/** Reads the online counter the way a kiosk does at the next contact: INITIALIZE FOR LOAD, not completed. */
function onlineCounter(card: FuelCard, pin: string): number {
  card.powerOn();
  openApplication(card, pinToBcd(pin));
  const init = exchange(card, 'INITIALIZE FOR LOAD', C.initializeForLoad({ keyIndex: 1, amountFen: 0, terminalId: toHex(TID) }));
  return readU16be(init, 4);
}

function prove(card: FuelCard, transType: number, ttc: number) {
  return send(card, C.getTransactionProve({ transType, ttc }));
}

/** Sweeps a fault over every command of a flow; `check` judges each outcome. */
function sweep(
  make: () => { card: FuelCard; flow: () => void },
  check: (card: FuelCard, index: number, point: PowerLossPoint) => void,
): number {
  const { card: probe, flow: probeFlow } = make();
  const { commands } = runFlow(probe, probeFlow);
  for (let index = 0; index < commands; index++) {
    for (const point of POINTS) {
      const { card, flow } = make();
      card.failNext({ when: point, skip: index });
      expect(runFlow(card, flow).lost).toBe(true);
      check(card, index, point);
    }
  }
  return commands;
}

describe('power loss during a load', () => {
  it('leaves the load whole or absent at every command, and the counter and GET TRANSACTION PROVE say which', () => {
    const amountFen = 5_000;
    const outcomes = { happened: 0, absent: 0 };
    const make = () => {
      const demo = createDemoCard('named');
      const before = demo.card.inspect();
      return {
        ...demo,
        before,
        flow: () => {
          demo.card.powerOn();
          const asn = openApplication(demo.card, pinToBcd(demo.pin));
          issuerLoad(demo.card, asn, { masters: DEMO_TEST_MASTER_KEYS, amountFen, ...STAMP });
        },
      };
    };
    const { card: full, flow, before } = make();
    flow();
    const after = project(full.inspect());
    const n = before.purse.onlineTtc;
    const commands = sweep(make, (card, index, point) => {
      const state = project(card.inspect());
      const happened = state.purse.onlineTtc === n + 1;
      expect(state).toEqual(happened ? after : project(before));
      expect(onlineCounter(card, '123456')).toBe(happened ? n + 1 : n);
      const proof = prove(card, TRANS_TYPE.LOAD_ED, n);
      if (happened) {
        const tac = loadTac({
          dtk: dtkOf(card.inspect().ef15.slice(10, 20)),
          balanceFenAfter: before.purse.edBalanceFen + amountFen,
          onlineTtc: n,
          amountFen,
          transType: TRANS_TYPE.LOAD_ED,
          ...STAMP,
        });
        expect(proof.data.slice(0, 8)).toBe(toHex(tac));
        outcomes.happened++;
      } else {
        expect(proof.sw).toBe('9406');
        expect(card.inspect().purse.edBalanceFen).toBe(before.purse.edBalanceFen);
        outcomes.absent++;
      }
      // Only a loss after CREDIT FOR LOAD's write leaves the load done.
      expect(happened).toBe(index === 4 && point === 'after-write');
    });
    expect(commands).toBe(5); // SELECT, READ EF15, VERIFY, INITIALIZE FOR LOAD, CREDIT FOR LOAD
    expect(outcomes).toEqual({ happened: 1, absent: 9 });
  });
});

describe('power loss during an unload', () => {
  it('leaves the unload whole or absent at every command, and recovery tells which', () => {
    const amountFen = 7_000;
    const make = () => {
      const demo = createDemoCard('named');
      return {
        ...demo,
        flow: () => {
          demo.card.powerOn();
          const asn = openApplication(demo.card, pinToBcd(demo.pin));
          const init = exchange(
            demo.card,
            'INITIALIZE FOR UNLOAD',
            C.initializeForUnload({ keyIndex: 1, amountFen, terminalId: toHex(TID) }),
          );
          const sessionKey = unloadSessionKey(diversify(DEMO_TEST_MASTER_KEYS.MULK, asnFactor(asn)), init.slice(8, 12), readU16be(init, 4));
          const mac2 = unloadMac2({ sessionKey, amountFen, ...STAMP });
          exchange(
            demo.card,
            'DEBIT FOR UNLOAD',
            C.debitForUnload({ date: toHex(STAMP.date), time: toHex(STAMP.time), mac2: toHex(mac2) }),
          );
        },
      };
    };
    const before = createDemoCard('named').card.inspect();
    const n = before.purse.onlineTtc;
    let happenedCount = 0;
    sweep(make, (card, index, point) => {
      const happened = onlineCounter(card, '123456') === n + 1;
      const balance = card.inspect().purse.edBalanceFen;
      expect(balance).toBe(before.purse.edBalanceFen - (happened ? amountFen : 0));
      const proof = prove(card, TRANS_TYPE.UNLOAD, n);
      if (happened) {
        const mac3 = unloadMac3({
          dtk: dtkOf(card.inspect().ef15.slice(10, 20)),
          balanceFenAfter: balance,
          onlineTtc: n,
          amountFen,
          ...STAMP,
        });
        expect(proof.data.slice(0, 8)).toBe(toHex(mac3));
        expect(card.inspect().log[0]![9]).toBe(TRANS_TYPE.UNLOAD);
        happenedCount++;
      } else {
        expect(proof.sw).toBe('9406');
        expect(card.inspect().log).toEqual(before.log);
      }
      expect(happened).toBe(index === 4 && point === 'after-write');
    });
    expect(happenedCount).toBe(1);
  });
});

describe('power loss during a grey unlock at a pump (DEBIT FOR UNLOCK, CLEAR TACUF)', () => {
  it('debits exactly once: the lock proof flag and GET TRANSACTION PROVE tell the pump what happened', () => {
    const amountFen = 3_210;
    const DATE = fromHex('20240601');
    const TIME = fromHex('090000');
    const make = () => {
      const demo = createDemoCard('named');
      const pump = new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });
      const record: GreyRecord = pump.prepareUnlock(pump.greyLock(pump.insert(demo.card, demo.pin), { date: DATE, time: TIME }), amountFen);
      demo.card.powerOff();
      return { ...demo, pump, record, flow: () => void pump.recoverGrey(pump.insert(demo.card, demo.pin), record) };
    };
    const before = make().card.inspect();
    const ctc = before.purse.offlineTtc;
    const outcomes: string[] = [];
    sweep(make, (card, index, point) => {
      const pump = new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });
      const { record } = make();
      const session = pump.insert(card, '123456');
      const expectedTac = unlockDebitTac({
        dtk: dtkOf(session.asn),
        amountFen,
        terminalTtc: record.psamTtc,
        terminalId: DEMO_PSAM_TERMINAL_ID,
        date: DATE,
        time: TIME,
      });
      const state = card.inspect();
      outcomes.push(`${index}/${point}:${session.greyStatus}`);
      if (session.greyStatus === 0x01) {
        expect(state.purse).toMatchObject({ edBalanceFen: before.purse.edBalanceFen, offlineTtc: ctc });
        expect(prove(card, TRANS_TYPE.UNLOCK_DEBIT, ctc).sw).toBe('9406');
      } else {
        expect(state.purse).toMatchObject({ edBalanceFen: before.purse.edBalanceFen - amountFen, offlineTtc: ctc + 1 });
        expect(prove(card, TRANS_TYPE.UNLOCK_DEBIT, ctc).data.slice(0, 8)).toBe(toHex(expectedTac));
      }
      // Recovery finishes the job from whatever state the card is in: one debit in all.
      const tac = session.greyStatus === 0x00 ? expectedTac : pump.recoverGrey(session, record);
      expect(toHex(tac)).toBe(toHex(expectedTac));
      expect(card.inspect().purse.edBalanceFen).toBe(before.purse.edBalanceFen - amountFen);
      expect(card.inspect().grey.status).toBe(0);
    });
    // 9 insertion commands (LOYALTY, SINOPEC, 4 files, VERIFY, LOCK PROOF, BALANCE), DEBIT FOR UNLOCK, CLEAR TACUF.
    expect(outcomes).toHaveLength(22);
    expect(outcomes).toContain('9/after-write:16');
    expect(outcomes).toContain('10/before-write:16');
    expect(outcomes).toContain('10/after-write:0');
    expect(outcomes.filter((o) => o.endsWith(':1'))).toHaveLength(19);
  });
});

describe('power loss during an online grey unlock (type 95)', () => {
  it('unlocks and debits whole or not at all, and the online counter and proof say which', () => {
    const amountFen = 800;
    const make = () => {
      const demo = createDemoCard('grey');
      return {
        ...demo,
        flow: () => {
          demo.card.powerOn();
          const asn = openApplication(demo.card, pinToBcd(demo.pin));
          issuerOnlineUnlock(demo.card, asn, { masters: DEMO_TEST_MASTER_KEYS, amountFen, ...STAMP });
        },
      };
    };
    const before = make().card.inspect();
    const n = before.purse.onlineTtc;
    sweep(make, (card, index, point) => {
      const state = card.inspect();
      const happened = state.purse.onlineTtc === n + 1;
      expect(state.grey.status).toBe(happened ? 0x00 : 0x01);
      expect(state.purse.edBalanceFen).toBe(before.purse.edBalanceFen - (happened ? amountFen : 0));
      card.powerOn();
      openApplication(card, pinToBcd('123456'));
      const proof = prove(card, TRANS_TYPE.ONLINE_UNLOCK, n);
      if (happened) {
        const mac3 = onlineUnlockMac3({
          dtk: dtkOf(state.ef15.slice(10, 20)),
          balanceFenAfter: state.purse.edBalanceFen,
          onlineTtc: n,
          amountFen,
          ...STAMP,
        });
        expect(proof.data.slice(0, 8)).toBe(toHex(mac3));
      } else {
        expect(proof.sw).toBe('9406');
      }
      expect(happened).toBe(index === 4 && point === 'after-write');
    });
  });
});

describe('power loss on commands that do not write', () => {
  it('loses the answer and the session, and the next INITIALIZE starts afresh', () => {
    const { card, pin } = createDemoCard('named');
    card.powerOn();
    openApplication(card, pinToBcd(pin));
    card.failNext({ when: 'after-write', ins: 0x5c });
    send(card, '0084000004');
    expect(() => send(card, '805C000104')).toThrowError(expect.objectContaining({ code: SIM_CARD_ERROR.POWER_LOST, wrote: false }));
    expect(() => send(card, '805C000104')).toThrowError(expect.objectContaining({ code: SIM_CARD_ERROR.NOT_POWERED }));
    card.powerOn();
    expect(send(card, '805C000104').sw).toBe('6985'); // nothing selected after the reset
  });
});

describe('power loss at random points of random sessions (model-based)', () => {
  it('keeps the balance equal to what the counters say happened, through any mix of losses and recoveries', async () => {
    const fc = (await import('fast-check')).default;
    type Op = { kind: 'load' | 'unload' | 'purchase' | 'fuel'; amountFen: number; fault: { when: PowerLossPoint; skip: number } | null };
    const op = fc.record({
      kind: fc.constantFrom('load', 'unload', 'purchase', 'fuel'),
      amountFen: fc.integer({ min: 1, max: 1_000 }),
      fault: fc.option(
        fc.record({ when: fc.constantFrom<PowerLossPoint>('before-write', 'after-write'), skip: fc.integer({ min: 0, max: 14 }) }),
        { nil: null },
      ),
    }) as unknown as import('fast-check').Arbitrary<Op>;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 6 }), (ops) => {
        const { card, pin, asn } = createDemoCard('named');
        const pump = new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });
        let modelFen = card.inspect().purse.edBalanceFen;
        for (const o of ops) {
          const before = card.inspect().purse;
          if (o.fault !== null) card.failNext(o.fault);
          const clock = { date: fromHex('20240601'), time: fromHex('101112') };
          runFlow(card, () => {
            if (o.kind === 'fuel') {
              const record = pump.prepareUnlock(pump.greyLock(pump.insert(card, pin), clock), o.amountFen);
              pump.debitForUnlock(pump.insert(card, pin), record);
              return;
            }
            if (o.kind === 'purchase') return void pump.purchase(pump.insert(card, pin), { amountFen: o.amountFen, ...clock });
            card.powerOn();
            openApplication(card, pinToBcd(pin));
            if (o.kind === 'load') return void issuerLoad(card, asn, { masters: DEMO_TEST_MASTER_KEYS, amountFen: o.amountFen, ...STAMP });
            const init = exchange(
              card,
              'INITIALIZE FOR UNLOAD',
              C.initializeForUnload({ keyIndex: 1, amountFen: o.amountFen, terminalId: toHex(TID) }),
            );
            const sessionKey = unloadSessionKey(
              diversify(DEMO_TEST_MASTER_KEYS.MULK, asnFactor(asn)),
              init.slice(8, 12),
              readU16be(init, 4),
            );
            exchange(
              card,
              'DEBIT FOR UNLOAD',
              C.debitForUnload({
                date: toHex(STAMP.date),
                time: toHex(STAMP.time),
                mac2: toHex(unloadMac2({ sessionKey, amountFen: o.amountFen, ...STAMP })),
              }),
            );
          });
          card.cancelFault();
          // Recovery at the next contact: finish a grey card from the pump's journal, then judge by the counters.
          const session = pump.insert(card, pin);
          if (session.greyStatus !== 0) pump.recoverGrey(session);
          const after = card.inspect().purse;
          const onlineAdvanced = after.onlineTtc - before.onlineTtc;
          const offlineAdvanced = after.offlineTtc - before.offlineTtc;
          expect(onlineAdvanced + offlineAdvanced).toBeLessThanOrEqual(1);
          if (o.kind === 'load') modelFen += onlineAdvanced * o.amountFen;
          if (o.kind === 'unload') modelFen -= onlineAdvanced * o.amountFen;
          if (o.kind === 'purchase') modelFen -= offlineAdvanced * o.amountFen;
          // A fuelling that reached GREY LOCK ends in exactly one debit: the amount fuelled, or 0
          // when the lock's answer was lost and no fuel was authorised.
          const journaled = pump.journal.findLast((r) => r.offlineTtc === before.offlineTtc);
          if (o.kind === 'fuel') modelFen -= offlineAdvanced * (journaled?.amountFen ?? 0);
          expect(after.edBalanceFen).toBe(modelFen);
          expect(card.inspect().grey.status).toBe(0);
          card.powerOff();
        }
      }),
      { numRuns: 40 },
    );
  });
});
