import 'fake-indexeddb/auto';
import { BackendError } from '../lib/net/backend-error.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { installVirtualUsb, type VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import { createDemoCard, DEMO_PIN } from '../../ccid/sim/demo/cards.ts';
import type { FuelCard, PowerLossPoint } from '../../ccid/sim/card/fuel-card.ts';
import { selectSinopec, verifyPin } from '../../ccid/fuelcard/card.ts';
import { unload, type OnlineRequest } from '../../ccid/fuelcard/load.ts';
import { formatMoney } from '../lib/money.ts';
import { DeviceDatabase } from '../lib/device-db/database.ts';
import { cardSessionActive } from '../lib/session/active.ts';
import { ReaderManager } from '../lib/card/reader.ts';
import { KioskController } from './controller.ts';
import { loadBlock, type Screen } from './screens.ts';
import { FakeBackend } from './testing/fake-backend.ts';
import en from '../lib/i18n/en.json';
import zhCN from '../lib/i18n/zh-CN.json';

const TERMINAL_ID = '320100000001';
/** Another terminal: an outlet tablet, or another kiosk. */
const OTHER_TERMINAL_ID = '320100000002';
const INS_CREDIT_FOR_LOAD = 0x52;
const INS_DEBIT_FOR_UNLOAD = 0x54;
let dbCount = 0;

type Rig = { control: VirtualUsbControl; kiosk: KioskController; backend: FakeBackend; db: DeviceDatabase; reader: ReaderManager };

/** A kiosk with its own reader and IndexedDB; kiosks made with the same backend share the central accounts. */
async function rig(backend = new FakeBackend(), terminalId = TERMINAL_ID): Promise<Rig> {
  const nav = {};
  const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
  const reader = new ReaderManager((nav as { usb: USB }).usb);
  await reader.start();
  const db = new DeviceDatabase(`kiosk-test-${++dbCount}`);
  const kiosk = new KioskController({ reader, backend, db, terminalId, idleTimeoutMs: 60_000 });
  return { control, kiosk, backend, db, reader };
}

async function until(kiosk: KioskController, name: Screen['name'], timeoutMs = 3_000): Promise<Screen> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (kiosk.current.name === name) return kiosk.current;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`screen ${name} never came; stuck on ${JSON.stringify(kiosk.current).slice(0, 300)}`);
}

async function untilMatch(kiosk: KioskController, test: (s: Screen) => boolean, timeoutMs = 3_000): Promise<Screen> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (test(kiosk.current)) return kiosk.current;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`screen never matched; stuck on ${JSON.stringify(kiosk.current).slice(0, 300)}`);
}

async function waitFor(test: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function insert(r: Rig, card: FuelCard): void {
  r.control.insertCard(card);
}

/** The card, out of the kiosk's reader, at another terminal: selected and its PIN verified. */
async function atOtherTerminal(card: FuelCard): Promise<(apdu: Uint8Array) => Promise<Uint8Array>> {
  card.powerOn();
  const transmit = async (apdu: Uint8Array) => card.transmit(apdu);
  await selectSinopec(transmit);
  await verifyPin(transmit, DEMO_PIN);
  return transmit;
}

/** An unload (圈提) at an outlet tablet whose card is pulled `cutOff` DEBIT FOR UNLOAD wrote: pending on the server. */
async function unloadCutOffAtOutlet(
  backend: FakeBackend,
  card: FuelCard,
  options: { cardNo: string; amountFen: number; cutOff: PowerLossPoint },
): Promise<void> {
  const transmit = await atOtherTerminal(card);
  card.failNext({ when: options.cutOff, ins: INS_DEBIT_FOR_UNLOAD });
  const host = (request: OnlineRequest) => backend.unloadInitialise({ ...request, cardNo: options.cardNo });
  await expect(unload(transmit, { amountFen: options.amountFen, terminalId: OTHER_TERMINAL_ID, host })).rejects.toThrow();
}

/** Card in, the right PIN, and the home screen. */
async function unlock(r: Rig, card: FuelCard): Promise<Screen> {
  insert(r, card);
  await until(r.kiosk, 'pin');
  await r.kiosk.submitPin(DEMO_PIN);
  return until(r.kiosk, 'home');
}

describe('the kiosk card session', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.kiosk.dispose());

  it('reads a named card, takes the PIN and shows the balance on the card and the money waiting', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 30_000);
    insert(r, demo.card);
    await until(r.kiosk, 'pin');
    expect(get(cardSessionActive)).toBe(true);
    await r.kiosk.submitPin(DEMO_PIN);
    const home = await until(r.kiosk, 'home');
    if (home.name !== 'home') throw new Error();
    expect(home.card.balanceFen).toBe(80_000);
    expect(home.card.holderName).toBe('张伟');
    expect(home.account?.view.waitingFen).toBe(30_000);
    expect(home.card.records.length).toBeGreaterThan(0);
  });

  it('counts down the tries left on a wrong PIN and refuses a blocked card', async () => {
    insert(r, createDemoCard('named').card);
    await until(r.kiosk, 'pin');
    await r.kiosk.submitPin('000000');
    expect(r.kiosk.current).toMatchObject({ name: 'pin', triesLeft: 2 });
    await r.kiosk.submitPin('000000');
    await r.kiosk.submitPin('000000');
    expect(r.kiosk.current).toEqual({ name: 'refused', reason: 'pin_blocked' });
  });

  it("prints the station kept from an earlier session when the server's answer does not come", async () => {
    const demo = createDemoCard('named');
    const cardNo = toAsn(demo);
    r.backend.waitingFen.set(cardNo, 30_000);
    await unlock(r, demo.card);
    r.kiosk.chooseLoad();
    await r.kiosk.load(10_000);
    await until(r.kiosk, 'receipt');
    // The next session: the station call fails (the load's own calls still work).
    r.backend.station = async () => {
      throw new BackendError('NETWORK', 'offline');
    };
    r.kiosk.home();
    r.control.removeCard();
    await until(r.kiosk, 'start');
    await unlock(r, demo.card);
    r.kiosk.chooseLoad();
    await r.kiosk.load(10_000);
    const receipt = await until(r.kiosk, 'receipt');
    expect(receipt).toMatchObject({ receipt: { station: { code: '3201S01', hotline: '95504' } } });
  });

  it('refuses a card whose PIN is already blocked as soon as a PIN is tried', async () => {
    insert(r, createDemoCard('pinBlocked').card);
    await until(r.kiosk, 'pin');
    await r.kiosk.submitPin(DEMO_PIN);
    expect(r.kiosk.current).toEqual({ name: 'refused', reason: 'pin_blocked' });
  });

  it('refuses an expired card and a card that is not a customer card', async () => {
    insert(r, createDemoCard('expired').card);
    expect(await until(r.kiosk, 'refused')).toEqual({ name: 'refused', reason: 'expired' });
    r.control.switchCard(createDemoCard('employee').card);
    await untilMatch(r.kiosk, (s) => s.name === 'refused' && s.reason === 'not_customer_card');
  });

  it('loads money onto the card: the card balance goes up, the waiting money down, the server posts on the TAC', async () => {
    const demo = createDemoCard('named');
    const cardNo = toAsn(demo);
    r.backend.waitingFen.set(cardNo, 30_000);
    await unlock(r, demo.card);
    r.kiosk.chooseLoad();
    expect(r.kiosk.current).toMatchObject({ name: 'load', maxFen: 30_000 });
    await r.kiosk.load(20_000);
    const receipt = await until(r.kiosk, 'receipt');
    if (receipt.name !== 'receipt') throw new Error();
    expect(receipt.receipt).toMatchObject({ amountFen: 20_000, balanceFenBefore: 80_000, balanceFenAfter: 100_000 });
    // What it prints of the customer: the name and the card number masked, the station the server names.
    expect(receipt.receipt).toMatchObject({
      holderNameMasked: '张*',
      cardNoMasked: `${cardNo.slice(1, 5)} **** **** ***${cardNo.slice(-4, -3)} ${cardNo.slice(-3)}`,
      station: r.backend.stationInfo,
    });
    expect(JSON.stringify(receipt)).not.toContain('张伟');
    expect(r.backend.loads).toEqual([expect.objectContaining({ cardNo, amountFen: 20_000, state: 'posted' })]);
    expect(r.backend.waitingFen.get(cardNo)).toBe(10_000);
    r.kiosk.home();
    expect(r.kiosk.current).toMatchObject({ name: 'home', card: { balanceFen: 100_000 }, account: { view: { waitingFen: 10_000 } } });
  });

  it('refuses a load above what is waiting, with nothing sent to the card or the server', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 5_000);
    await unlock(r, demo.card);
    r.kiosk.chooseLoad();
    await r.kiosk.load(10_000);
    expect(r.kiosk.current).toMatchObject({ name: 'load', notice: { key: 'kiosk.load.amount_invalid' } });
    expect(r.backend.loads).toEqual([]);
  });

  it('says a load needs the network when offline, and shows the cached account with its age', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 30_000);
    await unlock(r, demo.card);
    r.control.removeCard();
    await until(r.kiosk, 'start');
    r.backend.online = false;
    const home = await unlock(r, demo.card);
    if (home.name !== 'home') throw new Error();
    expect(home.account?.view.waitingFen).toBe(30_000);
    expect(home.account?.ageMs).toBeGreaterThanOrEqual(0);
    // The home screen disables the load button and says why; a press that gets through changes nothing.
    expect(loadBlock(home.card, home.account)).toBe('offline');
    r.kiosk.chooseLoad();
    expect(r.kiosk.current).toBe(home);
  });

  it('queues a history inquiry when offline and still shows the card log', async () => {
    r.backend.online = false;
    const demo = createDemoCard('named');
    await unlock(r, demo.card);
    await r.kiosk.history();
    const history = await until(r.kiosk, 'history');
    expect(history).toMatchObject({ name: 'history', inquiryQueued: true, account: null });
    if (history.name === 'history') expect(history.card.records.length).toBe(2);
    expect(r.backend.queuedInquiries).toEqual([toAsn(demo)]);
  });

  it('shows the queued inquiry answer when the link returns while the customer is still there', async () => {
    r.backend.online = false;
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 12_300);
    await unlock(r, demo.card);
    await r.kiosk.history();
    expect(r.kiosk.current).toMatchObject({ name: 'history', inquiryQueued: true });
    r.backend.online = true;
    await r.kiosk.linkRestored();
    expect(r.kiosk.current).toMatchObject({
      name: 'history',
      inquiryQueued: false,
      account: { ageMs: null, view: { waitingFen: 12_300 } },
    });
  });

  it('shows the load just made in the account history: the account is asked again after money moved', async () => {
    const demo = createDemoCard('named');
    const cardNo = toAsn(demo);
    r.backend.waitingFen.set(cardNo, 30_000);
    await unlock(r, demo.card);
    await r.kiosk.history();
    expect(r.kiosk.current).toMatchObject({ name: 'history', inquiryQueued: false, account: { view: { history: [] } } });
    // Opened again with nothing moved: the view read in this session still holds.
    await r.kiosk.history();
    expect(r.backend.inquiries).toHaveLength(1);
    r.kiosk.chooseLoad();
    await r.kiosk.load(20_000);
    await until(r.kiosk, 'receipt');
    r.kiosk.home();
    await r.kiosk.history();
    expect(r.backend.inquiries).toHaveLength(2);
    expect(r.kiosk.current).toMatchObject({
      name: 'history',
      account: { ageMs: null, view: { waitingFen: 10_000, history: [{ kind: 'load', amountFen: -20_000 }] } },
    });
  });

  it('keeps this session’s figures when the link drops after a load, and queues the history', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 30_000);
    await unlock(r, demo.card);
    r.kiosk.chooseLoad();
    await r.kiosk.load(20_000);
    await until(r.kiosk, 'receipt');
    r.backend.online = false;
    await r.kiosk.history();
    // The cached view is from before the load (30,000 waiting); the session's own is newer.
    expect(r.kiosk.current).toMatchObject({ name: 'history', inquiryQueued: true, account: { ageMs: null, view: { waitingFen: 10_000 } } });
    expect(r.backend.queuedInquiries).toEqual([toAsn(demo)]);
  });

  it('changes the PIN on the card with no network, and the new PIN works next time', async () => {
    r.backend.online = false;
    const demo = createDemoCard('named');
    await unlock(r, demo.card);
    r.kiosk.startPinChange();
    await r.kiosk.changePin(DEMO_PIN, '654321', '654320');
    expect(r.kiosk.current).toMatchObject({ name: 'change-pin', notice: { key: 'kiosk.pin.mismatch' } });
    await r.kiosk.changePin(DEMO_PIN, '654321', '654321');
    expect(r.kiosk.current).toMatchObject({ name: 'home', notice: { key: 'kiosk.pin.changed' } });
    r.control.removeCard();
    await until(r.kiosk, 'start');
    insert(r, demo.card);
    await until(r.kiosk, 'pin');
    await r.kiosk.submitPin('654321');
    await until(r.kiosk, 'home');
  });

  it('ends the session the moment the card is removed', async () => {
    insert(r, createDemoCard('named').card);
    await until(r.kiosk, 'pin');
    r.control.removeCard();
    expect(await until(r.kiosk, 'start')).toEqual({ name: 'start', notice: null, cardInReader: false });
    expect(get(cardSessionActive)).toBe(false);
  });

  it('returns to the start screen after the idle timeout, asking for the card still in the reader to be taken out', async () => {
    r.kiosk.dispose();
    r.kiosk = new KioskController({ reader: r.reader, backend: r.backend, db: r.db, terminalId: TERMINAL_ID, idleTimeoutMs: 50 });
    insert(r, createDemoCard('named').card);
    await until(r.kiosk, 'pin');
    expect(await until(r.kiosk, 'start')).toEqual({
      name: 'start',
      notice: { key: 'kiosk.notice.timed_out', tone: 'info' },
      cardInReader: true,
    });
    // Out it comes: the start screen asks for a card again.
    r.control.removeCard();
    expect(await untilMatch(r.kiosk, (s) => s.name === 'start' && !s.cardInReader)).toEqual({
      name: 'start',
      notice: null,
      cardInReader: false,
    });
  });

  it('counts down the last seconds of an idle session, and a touch carries on', async () => {
    r.kiosk.dispose();
    r.kiosk = new KioskController({
      reader: r.reader,
      backend: r.backend,
      db: r.db,
      terminalId: TERMINAL_ID,
      idleTimeoutMs: 1_200,
      idleWarningMs: 1_000,
    });
    const seen: Array<number | null> = [];
    const stop = r.kiosk.idleCountdown.subscribe((seconds) => seen.push(seconds));
    insert(r, createDemoCard('named').card);
    await until(r.kiosk, 'pin');
    expect(get(r.kiosk.idleCountdown)).toBeNull();
    await waitFor(() => get(r.kiosk.idleCountdown) !== null);
    expect(get(r.kiosk.idleCountdown)).toBe(1);
    // "Continue": the warning goes, the session stays, the idle time starts again.
    r.kiosk.touch();
    expect(get(r.kiosk.idleCountdown)).toBeNull();
    expect(r.kiosk.current.name).toBe('pin');
    await waitFor(() => get(r.kiosk.idleCountdown) !== null);
    expect(await until(r.kiosk, 'start', 3_000)).toMatchObject({ notice: { key: 'kiosk.notice.timed_out' }, cardInReader: true });
    expect(get(r.kiosk.idleCountdown)).toBeNull();
    stop();
    expect(seen).toEqual([null, 1, null, 1, null]);
  });

  it('ends an idle goodbye without a countdown: there is nothing to continue', async () => {
    r.kiosk.dispose();
    r.kiosk = new KioskController({
      reader: r.reader,
      backend: r.backend,
      db: r.db,
      terminalId: TERMINAL_ID,
      idleTimeoutMs: 300,
      idleWarningMs: 250,
    });
    const seen: Array<number | null> = [];
    const stop = r.kiosk.idleCountdown.subscribe((seconds) => seen.push(seconds));
    insert(r, createDemoCard('named').card);
    await until(r.kiosk, 'pin');
    r.kiosk.finish();
    expect(await until(r.kiosk, 'start')).toMatchObject({ notice: { key: 'kiosk.notice.timed_out' } });
    stop();
    expect(seen.filter((seconds) => seconds !== null)).toEqual([]);
  });

  it('disables the load of a grey card, and pressing it again and again stacks no warnings', async () => {
    const demo = createDemoCard('grey');
    r.backend.waitingFen.set(toAsn(demo), 10_000);
    const home = await unlock(r, demo.card);
    if (home.name !== 'home') throw new Error();
    expect(home).toMatchObject({ card: { greyState: 'LOCKED' }, notice: null });
    expect(loadBlock(home.card, home.account)).toBe('grey');
    for (let press = 0; press < 3; press++) r.kiosk.chooseLoad();
    expect(r.kiosk.current).toBe(home);
  });

  it('disables the load when nothing is waiting or the card is at its limit, and not otherwise', async () => {
    const demo = createDemoCard('named');
    const home = await unlock(r, demo.card);
    if (home.name !== 'home' || !home.account) throw new Error();
    expect(home.account.view.waitingFen).toBe(0);
    expect(loadBlock(home.card, home.account)).toBe('nothing_waiting');
    const waiting = { ...home.account, view: { ...home.account.view, waitingFen: 30_000 } };
    expect(loadBlock(home.card, waiting)).toBeNull();
    expect(loadBlock({ ...home.card, balanceFen: waiting.view.purseLimitFen }, waiting)).toBe('card_full');
    expect(loadBlock(home.card, null)).toBe('offline');
    r.kiosk.chooseLoad();
    expect(r.kiosk.current).toBe(home);
  });

  for (const when of ['after-write', 'before-write'] as const) {
    it(`settles a load cut off ${when === 'after-write' ? 'after' : 'before'} the card wrote it, at the next insertion, exactly once`, async () => {
      const demo = createDemoCard('named');
      const cardNo = toAsn(demo);
      r.backend.waitingFen.set(cardNo, 30_000);
      insert(r, demo.card);
      await until(r.kiosk, 'pin');
      await r.kiosk.submitPin(DEMO_PIN);
      await until(r.kiosk, 'home');
      r.kiosk.chooseLoad();
      demo.card.failNext({ when, ins: 0x52 });
      await r.kiosk.load(20_000);
      expect(await until(r.kiosk, 'start')).toMatchObject({ notice: { key: 'kiosk.notice.load_interrupted' } });
      expect(r.backend.loads).toEqual([expect.objectContaining({ state: 'pending' })]);
      insert(r, demo.card);
      await until(r.kiosk, 'pin');
      await r.kiosk.submitPin(DEMO_PIN);
      const home = await until(r.kiosk, 'home');
      const loaded = when === 'after-write';
      expect(home).toMatchObject({
        card: { balanceFen: loaded ? 100_000 : 80_000 },
        notice: { key: loaded ? 'kiosk.notice.recovered_completed' : 'kiosk.notice.recovered_not_done' },
        // The screen agrees with the notice: released money is waiting again, a posted load is not.
        account: { view: { waitingFen: loaded ? 10_000 : 30_000, pendingLoad: null } },
      });
      expect(r.backend.loads).toEqual([expect.objectContaining({ state: loaded ? 'posted' : 'voided' })]);
      expect(r.backend.waitingFen.get(cardNo)).toBe(loaded ? 10_000 : 30_000);
      // A third insertion settles nothing more.
      r.control.removeCard();
      await until(r.kiosk, 'start');
      insert(r, demo.card);
      await until(r.kiosk, 'pin');
      await r.kiosk.submitPin(DEMO_PIN);
      expect(await until(r.kiosk, 'home')).toMatchObject({ notice: null });
      expect(r.backend.settlements).toHaveLength(1);
    });
  }

  for (const cutOff of ['after-write', 'before-write'] as const) {
    const debited = cutOff === 'after-write';
    it(`settles at the next insertion an unload an outlet left pending, cut off ${debited ? 'after' : 'before'} the card wrote it, and then loads`, async () => {
      const demo = createDemoCard('named');
      const cardNo = toAsn(demo);
      r.backend.waitingFen.set(cardNo, 30_000);
      await unloadCutOffAtOutlet(r.backend, demo.card, { cardNo, amountFen: 5_000, cutOff });
      expect(r.backend.loads).toEqual([expect.objectContaining({ kind: 'unload', state: 'pending' })]);
      const home = await unlock(r, demo.card);
      expect(home).toMatchObject({
        card: { balanceFen: debited ? 75_000 : 80_000 },
        notice: {
          key: debited ? 'kiosk.notice.recovered_unload_completed' : 'kiosk.notice.recovered_unload_not_done',
          values: { amount: formatMoney(5_000) },
        },
        account: { view: { pendingLoad: null } },
      });
      expect(r.backend.loads).toEqual([expect.objectContaining({ kind: 'unload', state: debited ? 'posted' : 'voided' })]);
      // The card's proof of the unload (its MAC3) went along: asked as an unload's, not a load's.
      expect(r.backend.settlements).toEqual([
        expect.objectContaining({ kind: 'recover', ...(debited ? { prove: expect.anything() } : {}) }),
      ]);
      expect(r.backend.waitingFen.get(cardNo)).toBe(debited ? 35_000 : 30_000);
      // Nothing holds the card any more: a load goes through at once.
      r.kiosk.chooseLoad();
      await r.kiosk.load(10_000);
      expect(await until(r.kiosk, 'receipt')).toMatchObject({ receipt: { balanceFenAfter: debited ? 85_000 : 90_000 } });
      r.control.removeCard();
      await until(r.kiosk, 'start');
      expect(await unlock(r, demo.card)).toMatchObject({ notice: null });
      expect(r.backend.settlements).toHaveLength(2);
    });
  }

  /** At another kiosk, on the same central accounts: the card in, its PIN, what it says, then a load. */
  async function atOtherKiosk(card: FuelCard, loadFen: number): Promise<Screen> {
    const other = await rig(r.backend, OTHER_TERMINAL_ID);
    try {
      const home = await unlock(other, card);
      other.kiosk.chooseLoad();
      await other.kiosk.load(loadFen);
      await until(other.kiosk, 'receipt');
      other.control.removeCard();
      await until(other.kiosk, 'start');
      return home;
    } finally {
      other.kiosk.dispose();
    }
  }

  /** A load cut off at this kiosk: the card back out, the journal entry open. */
  async function interruptedLoad(card: FuelCard, amountFen: number, cutOff: PowerLossPoint): Promise<string> {
    await unlock(r, card);
    r.kiosk.chooseLoad();
    card.failNext({ when: cutOff, ins: INS_CREDIT_FOR_LOAD });
    await r.kiosk.load(amountFen);
    expect(await until(r.kiosk, 'start')).toMatchObject({ notice: { key: 'kiosk.notice.load_interrupted' } });
    const open = (await r.db.loadJournal.toArray()).filter((entry) => entry.state === 'credit-sent');
    expect(open).toEqual([expect.objectContaining({ kind: 'load', state: 'credit-sent', amountFen })]);
    return open[0]!.loadId;
  }

  for (const online of [true, false]) {
    it(`closes its interrupted load that another kiosk settled and loaded after, ${online ? 'online without asking the card' : 'offline from the counter though the card proof is the later load’s'}`, async () => {
      const demo = createDemoCard('named');
      const cardNo = toAsn(demo);
      r.backend.waitingFen.set(cardNo, 30_000);
      const loadId = await interruptedLoad(demo.card, 20_000, 'after-write');
      // The other kiosk settles the first load from the server's pending record, and tells the customer.
      expect(await atOtherKiosk(demo.card, 5_000)).toMatchObject({ notice: { key: 'kiosk.notice.recovered_completed' } });
      expect(r.backend.loads).toEqual([expect.objectContaining({ loadId, state: 'posted' }), expect.objectContaining({ state: 'posted' })]);
      const sentBefore = r.backend.settlements.length;
      r.backend.online = online;
      // GET TRANSACTION PROVE for the first load now answers 9406: the card proves only its last.
      const home = await unlock(r, demo.card);
      expect(home).toMatchObject({
        card: { balanceFen: 105_000 },
        notice: online ? null : { key: 'kiosk.notice.recovered_completed', values: { amount: formatMoney(20_000) } },
      });
      expect(await r.db.loadJournal.get(loadId)).toMatchObject({ state: 'settled' });
      const sent = r.backend.settlements.slice(sentBefore);
      if (online) expect(sent).toEqual([]);
      else {
        // Offline the card is asked: the moved counter alone goes to the server (which settled it already).
        expect(sent).toEqual([expect.objectContaining({ kind: 'recover', loadId })]);
        expect(sent[0]).not.toHaveProperty('prove');
      }
      r.control.removeCard();
      await until(r.kiosk, 'start');
      expect(await unlock(r, demo.card)).toMatchObject({ notice: null });
      expect(r.backend.settlements).toHaveLength(sentBefore + sent.length);
    });
  }

  it('does not claim its interrupted load when another kiosk voided it and a later load took its counter', async () => {
    const demo = createDemoCard('named');
    const cardNo = toAsn(demo);
    r.backend.waitingFen.set(cardNo, 30_000);
    const loadId = await interruptedLoad(demo.card, 20_000, 'before-write');
    expect(await atOtherKiosk(demo.card, 5_000)).toMatchObject({ notice: { key: 'kiosk.notice.recovered_not_done' } });
    // The card's counter is past the first load's, and its proof for that counter is the other kiosk's load.
    const sentBefore = r.backend.settlements.length;
    const home = await unlock(r, demo.card);
    expect(home).toMatchObject({ card: { balanceFen: 85_000 }, notice: null, account: { view: { waitingFen: 25_000 } } });
    expect(await r.db.loadJournal.get(loadId)).toMatchObject({ state: 'settled' });
    expect(r.backend.settlements).toHaveLength(sentBefore);
  });

  it('voids its interrupted load offline with a probe that carries the challenge the server gave with the MAC2', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 30_000);
    const loadId = await interruptedLoad(demo.card, 20_000, 'before-write');
    const challenge = (await r.db.loadJournal.get(loadId))?.probeChallenge;
    expect(challenge).toMatch(/^[0-9A-F]{12}$/);
    r.backend.online = false;
    expect(await unlock(r, demo.card)).toMatchObject({ notice: { key: 'kiosk.notice.recovered_not_done' } });
    expect(r.backend.settlements).toEqual([
      expect.objectContaining({ kind: 'recover', loadId, probe: expect.objectContaining({ terminalId: challenge }) }),
    ]);
    expect(r.backend.loads).toEqual([expect.objectContaining({ loadId, state: 'voided' })]);
  });

  it('leaves an old journal entry without a challenge open while offline, and settles it from the server’s challenge once online', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 30_000);
    const loadId = await interruptedLoad(demo.card, 20_000, 'before-write');
    // As a kiosk wrote entries before challenges existed.
    await r.db.loadJournal.update(loadId, { probeChallenge: undefined });
    r.backend.online = false;
    expect(await unlock(r, demo.card)).toMatchObject({ notice: null });
    // The unchanged counter proves nothing without the challenge: nothing queued, the entry still open.
    expect(r.backend.settlements).toEqual([]);
    expect(await r.db.loadJournal.get(loadId)).toMatchObject({ state: 'credit-sent' });
    r.control.removeCard();
    await until(r.kiosk, 'start');
    r.backend.online = true;
    expect(await unlock(r, demo.card)).toMatchObject({ notice: { key: 'kiosk.notice.recovered_not_done' } });
    expect(r.backend.loads).toEqual([expect.objectContaining({ loadId, state: 'voided' })]);
    expect(await r.db.loadJournal.get(loadId)).toMatchObject({ state: 'settled' });
  });

  it('explains a load refused for a card under review or a busy server in words, never by its code', async () => {
    const demo = createDemoCard('named');
    r.backend.waitingFen.set(toAsn(demo), 30_000);
    const cases = [
      ['CARD_UNDER_REVIEW', 'kiosk.load.refused_review'],
      ['DATABASE_UNAVAILABLE', 'kiosk.load.refused_busy'],
      ['HTTP_409', 'kiosk.load.refused_other'],
    ] as const;
    await unlock(r, demo.card);
    for (const [code, key] of cases) {
      r.kiosk.chooseLoad();
      r.backend.refuseNextLoad = code;
      await r.kiosk.load(1_000);
      expect(r.kiosk.current).toMatchObject({ notice: { key, tone: 'error' } });
      for (const catalogue of [en, zhCN] as Array<Record<string, string>>) expect(catalogue[key]).not.toMatch(/\{code\}/);
    }
    expect(r.backend.loads).toEqual([]);
  });

  it('refuses a card the central accounts report lost', async () => {
    const demo = createDemoCard('named');
    r.backend.cardState.set(toAsn(demo), 'lost');
    insert(r, demo.card);
    await until(r.kiosk, 'pin');
    await r.kiosk.submitPin(DEMO_PIN);
    expect(await until(r.kiosk, 'refused')).toEqual({ name: 'refused', reason: 'lost' });
  });
});

function toAsn(demo: { asn: Uint8Array }): string {
  return Array.from(demo.asn, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}
