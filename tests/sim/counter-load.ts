/**
 * Counter loads (圈存 at the outlet tablet, issue 13): a customer comes to a tablet with a card,
 * pays cash into the account the card loads from and has it loaded at once, as the clerk does it on
 * src/staff/ui (docs/ledger.md "A load, step by step"): a cash receipt into the customer's quota
 * (the operator's drawer takes the cash), for a unit's card also a pre-allocation of it to the
 * card's reserve, both through the tablet's outbox; then the card goes in, the operator opens it
 * (openCard: read, PIN, recovery of anything interrupted) and loads it (runLoad, the shared
 * runOnlineTransaction through the tablet's HttpStaffBackend, as the kiosks load).
 *
 * Its faults, from a random stream of its own (so the other streams tell the stories they told
 * before): the card pulled at CREDIT FOR LOAD, before or after the card wrote (the customer walks
 * away and comes back minutes later to a kiosk, whose recovery settles the load from the card's
 * counter; at the end the card goes back to the tablet whose journal holds it), and the tablet page
 * dying at the load's initialise; plus the network's and the schedule's faults as for any device.
 * The checks are the run's own: money conserved, every operation exactly once, the chip equal to
 * its PURSE mirror, and every drawer equal to the cash it took (the receipts here count in it).
 */
import { openCard, isStaffError } from '../../src/staff/index.ts';
import { runLoad } from '../../src/staff/load.ts';
import { chipPin } from './cards.ts';
import type { Run } from './run.ts';
import { RUN_LIMITS, short } from './run.ts';
import { SIM_CUSTOMERS } from './world.ts';
import { arriveBack, insertAtTablet, takeOutAtTablet } from './workload.ts';

const INS_CREDIT_FOR_LOAD = 0x52;

export const COUNTER_LOAD_LIMITS = {
  /** Customers loading at a tablet per seed (few: CI runs 200 seeds, and its time may grow by a tenth at most). */
  countMin: 0,
  countMax: 1,
  /** Share of the counter loads whose card is pulled at CREDIT FOR LOAD (on top of the seed's card-pull rate). */
  pullRateBase: 0.2,
  /** Of those pulls, the share that strikes after the card wrote (the card holds the load). */
  pullAfterWriteShare: 0.6,
  /** Share of the counter loads whose tablet page dies at its next request (the load's initialise). */
  pageCrashRate: 0.1,
  /** How long a customer whose card was pulled at the tablet stays away before trying a kiosk. */
  awayMsMin: 60_000,
  awayMsMax: 8 * 60_000,
} as const;

/** Schedules the seed's counter loads over the busy part of the run. */
export function scheduleCounterLoads(run: Run): void {
  const r = run.counterLoadRandom;
  for (let i = r.int(COUNTER_LOAD_LIMITS.countMin, COUNTER_LOAD_LIMITS.countMax); i > 0; i--)
    run.scheduler.after(r.int(0, RUN_LIMITS.durationMs), 'counter load', () => counterLoad(run));
}

/** One customer at the counter: cash in, (a unit's card: pre-allocated), the card loaded with it. */
async function counterLoad(run: Run): Promise<void> {
  const r = run.counterLoadRandom;
  const t = r.pick(run.tablets);
  const life = t.life;
  const cards = [...run.chips.keys()].filter((c) => !run.inReader.has(c) && !run.cardsAway.has(c));
  if (!life || life.life.dead || cards.length === 0) return;
  const id = t.device.id;
  const cardNo = r.pick(cards);
  const chip = run.chips.get(cardNo)!;
  const customer = SIM_CUSTOMERS[chip.spec.customerIndex]!;
  const customerId = run.server.ids.customerIds.get(customer.index)!;
  const cashFen = r.int(1, 300) * 100;
  const pull = run.faults && r.chance(COUNTER_LOAD_LIMITS.pullRateBase + run.cardPullRate);
  const pullWhen = r.chance(COUNTER_LOAD_LIMITS.pullAfterWriteShare) ? 'after-write' : 'before-write';
  const crash = run.faults && !pull && r.chance(COUNTER_LOAD_LIMITS.pageCrashRate);
  const awayMs = r.int(COUNTER_LOAD_LIMITS.awayMsMin, COUNTER_LOAD_LIMITS.awayMsMax);

  // The cash first: in the drawer now, whatever happens to the message; then the unit's share to the card.
  const nowMs = run.ctx.deviceNowMs(id);
  await life.outbox.enqueue('receipt.cash', { customerId, amountFen: cashFen }, nowMs);
  const operator = `sim.${id}`;
  run.cashTakenFen.set(operator, (run.cashTakenFen.get(operator) ?? 0) + cashFen);
  run.stats.receipts++;
  if (chip.spec.role !== 'single') {
    await life.outbox.enqueue('preallocation', { customerId, allocations: [{ cardNo, amountFen: cashFen }] }, nowMs);
    run.stats.preallocations++;
  }
  run.note(
    `${id} counter: ${cashFen} cash for ${customer.name}${chip.spec.role === 'single' ? '' : `, pre-allocated to ${short(cardNo)}`}`,
  );
  await life.sync.queuedChanged();
  await run.drain(id);
  if (life.life.dead) return;

  run.inReader.set(cardNo, id);
  run.touchedCards.add(cardNo);
  const session = await life.life.within(insertAtTablet(life, run, cardNo));
  if (session === 'died') {
    run.inReader.delete(cardNo);
    return run.afterDeath(id);
  }
  if (!session) {
    run.violations.push({ rule: 'tablet.stuck', detail: `${id} never saw card ${cardNo} in its reader` });
    return takeOutAtTablet(run, life, cardNo, null);
  }
  const deps = life.staff;
  let outcome: string;
  try {
    const opened = await life.life.within(openCard(deps, (apdu) => session.transmit(apdu), { pin: chipPin(chip, run.pins.get(cardNo)!) }));
    if (opened === 'died') {
      run.inReader.delete(cardNo);
      return run.afterDeath(id);
    }
    const account = opened.account;
    const source = account ? (account.role === 'single' ? account.quotaFen : account.reserveFen) : null;
    // The operator loads what the customer paid, or what the account holds if the message is still on its way.
    const amountFen = Math.min(cashFen, source ?? cashFen);
    if (amountFen < 100) {
      outcome = 'nothing to load yet';
    } else {
      run.stats.counterLoads++;
      run.note(
        `${id} counter load ${amountFen} on card ${short(cardNo)}${pull ? ` (card pulled at CREDIT ${pullWhen})` : ''}${crash ? ' (page dies at the next request)' : ''}`,
      );
      if (pull) chip.card.failNext({ when: pullWhen, ins: INS_CREDIT_FOR_LOAD });
      if (crash) life.life.crashAtNextRequest = true;
      const receipt = await life.life.within(runLoad(deps, opened, { amountFen }));
      if (receipt === 'died') {
        chip.card.cancelFault();
        run.inReader.delete(cardNo);
        return run.afterDeath(id);
      }
      outcome = `loaded, purse ${receipt.balanceFenAfter}`;
    }
  } catch (error) {
    if (!isStaffError(error)) throw error;
    outcome = `StaffError ${error.code}`;
    if (error.code === 'INTERRUPTED') run.stats.counterLoadsInterrupted++;
  }
  chip.card.cancelFault();
  life.life.crashAtNextRequest = false;
  const pulled = !life.reader.cardPresent || outcome === 'StaffError INTERRUPTED';
  run.note(`${id} card ${short(cardNo)} → ${outcome}`);
  await takeOutAtTablet(run, life, cardNo, session);
  if (pulled && pull) {
    // The customer walks away with the card; it comes back later, to a kiosk, which settles the load from its counter.
    run.cardsAway.add(cardNo);
    run.note(`${id} customer walks away with card ${short(cardNo)}; back in ${Math.round(awayMs / 1000)}s`);
    arriveBack(run, awayMs, cardNo, id);
  }
}
