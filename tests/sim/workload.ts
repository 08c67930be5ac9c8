/**
 * What happens during a run: customers visiting kiosks (insert the card, PIN, then load, change the
 * PIN, look at the history, or walk away), outlet operators at tablets (cash receipts,
 * pre-allocations to sub cards, inquiries, unloads of a card's purse back to the account), and the
 * faults of the seed's profile: cards pulled at a chosen command, pages reloaded or crashed
 * mid-request, long offline periods, server restarts, and faults that strike the moment a card
 * writes a load (the kiosk's link drops, or the card is pulled and comes back much later), which
 * leave a load the card applied pending on the server for minutes. Each customer gesture is its own event, so other devices' work interleaves between them.
 */
import { openCard, runUnload, isStaffError, type Destination } from '../../src/staff/index.ts';
import type { CardSession } from '../../ccid/usb/index.ts';
import { chipBalanceFen, chipPin, type ChipTransaction } from './cards.ts';
import { settleReader, settleScreen, type KioskLife, type TabletLife } from './devices.ts';
import type { Kiosk, Run, Tablet } from './run.ts';
import { RUN_LIMITS, screenName, short } from './run.ts';
import { SIM_CUSTOMERS } from './world.ts';

const WRONG_PIN = '000000';
/** INS bytes a card may be pulled at: INITIALIZE, CREDIT FOR LOAD (the one that matters most), GET BALANCE, READ RECORD, CHANGE PIN. */
const PULL_POINTS = [0x50, 0x52, 0x52, 0x52, 0x52, 0x52, 0x5c, 0xb2, 0x5e] as const;
const INS_CREDIT_FOR_LOAD = 0x52;
const INS_DEBIT_FOR_UNLOAD = 0x54;

export const UNLOAD_LIMITS = {
  /** Unloads start after this share of the run, when cards have money to give back. */
  startShare: 0.25,
  /** Share of the unloads whose card is pulled at DEBIT FOR UNLOAD (on top of the seed's card-pull rate). */
  pullRateBase: 0.2,
  /** Of those pulls, the share that strikes after the card wrote (the card holds the unload). */
  pullAfterWriteShare: 0.7,
  /** Share of the unloads whose tablet page dies at its next request (the unload initialise). */
  pageCrashRate: 0.1,
  /** How long a customer whose card was pulled at the tablet stays away before trying a kiosk. */
  awayMsMin: 60_000,
  awayMsMax: 8 * 60_000,
} as const;

export const AFTER_WRITE_LIMITS = {
  /**
   * Each seed hits between this share and all of its loads (swarm: the seed draws its rate). Not
   * lower: a seed reaches CREDIT FOR LOAD only once or twice (network faults and refusals stop the
   * rest first), and a planted void-on-timer must show within a few seeds.
   */
  faultRateMin: 0.25,
  /** Of the loads hit, the share that loses the kiosk's link (the rest: the card is pulled). */
  linkDropShare: 0.5,
  /**
   * A kiosk's link down for minutes right after a card wrote (a router rebooting, a cable kicked):
   * the load stays pending on the server all that time, far past a minute, which is what a sweeper
   * voiding "stale" loads (the void-on-timer bug) would act on.
   */
  linkDownMsMin: 2 * 60_000,
  linkDownMsMax: 10 * 60_000,
  /** How long a customer whose card was pulled as it wrote stays away before trying another kiosk. */
  awayMsMin: 3 * 60_000,
  awayMsMax: 10 * 60_000,
  /** Of link drops, the share where the kiosk's watchdog also reloads the page while the link is down. */
  reloadDuringLinkDownRate: 0.5,
} as const;

/** A fault armed for one load, striking when the chip commits its CREDIT FOR LOAD (cardCommitted). */
export type AfterWriteFault =
  | { kind: 'link-drop'; kioskId: string; lengthMs: number; reloadAfterMs: number | null }
  | { kind: 'walk-away'; kioskId: string; awayMs: number };

type Returning = { cardNo: string; fromKioskId: string };

function thinkMs(run: Run): number {
  return run.random.int(2_000, 40_000);
}

function endVisit(run: Run, k: Kiosk, cardNo: string): void {
  run.inReader.delete(cardNo);
  k.busy = false;
}

async function removeCard(run: Run, k: Kiosk, cardNo: string): Promise<void> {
  const life = k.life;
  if (life && !life.life.dead) {
    life.control.removeCard();
    if (!(await settleScreen(life, (s) => s.name === 'start')))
      run.violations.push({ rule: 'kiosk.stuck', detail: `${k.device.id} did not return to the start screen` });
  }
  run.note(`${k.device.id} card ${short(cardNo)} taken out`);
  endVisit(run, k, cardNo);
}

/** A customer comes to a free kiosk with a card; a `returning` one brings back its card, to another kiosk. */
function arrive(run: Run, attempt: number, returning: Returning | null = null): void {
  run.scheduler.after(attempt === 0 ? 0 : 20_000, 'arrive', async () => {
    const free = run.kiosks.filter((k) => !k.busy && k.life && !k.life.life.dead && k.device.id !== returning?.fromKioskId);
    const cards = returning
      ? [returning.cardNo].filter((c) => !run.inReader.has(c))
      : [...run.chips.keys()].filter((c) => !run.inReader.has(c) && !run.cardsAway.has(c));
    if (free.length === 0 || cards.length === 0) {
      if (attempt < 3) return arrive(run, attempt + 1, returning);
      // A returning customer who finds no kiosk gives up; the card may still come by as anyone's.
      if (returning) run.cardsAway.delete(returning.cardNo);
      return;
    }
    const k = run.random.pick(free);
    const cardNo = run.random.pick(cards);
    run.cardsAway.delete(cardNo);
    const life = k.life!;
    k.busy = true;
    run.inReader.set(cardNo, k.device.id);
    run.touchedCards.add(cardNo);
    life.control.insertCard(run.chips.get(cardNo)!.card);
    if (!(await settleScreen(life, (s) => s.name === 'pin' || s.name === 'refused' || s.name === 'home'))) {
      run.violations.push({ rule: 'kiosk.stuck', detail: `${k.device.id} never showed the PIN screen` });
    }
    run.note(`${k.device.id} card ${short(cardNo)} in → ${screenName(life)}`);
    if (life.controller.current.name !== 'pin')
      return void run.scheduler.after(thinkMs(run), `visit ${k.device.id} out`, () => removeCard(run, k, cardNo));
    run.scheduler.after(thinkMs(run), `visit ${k.device.id} pin`, () => enterPin(run, k, cardNo));
  });
}

async function enterPin(run: Run, k: Kiosk, cardNo: string): Promise<void> {
  const life = k.life!;
  const chip = run.chips.get(cardNo)!;
  if (run.random.chance(0.1)) {
    await life.life.within(life.controller.submitPin(WRONG_PIN));
    run.note(`${k.device.id} wrong PIN → ${screenName(life)}`);
  }
  if (life.controller.current.name !== 'pin') return afterGesture(run, k, life, cardNo);
  const outcome = await life.life.within(life.controller.submitPin(chipPin(chip, run.pins.get(cardNo)!)));
  if (outcome === 'died') return run.afterDeath(k.device.id);
  run.note(`${k.device.id} PIN → ${screenName(life)}`);
  afterGesture(run, k, life, cardNo);
}

/** After a gesture: the card may be out already (pulled), or the customer goes on or leaves. */
function afterGesture(run: Run, k: Kiosk, life: KioskLife, cardNo: string): void {
  if (life.life.dead) return;
  if (!life.reader.cardPresent) {
    run.note(`${k.device.id} customer walks away with card ${short(cardNo)} (${screenName(life)})`);
    return endVisit(run, k, cardNo);
  }
  const screen = life.controller.current.name;
  if (screen === 'home' && run.random.chance(0.8))
    return void run.scheduler.after(thinkMs(run), `visit ${k.device.id} act`, () => act(run, k, cardNo));
  run.scheduler.after(thinkMs(run), `visit ${k.device.id} out`, () => removeCard(run, k, cardNo));
}

/** Maybe arms, for the load about to run, a fault that strikes as the card writes (the seed's afterWriteFaultRate). */
function armAfterWriteFault(run: Run, k: Kiosk, cardNo: string): void {
  const f = run.afterWriteRandom;
  if (!f.chance(run.afterWriteFaultRate)) return;
  const kioskId = k.device.id;
  if (f.chance(AFTER_WRITE_LIMITS.linkDropShare)) {
    const lengthMs = f.int(AFTER_WRITE_LIMITS.linkDownMsMin, AFTER_WRITE_LIMITS.linkDownMsMax);
    const reloadAfterMs = f.chance(AFTER_WRITE_LIMITS.reloadDuringLinkDownRate) ? f.int(10_000, lengthMs - 10_000) : null;
    run.afterWriteFaults.set(cardNo, { kind: 'link-drop', kioskId, lengthMs, reloadAfterMs });
  } else {
    run.chips.get(cardNo)!.card.failNext({ when: 'after-write', ins: INS_CREDIT_FOR_LOAD });
    run.afterWriteFaults.set(cardNo, {
      kind: 'walk-away',
      kioskId,
      awayMs: f.int(AFTER_WRITE_LIMITS.awayMsMin, AFTER_WRITE_LIMITS.awayMsMax),
    });
  }
}

/**
 * The chip just committed a transaction (called from inside its CREDIT FOR LOAD, before the kiosk
 * sees the answer): an armed fault strikes now. A link drop leaves the load's completion in the
 * kiosk's outbox for minutes; a pulled card leaves it in the kiosk's journal until the card comes
 * back, to another kiosk, which settles it from the card's counter (recovery).
 */
export function cardCommitted(run: Run, transaction: ChipTransaction): void {
  const fault = run.afterWriteFaults.get(transaction.cardNo);
  if (!fault || transaction.kind !== 'load') return;
  run.afterWriteFaults.delete(transaction.cardNo);
  run.stats.afterWriteFaults++;
  const card = short(transaction.cardNo);
  if (fault.kind === 'link-drop') {
    run.network.setOffline(fault.kioskId, run.clock.nowMs() + fault.lengthMs);
    run.note(`fault: ${fault.kioskId} link down right after card ${card} wrote its load, for ${Math.round(fault.lengthMs / 1000)}s`);
    if (fault.reloadAfterMs !== null)
      run.scheduler.after(fault.reloadAfterMs, `reload ${fault.kioskId}`, () =>
        run.reload(fault.kioskId, 'watchdog while the link is down'),
      );
    return;
  }
  run.cardsAway.add(transaction.cardNo);
  run.note(`fault: card ${card} pulled as it wrote its load; the customer comes back in ${Math.round(fault.awayMs / 1000)}s`);
  const returning: Returning = { cardNo: transaction.cardNo, fromKioskId: fault.kioskId };
  run.scheduler.after(fault.awayMs, 'arrive back', async () => arrive(run, 0, returning));
}

function pullAtSomePoint(run: Run, cardNo: string): void {
  const chip = run.chips.get(cardNo)!;
  const ins = run.random.pick(PULL_POINTS);
  const when = run.random.chance(0.5) ? 'before-write' : 'after-write';
  chip.card.failNext({ when, ins });
  run.note(`fault: card ${short(cardNo)} will be pulled at INS ${ins.toString(16)} ${when}`);
}

async function act(run: Run, k: Kiosk, cardNo: string): Promise<void> {
  const life = k.life!;
  const chip = run.chips.get(cardNo)!;
  const choice = run.random.next();
  const pull = run.random.chance(run.cardPullRate);
  if (pull) pullAtSomePoint(run, cardNo);
  if (run.random.chance(run.pageCrashRate)) life.life.crashAtNextRequest = true;
  let outcome: unknown;
  if (choice < 0.65) {
    life.controller.chooseLoad();
    const screen = life.controller.current;
    if (screen.name !== 'load' || screen.maxFen < 100) {
      run.note(`${k.device.id} load not offered → ${screenName(life)}`);
    } else {
      const amountFen = Math.min(screen.maxFen, run.random.int(1, 500) * 100);
      run.stats.loads++;
      run.note(`${k.device.id} load ${amountFen} on card ${short(cardNo)}`);
      if (!pull) armAfterWriteFault(run, k, cardNo);
      outcome = await life.life.within(life.controller.load(amountFen));
      if (!life.reader.cardPresent) run.stats.loadsInterrupted++;
    }
  } else if (choice < 0.75) {
    const pins = run.pins.get(cardNo)!;
    const oldPin = chipPin(chip, pins);
    const newPin = String(run.random.int(100000, 999999));
    pins.push(newPin);
    life.controller.startPinChange();
    run.stats.pinChanges++;
    outcome = await life.life.within(life.controller.changePin(oldPin, newPin, newPin));
  } else {
    outcome = await life.life.within(life.controller.history());
  }
  chip.card.cancelFault();
  run.afterWriteFaults.delete(cardNo);
  life.life.crashAtNextRequest = false;
  if (outcome === 'died') return run.afterDeath(k.device.id);
  run.note(`${k.device.id} → ${screenName(life)}`);
  afterGesture(run, k, life, cardNo);
}

function tabletOp(run: Run): void {
  run.scheduler.after(run.random.int(0, RUN_LIMITS.durationMs), 'tablet op', async () => {
    const t = run.random.pick(run.tablets);
    const life = t.life;
    if (!life || life.life.dead) return;
    const nowMs = run.ctx.deviceNowMs(t.device.id);
    const choice = run.random.next();
    const customer = run.random.pick(SIM_CUSTOMERS);
    const customerId = run.server.ids.customerIds.get(customer.index)!;
    if (choice < 0.5) {
      const amountFen = run.random.int(1, 2_000) * 100;
      await life.outbox.enqueue('receipt.cash', { customerId, amountFen }, nowMs);
      // The operator has the cash in the drawer now, whatever happens to the message.
      const operator = `sim.${t.device.id}`;
      run.cashTakenFen.set(operator, (run.cashTakenFen.get(operator) ?? 0) + amountFen);
      run.stats.receipts++;
      run.note(`${t.device.id} cash receipt ${amountFen} for ${customer.name}`);
    } else if (choice < 0.85) {
      const unit = run.random.pick(SIM_CUSTOMERS.filter((c) => c.kind === 'unit'));
      const unitId = run.server.ids.customerIds.get(unit.index)!;
      const cards = unit.cards.filter(() => run.random.chance(0.6));
      const allocations = (cards.length > 0 ? cards : [unit.cards[1]!]).map((c) => ({
        cardNo: c.cardNo,
        amountFen: run.random.int(1, 800) * 100,
      }));
      await life.outbox.enqueue('preallocation', { customerId: unitId, allocations }, nowMs);
      run.stats.preallocations++;
      run.note(`${t.device.id} pre-allocation for ${unit.name}: ${allocations.map((a) => `${short(a.cardNo)}=${a.amountFen}`).join(' ')}`);
    } else {
      const card = run.random.pick(customer.cards);
      await life.outbox.enqueue('inquiry', { cardNo: card.cardNo }, nowMs);
      run.note(`${t.device.id} inquiry queued for card ${short(card.cardNo)}`);
    }
    await life.sync.queuedChanged();
  });
}

function periodicSync(run: Run, deviceId: string): void {
  run.scheduler.after(RUN_LIMITS.syncIntervalMs, `tick ${deviceId}`, async () => {
    run.requestDrain(deviceId, 0);
    if (run.clock.nowMs() < run.endMs) periodicSync(run, deviceId);
  });
}

export function scheduleWorkload(run: Run): void {
  const visits = run.random.int(RUN_LIMITS.visitCountMin, RUN_LIMITS.visitCountMax);
  for (let i = 0; i < visits; i++)
    run.scheduler.after(run.random.int(0, RUN_LIMITS.durationMs), 'arrive later', async () => arrive(run, 0));
  // Money first: unit customers need pre-allocations before their sub cards can load.
  for (let i = 0; i < 2; i++) tabletOp(run);
  const ops = run.random.int(RUN_LIMITS.tabletOpCountMin, RUN_LIMITS.tabletOpCountMax);
  for (let i = 0; i < ops; i++) tabletOp(run);
  const u = run.unloadRandom;
  for (let i = u.int(RUN_LIMITS.unloadCountMin, RUN_LIMITS.unloadCountMax); i > 0; i--) {
    run.scheduler.after(u.int(RUN_LIMITS.durationMs * UNLOAD_LIMITS.startShare, RUN_LIMITS.durationMs), 'tablet unload', () =>
      tabletUnload(run),
    );
  }
  for (const d of [...run.kiosks, ...run.tablets]) periodicSync(run, d.device.id);
}

export function scheduleFaults(run: Run): void {
  const f = run.faultRandom;
  const devices = [...run.kiosks, ...run.tablets].map((d) => d.device.id);
  for (let i = f.int(0, 3); i > 0; i--) {
    const deviceId = f.pick(devices);
    const atMs = run.clock.nowMs() + f.int(0, RUN_LIMITS.durationMs);
    const lengthMs = f.int(60_000, 8 * 60_000);
    run.scheduler.at(atMs, `offline ${deviceId}`, async () => {
      run.network.setOffline(deviceId, run.clock.nowMs() + lengthMs);
      run.note(`fault: ${deviceId} offline for ${Math.round(lengthMs / 1000)}s`);
    });
    // A reload while offline: what the device queued meanwhile must survive it.
    if (f.chance(0.7)) run.scheduler.at(atMs + lengthMs - 1_000, `reload ${deviceId}`, () => run.reload(deviceId, 'while offline'));
  }
  for (let i = f.int(0, 2); i > 0; i--) {
    run.scheduler.at(run.clock.nowMs() + f.int(0, RUN_LIMITS.durationMs), 'server restart', () => run.restartServer('scheduled'));
  }
  if (f.chance(0.3)) {
    const lengthMs = f.int(10_000, 120_000);
    run.scheduler.at(run.clock.nowMs() + f.int(0, RUN_LIMITS.durationMs), 'server down', async () => {
      run.network.setServerDown(run.clock.nowMs() + lengthMs);
      run.note(`fault: server unreachable for ${Math.round(lengthMs / 1000)}s`);
    });
  }
  for (let i = f.int(0, 3); i > 0; i--) {
    const deviceId = f.pick(devices);
    run.scheduler.at(run.clock.nowMs() + f.int(0, RUN_LIMITS.durationMs), `reload ${deviceId}`, () => run.reload(deviceId, 'scheduled'));
  }
}

/** Puts the chip in the tablet's reader and powers it: the card session, or null if the reader never saw it. */
export async function insertAtTablet(life: TabletLife, run: Run, cardNo: string): Promise<CardSession | null> {
  life.control.removeCard();
  await settleReader(life.reader, false);
  life.control.insertCard(run.chips.get(cardNo)!.card);
  if (!(await settleReader(life.reader, true))) return null;
  return life.reader.connectCard();
}

export async function takeOutAtTablet(run: Run, life: TabletLife, cardNo: string, session: CardSession | null): Promise<void> {
  await session?.close().catch(() => {});
  life.control.removeCard();
  await settleReader(life.reader, false);
  run.inReader.delete(cardNo);
}

/** Where an unload of this card may go: QUOTA for a single card; RESERVE or QUOTA for a unit's card. */
function destinationFor(run: Run, cardNo: string): Destination {
  return run.chips.get(cardNo)!.spec.role === 'single' ? 'QUOTA' : run.unloadRandom.pick(['RESERVE', 'QUOTA'] as const);
}

/**
 * A customer brings a card with money in its purse to a tablet and the operator unloads part of it
 * (src/staff: openCard, then runUnload). Faults of its own (the unload stream): the card pulled at
 * DEBIT FOR UNLOAD, before or after the card wrote (the customer walks away and comes back later, to
 * a kiosk, whose recovery settles the unload from the card's counter), or the tablet page dying at
 * the unload initialise (the server holds a pending unload the card never saw).
 */
async function tabletUnload(run: Run): Promise<void> {
  const u = run.unloadRandom;
  const t = u.pick(run.tablets);
  const life = t.life;
  const cards = [...run.chips.keys()].filter(
    (c) => !run.inReader.has(c) && !run.cardsAway.has(c) && chipBalanceFen(run.chips.get(c)!) >= 100,
  );
  if (!life || life.life.dead || cards.length === 0) return;
  const cardNo = u.pick(cards);
  const chip = run.chips.get(cardNo)!;
  const destination = destinationFor(run, cardNo);
  const amountFen = Math.min(chipBalanceFen(chip), u.int(1, 300) * 100);
  const pull = run.faults && u.chance(UNLOAD_LIMITS.pullRateBase + run.cardPullRate);
  const pullWhen = u.chance(UNLOAD_LIMITS.pullAfterWriteShare) ? 'after-write' : 'before-write';
  const crash = run.faults && !pull && u.chance(UNLOAD_LIMITS.pageCrashRate);
  const awayMs = u.int(UNLOAD_LIMITS.awayMsMin, UNLOAD_LIMITS.awayMsMax);
  run.inReader.set(cardNo, t.device.id);
  run.touchedCards.add(cardNo);
  const id = t.device.id;
  const session = await life.life.within(insertAtTablet(life, run, cardNo));
  if (session === 'died') return run.afterDeath(id);
  if (!session) {
    run.violations.push({ rule: 'tablet.stuck', detail: `${id} never saw card ${cardNo} in its reader` });
    return takeOutAtTablet(run, life, cardNo, null);
  }
  const transmit = (apdu: Uint8Array) => session.transmit(apdu);
  const deps = life.staff;
  let outcome: string;
  try {
    const opened = await life.life.within(openCard(deps, transmit, { pin: chipPin(chip, run.pins.get(cardNo)!) }));
    if (opened === 'died') {
      run.inReader.delete(cardNo);
      return run.afterDeath(id);
    }
    const amount = Math.min(amountFen, opened.facts.balanceFen);
    if (amount <= 0) {
      outcome = 'nothing to unload';
    } else {
      run.stats.unloads++;
      run.note(
        `${id} unload ${amount} of card ${short(cardNo)} into ${destination}${pull ? ` (card pulled at DEBIT ${pullWhen})` : ''}${crash ? ' (page dies at the next request)' : ''}`,
      );
      if (pull) chip.card.failNext({ when: pullWhen, ins: INS_DEBIT_FOR_UNLOAD });
      if (crash) life.life.crashAtNextRequest = true;
      const receipt = await life.life.within(runUnload(deps, opened, { amountFen: amount, destination }));
      if (receipt === 'died') {
        chip.card.cancelFault();
        run.inReader.delete(cardNo);
        return run.afterDeath(id);
      }
      outcome = `unloaded, purse ${receipt.balanceFenAfter}`;
    }
  } catch (error) {
    if (!isStaffError(error)) throw error;
    outcome = `StaffError ${error.code}`;
    if (error.code === 'INTERRUPTED') run.stats.unloadsInterrupted++;
  }
  chip.card.cancelFault();
  life.life.crashAtNextRequest = false;
  const pulled = !life.reader.cardPresent || outcome === 'StaffError INTERRUPTED';
  run.note(`${id} card ${short(cardNo)} → ${outcome}`);
  await takeOutAtTablet(run, life, cardNo, session);
  if (pulled && pull) {
    // The customer walks away with the card; it comes back later, to a kiosk, which settles the unload from its counter.
    run.cardsAway.add(cardNo);
    run.note(`${id} customer walks away with card ${short(cardNo)}; back in ${Math.round(awayMs / 1000)}s`);
    arriveBack(run, awayMs, cardNo, id);
  }
}

/** A customer who walked away from device `fromId` with the card comes back in `awayMs`, to a kiosk (another one than `fromId`). */
export function arriveBack(run: Run, awayMs: number, cardNo: string, fromId: string): void {
  run.scheduler.after(awayMs, 'arrive back', async () => arrive(run, 0, { cardNo, fromKioskId: fromId }));
}

/** The card comes back to the tablet whose journal holds its unload, and is opened (recovery), then taken out. */
export async function visitTabletToSettle(run: Run, t: Tablet, cardNo: string): Promise<void> {
  const life = t.life!;
  const chip = run.chips.get(cardNo)!;
  run.note(`${t.device.id} settle: card ${short(cardNo)} goes in`);
  const session = await life.life.within(insertAtTablet(life, run, cardNo));
  if (session === 'died') return run.reload(t.device.id, 'died while settling');
  if (!session) {
    run.violations.push({ rule: 'tablet.stuck', detail: `${t.device.id} never saw card ${cardNo} in its reader` });
    return;
  }
  let outcome: string;
  try {
    const opened = await life.life.within(
      openCard(life.staff, (apdu) => session.transmit(apdu), { pin: chipPin(chip, run.pins.get(cardNo)!) }),
    );
    if (opened === 'died') return run.reload(t.device.id, 'died while settling');
    outcome = `opened, ${opened.recovery.transactions.length} settled`;
  } catch (error) {
    if (!isStaffError(error)) throw error;
    outcome = `StaffError ${error.code}`;
  }
  run.note(`${t.device.id} settle: card ${short(cardNo)} → ${outcome}`);
  await takeOutAtTablet(run, life, cardNo, session);
}
