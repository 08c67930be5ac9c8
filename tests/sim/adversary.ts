/**
 * The adversary (issue 11, item 1): an enrolled kiosk and an outlet tablet (with its operator's
 * session) in an attacker's hands, running the attacker's code instead of the app. Customers put
 * their cards into it as into any kiosk, so it talks to real simulated cards (with the PIN they
 * type), and it sees the station network: every request an honest device sends and the server's
 * answer (run.ts hands it each delivery). It keeps every card answer it ever sees — INITIALIZE FOR
 * LOAD and UNLOAD answers with their MAC1s, TACs, MAC3s, GET TRANSACTION PROVE answers, probes, the
 * loads' ids and challenges, honest devices' recoveries and pushed operations — and sends them
 * again, in any order, everywhere it can: /loads/initialise, /loads/complete, /loads/recover,
 * /unloads/initialise, /unloads/complete, and its own sync pushes (load.recover, load.complete,
 * unload.complete).
 *
 * Its card sessions play the attack an outside review made money with (INITIALIZE FOR LOAD →
 * initialise → CREDIT FOR LOAD with the TAC kept back → a recovery whose probe is the load's own
 * answer or one taken at the same counter just before → the real TAC later, or never), the same
 * for an outlet unload, and its neighbours: a MAC2 tried after a fresh probe ended its session,
 * two initialises of one answer, a fresh probe held back. Every choice comes from the seed's
 * adversary stream (run.ts RANDOM_STREAMS), and its requests go over a network of its own (its
 * own faults, from the same stream), so a seed replays exactly and seeds without the adversary
 * tell the story they told before it existed.
 *
 * The adversary judges nothing: the checks do (checks.ts, above all `purse.chip_above_ledger`).
 * It counts, per attack, what it tried and what the server (or the card) refused, for the summary.
 */
import {
  creditForLoad,
  debitForUnload,
  getTransactionProve,
  initializeForLoad,
  initializeForUnload,
  selectSinopec,
  verifyPin,
} from '../../ccid/fuelcard/card.ts';
import { PURSE } from '../../ccid/fuelcard/spec.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import type { InitializeAnswer, LoadInitialiseResponse, LoadRecoverRequest, LoadView } from '../../server/contract/loads.ts';
import type { OperationType } from '../../server/contract/sync.ts';
import { BackendError } from '../../src/lib/net/backend-error.ts';
import type { ApiClient } from '../../src/lib/sync/client.ts';
import { chipBalanceFen, chipPin, type SimChip } from './cards.ts';
import { deviceApi } from './devices.ts';
import { SimNetwork, type Delivery, type Incarnation, type NetworkProfile } from './network.ts';
import { SimRandom } from './random.ts';
import type { Run } from './run.ts';
import { RUN_LIMITS, short } from './run.ts';
import { ADVERSARY_DEVICES } from './world.ts';

export const ADVERSARY_LIMITS = {
  /**
   * Share of the seeds with the adversary at work (each seed draws it from the adversary stream).
   * The rest run as before it existed, which keeps the CI gate's runtime near what it was.
   */
  seedShare: 0.35,
  /** Customers who put a card into the adversary's kiosk (or hand it to its operator) in a run. */
  cardSessionCountMin: 3,
  cardSessionCountMax: 7,
  /** Share of its customers with a single-user card (the rest: any card). */
  singleCardShare: 0.7,
  /** Bursts of replays of what it captured, without a card. */
  replayBurstCountMin: 4,
  replayBurstCountMax: 10,
  replaysPerBurstMax: 4,
  /** How long a withheld TAC or MAC3 (or a stale recovery sent again) waits, when it is sent at all. */
  lateMsMin: 20_000,
  lateMsMax: 10 * 60_000,
  /** On the path: share of the honest pushes whose operation ids it pushes first. */
  squatRate: 0.5,
  /** A load's amount, in yuan. */
  amountYuanMax: 300,
} as const;

/** What the adversary tries, each counted in the summary (tried, refused by the server or the card, lost). */
export const ATTACKS = {
  'stale-probe':
    "a recovery whose probe the card made before the MAC2 (the transaction's own answer or one taken at its counter just before), after the card took the load or made the unload",
  'claimed-challenge': "a stale probe sent with the load's challenge claimed as its terminal id",
  'probe-replay': 'any captured card answer sent as the probe of any captured load of its card, named or not',
  'recovery-replay': "an honest device's recovery, captured on the wire, sent again by the adversary",
  'initialise-replay':
    'a captured INITIALIZE answer sent to /loads/initialise or /unloads/initialise again (again the same, or as the other kind)',
  'wrong-proof': 'a captured TAC or MAC3 sent to complete (or prove) a load or unload it was not made for',
  'late-proof': "the withheld TAC or MAC3 of the adversary's own transaction, sent late (after the stale recovery, or an honest device's)",
  'push-replay': "an honest device's pushed operation, captured on the wire, pushed again by the adversary",
  'dead-mac2': 'CREDIT FOR LOAD with a MAC2 whose session a later INITIALIZE (a fresh probe) ended: the card must refuse',
  'op-id-squat':
    "on the path only (--on-path): an honest device's operation id, seen on the wire before the server had it, pushed first by the adversary",
} as const;
export type Attack = keyof typeof ATTACKS;

export type AttackCount = { tried: number; refused: number; lost: number; codes: Record<string, number> };
export type AdversaryReport = { requests: number; cardSessions: number; counts: Record<Attack, AttackCount> };

export function emptyAdversaryReport(): AdversaryReport {
  const counts = Object.fromEntries(
    Object.keys(ATTACKS).map((a) => [a, { tried: 0, refused: 0, lost: 0, codes: {} }]),
  ) as unknown as Record<Attack, AttackCount>;
  return { requests: 0, cardSessions: 0, counts };
}

/** Adds `more` into `total` (the CLI's sum over seeds). */
export function addAdversaryReport(total: AdversaryReport, more: AdversaryReport): void {
  total.requests += more.requests;
  total.cardSessions += more.cardSessions;
  for (const attack of Object.keys(ATTACKS) as Attack[]) {
    const t = total.counts[attack];
    const m = more.counts[attack];
    t.tried += m.tried;
    t.refused += m.refused;
    t.lost += m.lost;
    for (const [code, n] of Object.entries(m.codes)) t.codes[code] = (t.codes[code] ?? 0) + n;
  }
}

type Kind = 'load' | 'unload';
type PurseName = 'ED' | 'EP';
/** A card's INITIALIZE answer as seen, with what its MAC1 covers. */
type SeenAnswer = { cardNo: string; kind: Kind; purse: PurseName; amountFen: number; terminalId: string; answer: InitializeAnswer };
type SeenLoad = { loadId: string; cardNo: string; kind: Kind; onlineTtc: number; probeChallenge: string | null };
type SeenProof = { cardNo: string; kind: Kind; loadId: string | null; tac: string };
type SeenOperation = { type: string; payload: Record<string, unknown> };
/** The adversary's own transaction on a card: what it holds back and replays later. */
type Held = { load: SeenLoad; proof: string | null; stale: SeenAnswer[] };

/** How a request the adversary sent ended: refused (server or card), accepted, or lost on the way. */
type Outcome = { refused: string | null; lost: boolean; result: unknown };

type Device = 'kiosk' | 'tablet';
type Route = 'endpoint' | 'push';

/** The adversary's network faults: a few lost requests and answers, duplicates, late copies (more orders); it crashes nothing. */
function adversaryProfile(random: SimRandom): NetworkProfile {
  return {
    requestLossRate: random.next() * 0.05,
    answerLossRate: random.next() * 0.08,
    lateDeliveryRate: random.next() * 0.08,
    duplicateRate: random.next() * 0.15,
    serverCrashRate: 0,
    latencyMsMax: random.int(5, 200),
  };
}

const NEVER_DIES: Incarnation = { dead: false, crashAtNextRequest: false, kill() {} };

function uuidFrom(random: SimRandom): string {
  const b = random.fill(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function cardRefusal(error: unknown): string {
  const sw = (error as { sw?: number }).sw;
  return sw === undefined ? `CARD_${(error as Error).name}` : `CARD_SW_${sw.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The card in the adversary's reader: its transmit, powered and opened with the customer's PIN. */
type Session = { chip: SimChip; cardNo: string; transmit: Transmit };

export class Adversary {
  readonly #run: Run;
  readonly #random: SimRandom;
  readonly network: SimNetwork;
  readonly #api: Record<Device, ApiClient>;
  readonly report = emptyAdversaryReport();
  readonly #answers: SeenAnswer[] = [];
  readonly #loads = new Map<string, SeenLoad>();
  readonly #proofs: SeenProof[] = [];
  readonly #recoveries: LoadRecoverRequest[] = [];
  readonly #operations: SeenOperation[] = [];
  /** It also sees requests before the server does (a station network without TLS): see observeSent. */
  readonly #onPath: boolean;
  /** The push head of each of its devices, or null when a lost answer left it unknown. */
  readonly #seq: Record<Device, number | null> = { kiosk: 0, tablet: 0 };

  constructor(run: Run, random: SimRandom, options: { onPath: boolean }) {
    this.#run = run;
    this.#random = random;
    this.#onPath = options.onPath;
    this.network = new SimNetwork({
      server: run.server,
      scheduler: run.scheduler,
      random: random.fork(),
      profile: adversaryProfile(random),
      hooks: { onDelivered: (d) => run.afterDelivery(d) },
    });
    // Its clock is right: the server's own.
    const nowMs = () => run.clock.nowMs();
    this.#api = {
      kiosk: deviceApi(this.network, ADVERSARY_DEVICES.kiosk, NEVER_DIES, nowMs),
      tablet: deviceApi(this.network, ADVERSARY_DEVICES.tablet, NEVER_DIES, nowMs),
    };
  }

  static isOwn(deviceId: string): boolean {
    return deviceId === ADVERSARY_DEVICES.kiosk.id || deviceId === ADVERSARY_DEVICES.tablet.id;
  }

  #note(line: string): void {
    this.#run.note(`adversary: ${line}`);
  }

  // ---- what it sees on the wire ---------------------------------------------------------

  /** An honest device's request and the server's answer, as the station network carried them. */
  observe(d: Delivery): void {
    const body = d.body as Record<string, unknown> | undefined;
    const answer = d.answer as Record<string, unknown> | null;
    if (!body) return;
    if (d.path.endsWith('/loads/initialise') || d.path.endsWith('/unloads/initialise')) {
      const kind: Kind = d.path.endsWith('/unloads/initialise') ? 'unload' : 'load';
      const b = body as { cardNo: string; amountFen: number; terminalId: string; purse?: PurseName; card: InitializeAnswer };
      this.#answers.push({
        cardNo: b.cardNo,
        kind,
        purse: b.purse ?? 'ED',
        amountFen: b.amountFen,
        terminalId: b.terminalId,
        answer: b.card,
      });
      const load = (answer as { load?: LoadView } | null)?.load;
      if (d.status === 200 && load) this.#seeLoad(load);
    } else if (d.path.endsWith('/loads/complete') || d.path.endsWith('/unloads/complete')) {
      this.#seeCompletion(d.path.endsWith('/unloads/complete') ? 'unload' : 'load', body as { loadId: string; tac: string });
    } else if (d.path.endsWith('/loads/recover')) {
      this.#seeRecovery(body as LoadRecoverRequest);
    } else if (d.path.endsWith('/sync/push')) {
      for (const op of (body as { operations: Array<{ type: string; payload: Record<string, unknown> }> }).operations) {
        this.#operations.push({ type: op.type, payload: op.payload });
        if (op.type === 'load.complete' || op.type === 'unload.complete')
          this.#seeCompletion(op.type === 'load.complete' ? 'load' : 'unload', op.payload as { loadId: string; tac: string });
        if (op.type === 'load.recover') this.#seeRecovery(op.payload as LoadRecoverRequest);
      }
    } else if (d.path.endsWith('/sync/pull') && d.status === 200) {
      for (const load of (answer as { pendingLoads?: LoadView[] } | null)?.pendingLoads ?? []) this.#seeLoad(load);
    }
  }

  /**
   * On the path (`onPath`), a request as it enters the network, before the server has it: an
   * honest push's operation ids, which the adversary pushes first as its own (a read-only
   * inquiry), so that the honest operation meets an id already taken. Only a request that is lost
   * or late leaves it the time to: the device sends the same ids again later.
   */
  observeSent(sent: { deviceId: string; path: string; body: string | undefined }): void {
    if (!this.#onPath || Adversary.isOwn(sent.deviceId) || !sent.path.endsWith('/sync/push') || sent.body === undefined) return;
    const ops = (JSON.parse(sent.body) as { operations: Array<{ id: string }> }).operations;
    if (!this.#random.chance(ADVERSARY_LIMITS.squatRate)) return;
    this.#run.scheduler.after(this.#random.int(100, 5_000), 'adversary squat', async () => {
      for (const op of ops) {
        const cardNo = this.#random.pick([...this.#run.chips.keys()]);
        await this.#push('op-id-squat', this.#random.chance(0.5) ? 'kiosk' : 'tablet', 'inquiry', { cardNo }, op.id);
      }
    });
  }

  #seeLoad(load: LoadView): void {
    const known = this.#loads.get(load.loadId);
    this.#loads.set(load.loadId, {
      loadId: load.loadId,
      cardNo: load.cardNo,
      kind: load.kind,
      onlineTtc: load.onlineTtc,
      probeChallenge: load.probeChallenge ?? known?.probeChallenge ?? null,
    });
  }

  #seeCompletion(kind: Kind, c: { loadId: string; tac: string }): void {
    const load = this.#loads.get(c.loadId);
    if (load) this.#proofs.push({ cardNo: load.cardNo, kind, loadId: c.loadId, tac: c.tac });
  }

  #seeRecovery(r: LoadRecoverRequest): void {
    this.#recoveries.push(r);
    this.#answers.push({
      cardNo: r.cardNo,
      kind: 'load',
      purse: r.probe.purse ?? 'ED',
      amountFen: r.probe.amountFen,
      terminalId: r.probe.terminalId,
      answer: r.probe.answer,
    });
    if (r.prove)
      this.#proofs.push({
        cardNo: r.cardNo,
        kind: r.loadId ? (this.#loads.get(r.loadId)?.kind ?? 'load') : 'load',
        loadId: r.loadId ?? null,
        tac: r.prove.tac,
      });
  }

  // ---- the plan ------------------------------------------------------------------------

  /** Its card sessions and replay bursts, at times of the run drawn from its stream. */
  schedule(): void {
    const r = this.#random;
    for (let i = r.int(ADVERSARY_LIMITS.cardSessionCountMin, ADVERSARY_LIMITS.cardSessionCountMax); i > 0; i--) {
      this.#run.scheduler.after(r.int(0, RUN_LIMITS.durationMs), 'adversary card', () => this.#cardSession());
    }
    for (let i = r.int(ADVERSARY_LIMITS.replayBurstCountMin, ADVERSARY_LIMITS.replayBurstCountMax); i > 0; i--) {
      this.#run.scheduler.after(r.int(0, RUN_LIMITS.durationMs), 'adversary replay', () => this.#replayBurst());
    }
  }

  // ---- talking to the server -----------------------------------------------------------

  /** One request: counted under `attack` (null: the adversary's own groundwork, not counted). */
  async #call<T>(
    attack: Attack | null,
    what: string,
    call: () => Promise<T>,
    nothing: (result: T) => string | null = () => null,
  ): Promise<Outcome & { result: T | null }> {
    let outcome: Outcome & { result: T | null };
    try {
      const result = await call();
      outcome = { refused: nothing(result), lost: false, result };
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
      outcome = error.code === 'NETWORK' ? { refused: null, lost: true, result: null } : { refused: error.code, lost: false, result: null };
    }
    this.#count(attack, outcome);
    this.#note(`${attack ?? 'groundwork'}: ${what} → ${outcome.lost ? 'lost' : (outcome.refused ?? 'accepted')}`);
    return outcome;
  }

  #count(attack: Attack | null, outcome: { refused: string | null; lost: boolean }): void {
    if (attack === null) return;
    const c = this.report.counts[attack];
    c.tried++;
    if (outcome.lost) c.lost++;
    else if (outcome.refused !== null) {
      c.refused++;
      c.codes[outcome.refused] = (c.codes[outcome.refused] ?? 0) + 1;
    }
  }

  /** A push of one operation from its own device, with the head it knows (asked again after a lost answer). */
  async #push(attack: Attack | null, device: Device, type: string, payload: unknown, id = uuidFrom(this.#random)): Promise<Outcome> {
    const api = this.#api[device];
    let outcome: Outcome;
    try {
      const head = this.#seq[device] ?? (await api.call('syncPull', { body: { cardNos: [] } })).lastSeq;
      this.#seq[device] = head;
      const deviceId = ADVERSARY_DEVICES[device].id;
      const response = await api.call('syncPush', {
        body: { operations: [{ id, deviceId, seq: head + 1, type: type as OperationType, payload }] },
      });
      this.#seq[device] = response.lastSeq;
      const r = response.results[0];
      if (!r || r.status === 'not_applied') outcome = { refused: null, lost: true, result: null };
      else if (r.status === 'rejected') outcome = { refused: r.error?.code ?? 'REJECTED', lost: false, result: null };
      else outcome = { refused: settledNothing(type, r.result), lost: false, result: r.result };
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
      outcome = error.code === 'NETWORK' ? { refused: null, lost: true, result: null } : { refused: error.code, lost: false, result: null };
    }
    // Not applied, or the answer lost: where its head is now, only the server knows.
    if (outcome.lost) this.#seq[device] = null;
    this.#count(attack, outcome);
    this.#note(`${attack ?? 'groundwork'}: ${device} pushed ${type} → ${outcome.lost ? 'lost' : (outcome.refused ?? 'applied')}`);
    return outcome;
  }

  #recover(attack: Attack | null, route: Route, device: Device, body: LoadRecoverRequest): Promise<Outcome> {
    const what = `recover ${body.loadId ? body.loadId.slice(0, 8) : '(no load named)'} of card ${short(body.cardNo)} at counter ${body.probe.answer.onlineTtc}`;
    if (route === 'push') return this.#push(attack, device, 'load.recover', body);
    return this.#call(
      attack,
      what,
      () => this.#api[device].call('loadRecover', { body }),
      (r) => (r.settled === null ? 'SETTLED_NOTHING' : null),
    );
  }

  #complete(attack: Attack | null, route: Route, kind: Kind, loadId: string, tac: string): Promise<Outcome> {
    const device: Device = kind === 'unload' || this.#random.chance(0.3) ? 'tablet' : 'kiosk';
    if (route === 'push') return this.#push(attack, device, `${kind}.complete`, { loadId, tac });
    const endpoint = kind === 'load' ? 'loadComplete' : 'unloadComplete';
    return this.#call(attack, `${kind} complete ${loadId.slice(0, 8)} with ${tac}`, () =>
      this.#api[device].call(endpoint, { body: { loadId, tac } }),
    );
  }

  async #initialise(
    attack: Attack | null,
    kind: Kind,
    seen: SeenAnswer,
    terminalId: string,
    device: Device,
  ): Promise<LoadInitialiseResponse | null> {
    const cardNo = seen.cardNo;
    const chip = this.#run.chips.get(cardNo);
    const single = chip?.spec.role !== 'main' && chip?.spec.role !== 'sub';
    const account = kind === 'load' ? (single ? 'QUOTA' : 'RESERVE') : single ? 'QUOTA' : this.#random.pick(['QUOTA', 'RESERVE'] as const);
    const operationId = uuidFrom(this.#random);
    const what = `${kind} initialise of card ${short(cardNo)} at counter ${seen.answer.onlineTtc}, ${seen.amountFen} fen`;
    const outcome =
      kind === 'load'
        ? await this.#call(attack, what, () =>
            this.#api[device].call('loadInitialise', {
              body: {
                operationId,
                cardNo,
                amountFen: seen.amountFen,
                sourceAccount: account,
                terminalId,
                ...(seen.purse === 'EP' ? { purse: 'EP' as const } : {}),
                card: seen.answer,
              },
            }),
          )
        : await this.#call(attack, what, () =>
            this.#api[device].call('unloadInitialise', {
              body: { operationId, cardNo, amountFen: seen.amountFen, destinationAccount: account, terminalId, card: seen.answer },
            }),
          );
    if (outcome.result) this.#seeLoad(outcome.result.load);
    return outcome.result;
  }

  // ---- card sessions -------------------------------------------------------------------

  /** A customer puts a card into the adversary's kiosk (or hands it to its operator), types the PIN, and goes. */
  async #cardSession(): Promise<void> {
    const run = this.#run;
    const free = [...run.chips.keys()].filter((c) => !run.inReader.has(c) && !run.cardsAway.has(c));
    // Mostly single-user cards, whose quota always has money waiting (a unit's cards load only what was pre-allocated).
    const single = free.filter((c) => run.chips.get(c)!.spec.role === 'single');
    const cards = single.length > 0 && this.#random.chance(ADVERSARY_LIMITS.singleCardShare) ? single : free;
    if (cards.length === 0) return;
    const cardNo = this.#random.pick(cards);
    const chip = run.chips.get(cardNo)!;
    run.inReader.set(cardNo, ADVERSARY_DEVICES.kiosk.id);
    run.touchedCards.add(cardNo);
    this.report.cardSessions++;
    const transmit: Transmit = async (apdu) => chip.card.transmit(apdu);
    chip.card.powerOn();
    try {
      await selectSinopec(transmit);
      await verifyPin(transmit, chipPin(chip, run.pins.get(cardNo)!));
      const s: Session = { chip, cardNo, transmit };
      const script = this.#random.next();
      const canUnload = chipBalanceFen(chip) >= 100;
      if (script < 0.35) await this.#staleLoad(s);
      else if (script < 0.55) await (canUnload ? this.#staleUnload(s) : this.#staleLoad(s));
      else if (script < 0.7) await this.#deadMac2(s);
      else if (script < 0.8) await this.#creditThenFreshProbe(s);
      else if (script < 0.9) await this.#initialiseTwice(s);
      else await this.#plainLoad(s);
    } catch (error) {
      // The card said no where the adversary expected yes (a purse limit, a PIN tried by a customer): the session ends.
      this.#note(`card ${short(cardNo)} session ends: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      chip.card.powerOff();
      run.inReader.delete(cardNo);
    }
  }

  #amountFen(): number {
    return this.#random.int(1, ADVERSARY_LIMITS.amountYuanMax) * 100;
  }

  /** A load's amount the card's account can pay, as a kiosk finds it (the card inquiry); a random one when it cannot tell. */
  async #loadAmountFen(s: Session): Promise<number> {
    const wanted = this.#amountFen();
    const asked = await this.#call(null, `inquiry of card ${short(s.cardNo)}`, () =>
      this.#api.kiosk.call('cardInquiry', { params: { cardNo: s.cardNo } }),
    );
    if (!asked.result) return wanted;
    const source = asked.result.accounts.find((a) => a.code === (s.chip.spec.role === 'single' ? 'QUOTA' : 'RESERVE'));
    const purse = asked.result.accounts.find((a) => a.code === 'PURSE');
    const room = Math.min(source?.availableFen ?? 0, asked.result.purseLimitFen - (purse?.balanceFen ?? 0) - (purse?.pendingFen ?? 0));
    return room >= 100 ? Math.min(wanted, Math.floor(room / 100) * 100) : wanted;
  }

  /** INITIALIZE FOR LOAD on the card, kept; null when the card refuses. */
  async #initLoad(s: Session, purse: PurseName, amountFen: number, terminalId: string): Promise<SeenAnswer | null> {
    try {
      const answer = await initializeForLoad(s.transmit, {
        purse: purse === 'EP' ? PURSE.EP : PURSE.ED,
        keyIndex: 1,
        amountFen,
        terminalId,
      });
      const seen: SeenAnswer = { cardNo: s.cardNo, kind: 'load', purse, amountFen, terminalId, answer: toAnswer(answer) };
      this.#answers.push(seen);
      return seen;
    } catch (error) {
      this.#note(`card ${short(s.cardNo)} refused INITIALIZE FOR LOAD: ${cardRefusal(error)}`);
      return null;
    }
  }

  async #initUnload(s: Session, amountFen: number, terminalId: string): Promise<SeenAnswer | null> {
    try {
      const answer = await initializeForUnload(s.transmit, { keyIndex: 1, amountFen, terminalId });
      const seen: SeenAnswer = { cardNo: s.cardNo, kind: 'unload', purse: 'ED', amountFen, terminalId, answer: toAnswer(answer) };
      this.#answers.push(seen);
      return seen;
    } catch (error) {
      this.#note(`card ${short(s.cardNo)} refused INITIALIZE FOR UNLOAD: ${cardRefusal(error)}`);
      return null;
    }
  }

  /** CREDIT FOR LOAD (or DEBIT FOR UNLOAD) with the server's MAC2: the TAC (MAC3), or null when the card refuses. */
  async #write(s: Session, kind: Kind, auth: LoadInitialiseResponse, attack: Attack | null = null): Promise<string | null> {
    let tac: string | null = null;
    let refused: string | null = null;
    try {
      tac = kind === 'load' ? (await creditForLoad(s.transmit, auth)).tac : (await debitForUnload(s.transmit, auth)).mac3;
      this.#proofs.push({ cardNo: s.cardNo, kind, loadId: auth.load.loadId, tac });
    } catch (error) {
      refused = cardRefusal(error);
    }
    this.#count(attack, { refused, lost: false });
    this.#note(
      `${attack ?? 'groundwork'}: card ${short(s.cardNo)} ${kind === 'load' ? 'CREDIT FOR LOAD' : 'DEBIT FOR UNLOAD'} ${auth.load.loadId.slice(0, 8)} → ${refused ?? `took it (${tac})`}`,
    );
    return tac;
  }

  #route(): Route {
    return this.#random.chance(0.5) ? 'endpoint' : 'push';
  }

  /** A recovery with a stale probe: named (mostly) or not, through the endpoint or the push. */
  #staleRecovery(held: Held, probe: SeenAnswer): LoadRecoverRequest {
    const named = this.#random.chance(0.85);
    return {
      cardNo: held.load.cardNo,
      ...(named ? { loadId: held.load.loadId } : {}),
      probe: {
        amountFen: probe.amountFen,
        terminalId: probe.terminalId,
        ...(probe.purse === 'EP' ? { purse: 'EP' as const } : {}),
        answer: probe.answer,
      },
    };
  }

  /**
   * The attack of the outside review, load side: a probe at the counter (maybe), INITIALIZE FOR
   * LOAD, initialise, CREDIT FOR LOAD with the TAC kept back, then a recovery whose probe is one
   * of the answers taken before the MAC2; the TAC later, now, or never.
   */
  async #staleLoad(s: Session): Promise<void> {
    const device: Device = this.#random.chance(0.75) ? 'kiosk' : 'tablet';
    const terminalId = ADVERSARY_DEVICES[device].terminalId;
    const purse: PurseName = this.#random.chance(0.2) ? 'EP' : 'ED';
    const early = this.#random.chance(0.5)
      ? await this.#initLoad(s, this.#random.pick(['ED', 'EP'] as const), this.#random.chance(0.5) ? 0 : this.#amountFen(), terminalId)
      : null;
    const own = await this.#initLoad(s, purse, await this.#loadAmountFen(s), terminalId);
    if (!own) return;
    const auth = await this.#initialise(null, 'load', own, terminalId, device);
    if (!auth) return;
    const held: Held = { load: this.#loads.get(auth.load.loadId)!, proof: null, stale: early ? [own, early] : [own] };
    // Now and then the stale recovery goes first and the card takes the load after it.
    if (this.#random.chance(0.25))
      await this.#recover('stale-probe', this.#route(), device, this.#staleRecovery(held, this.#random.pick(held.stale)));
    held.proof = await this.#write(s, 'load', auth);
    await this.#afterStaleWrite(held, device);
  }

  /** The same attack on an outlet unload: DEBIT FOR UNLOAD with the MAC3 kept back, then a stale probe. */
  async #staleUnload(s: Session): Promise<void> {
    const terminalId = ADVERSARY_DEVICES.tablet.terminalId;
    const early = await this.#initLoad(s, 'ED', 0, terminalId);
    const amountFen = Math.min(chipBalanceFen(s.chip), this.#amountFen());
    const own = await this.#initUnload(s, amountFen, terminalId);
    if (!own) return;
    const auth = await this.#initialise(null, 'unload', own, terminalId, 'tablet');
    if (!auth) return;
    const held: Held = { load: this.#loads.get(auth.load.loadId)!, proof: null, stale: early ? [early, own] : [own] };
    if (this.#random.chance(0.25))
      await this.#recover('stale-probe', this.#route(), 'tablet', this.#staleRecovery(held, this.#random.pick(held.stale)));
    held.proof = await this.#write(s, 'unload', auth);
    // The unload's own answer is no probe at all (its MAC1 is an unload's): sent anyway, now and then.
    await this.#afterStaleWrite(held, 'tablet');
  }

  async #afterStaleWrite(held: Held, device: Device): Promise<void> {
    const probe = this.#random.pick(held.stale);
    await this.#recover('stale-probe', this.#route(), device, this.#staleRecovery(held, probe));
    if (this.#random.chance(0.3) && held.load.probeChallenge) {
      const claimed = { ...this.#staleRecovery(held, probe), loadId: held.load.loadId };
      claimed.probe = { ...claimed.probe, terminalId: held.load.probeChallenge };
      await this.#recover('claimed-challenge', this.#route(), device, claimed);
    }
    if (this.#random.chance(0.3))
      await this.#recover('stale-probe', this.#route(), device, this.#staleRecovery(held, this.#random.pick(held.stale)));
    if (held.proof === null) return;
    const when = this.#random.next();
    if (when < 0.3) await this.#complete('late-proof', this.#route(), held.load.kind, held.load.loadId, held.proof);
    else if (when < 0.7) this.#later(held, device);
    else this.#note(`keeps the ${held.load.kind === 'load' ? 'TAC' : 'MAC3'} of ${held.load.loadId.slice(0, 8)} for ever`);
  }

  /** The held proof sent minutes later, after a stale recovery sent again (an honest device may have settled it meanwhile). */
  #later(held: Held, device: Device): void {
    const r = this.#random;
    this.#run.scheduler.after(r.int(ADVERSARY_LIMITS.lateMsMin, ADVERSARY_LIMITS.lateMsMax), 'adversary late', async () => {
      if (r.chance(0.5)) await this.#recover('stale-probe', this.#route(), device, this.#staleRecovery(held, r.pick(held.stale)));
      await this.#complete('late-proof', this.#route(), held.load.kind, held.load.loadId, held.proof!);
    });
  }

  /**
   * A MAC2 after its session ended: initialise, then a fresh probe (INITIALIZE FOR LOAD with the
   * challenge), then CREDIT FOR LOAD with the MAC2 — the card must refuse. The fresh probe is sent
   * (a rightful void) before or after, and the old answer initialised again and credited again.
   */
  async #deadMac2(s: Session): Promise<void> {
    const device: Device = this.#random.chance(0.75) ? 'kiosk' : 'tablet';
    const terminalId = ADVERSARY_DEVICES[device].terminalId;
    const own = await this.#initLoad(s, 'ED', await this.#loadAmountFen(s), terminalId);
    if (!own) return;
    const auth = await this.#initialise(null, 'load', own, terminalId, device);
    if (!auth?.load.probeChallenge) return;
    const fresh = await this.#initLoad(s, this.#random.chance(0.2) ? 'EP' : 'ED', 0, auth.load.probeChallenge);
    if (!fresh) return;
    const freshRecovery: LoadRecoverRequest = {
      cardNo: s.cardNo,
      loadId: auth.load.loadId,
      probe: {
        amountFen: 0,
        terminalId: fresh.terminalId,
        ...(fresh.purse === 'EP' ? { purse: 'EP' as const } : {}),
        answer: fresh.answer,
      },
    };
    const sendFirst = this.#random.chance(0.5);
    if (sendFirst) await this.#recover(null, this.#route(), device, freshRecovery);
    await this.#write(s, 'load', auth, 'dead-mac2');
    if (!sendFirst) await this.#recover(null, this.#route(), device, freshRecovery);
    // The old answer again: its session is long gone, whatever the server answers.
    const again = await this.#initialise('initialise-replay', 'load', own, terminalId, device);
    if (again) await this.#write(s, 'load', again, 'dead-mac2');
  }

  /** CREDIT FOR LOAD with the TAC kept back, then a fresh probe (with GET TRANSACTION PROVE, or not): a rightful post; then the stale answer and the TAC. */
  async #creditThenFreshProbe(s: Session): Promise<void> {
    const terminalId = ADVERSARY_DEVICES.kiosk.terminalId;
    const own = await this.#initLoad(s, 'ED', await this.#loadAmountFen(s), terminalId);
    if (!own) return;
    const auth = await this.#initialise(null, 'load', own, terminalId, 'kiosk');
    if (!auth?.load.probeChallenge) return;
    const tac = await this.#write(s, 'load', auth);
    const fresh = await this.#initLoad(s, 'ED', 0, auth.load.probeChallenge);
    if (!fresh) return;
    let prove: { tac: string; mac: string } | undefined;
    if (this.#random.chance(0.5))
      prove = await getTransactionProve(s.transmit, { transType: TRANS_TYPE.LOAD_ED, ttc: auth.load.onlineTtc }).catch(() => undefined);
    if (prove) this.#proofs.push({ cardNo: s.cardNo, kind: 'load', loadId: auth.load.loadId, tac: prove.tac });
    await this.#recover(null, this.#route(), 'kiosk', {
      cardNo: s.cardNo,
      loadId: auth.load.loadId,
      probe: { amountFen: 0, terminalId: fresh.terminalId, answer: fresh.answer },
      ...(prove ? { prove } : {}),
    });
    const held: Held = { load: this.#loads.get(auth.load.loadId)!, proof: tac, stale: [own] };
    await this.#recover('stale-probe', this.#route(), 'kiosk', this.#staleRecovery(held, own));
    if (tac) await this.#complete('late-proof', this.#route(), 'load', auth.load.loadId, tac);
  }

  /** One answer initialised twice (a new operation id: LOAD_PENDING), then credited, or left for the next honest kiosk to settle. */
  async #initialiseTwice(s: Session): Promise<void> {
    const terminalId = ADVERSARY_DEVICES.kiosk.terminalId;
    const own = await this.#initLoad(s, 'ED', await this.#loadAmountFen(s), terminalId);
    if (!own) return;
    const first = await this.#initialise(null, 'load', own, terminalId, 'kiosk');
    const second = await this.#initialise('initialise-replay', 'load', own, terminalId, 'kiosk');
    const auth = second ?? first;
    if (auth && this.#random.chance(0.5)) {
      const tac = await this.#write(s, 'load', auth);
      if (tac && this.#random.chance(0.5)) await this.#complete(null, this.#route(), 'load', auth.load.loadId, tac);
    }
  }

  /** A load done right (money on the card for later unloads), its TAC sent at once. */
  async #plainLoad(s: Session): Promise<void> {
    const terminalId = ADVERSARY_DEVICES.kiosk.terminalId;
    const own = await this.#initLoad(s, 'ED', await this.#loadAmountFen(s), terminalId);
    if (!own) return;
    const auth = await this.#initialise(null, 'load', own, terminalId, 'kiosk');
    if (!auth) return;
    const tac = await this.#write(s, 'load', auth);
    if (tac) await this.#complete(null, this.#route(), 'load', auth.load.loadId, tac);
  }

  // ---- replays without a card ----------------------------------------------------------

  async #replayBurst(): Promise<void> {
    const r = this.#random;
    for (let i = r.int(1, ADVERSARY_LIMITS.replaysPerBurstMax); i > 0; i--) {
      const choice = r.next();
      if (choice < 0.3) await this.#replayProbe();
      else if (choice < 0.45) await this.#replayRecovery();
      else if (choice < 0.65) await this.#replayInitialise();
      else if (choice < 0.85) await this.#replayProof();
      else await this.#replayOperation();
    }
  }

  /** Any captured answer of a card as the probe of any captured load of that card (or none named). */
  async #replayProbe(): Promise<void> {
    if (this.#answers.length === 0) return;
    const r = this.#random;
    const seen = r.pick(this.#answers);
    const loads = [...this.#loads.values()].filter((l) => l.cardNo === seen.cardNo);
    const load = loads.length > 0 && r.chance(0.85) ? r.pick(loads) : null;
    const device: Device = r.chance(0.6) ? 'kiosk' : 'tablet';
    // Its own terminal (where the answer was made for another, MAC1 says no), or the answer's own.
    const terminalId = r.chance(0.5) ? seen.terminalId : ADVERSARY_DEVICES[device].terminalId;
    const body: LoadRecoverRequest = {
      cardNo: seen.cardNo,
      ...(load ? { loadId: load.loadId } : {}),
      probe: { amountFen: seen.amountFen, terminalId, ...(seen.purse === 'EP' ? { purse: 'EP' as const } : {}), answer: seen.answer },
    };
    const proof = r.chance(0.3) && this.#proofs.length > 0 ? r.pick(this.#proofs) : null;
    await this.#recover('probe-replay', this.#route(), device, proof ? { ...body, prove: { tac: proof.tac } } : body);
  }

  async #replayRecovery(): Promise<void> {
    if (this.#recoveries.length === 0) return;
    const recovery = this.#random.pick(this.#recoveries);
    await this.#recover('recovery-replay', this.#route(), this.#random.chance(0.6) ? 'kiosk' : 'tablet', recovery);
  }

  async #replayInitialise(): Promise<void> {
    const usable = this.#answers.filter((a) => a.amountFen > 0);
    if (usable.length === 0) return;
    const r = this.#random;
    const seen = r.pick(usable);
    const kind: Kind = r.chance(0.85) ? seen.kind : seen.kind === 'load' ? 'unload' : 'load';
    const device: Device = kind === 'unload' ? 'tablet' : r.chance(0.7) ? 'kiosk' : 'tablet';
    const terminalId = r.chance(0.5) ? seen.terminalId : ADVERSARY_DEVICES[device].terminalId;
    await this.#initialise('initialise-replay', kind, seen, terminalId, device);
  }

  /** A captured TAC or MAC3 against a load of the same card (or any), as either kind, by either route. */
  async #replayProof(): Promise<void> {
    if (this.#proofs.length === 0) return;
    const r = this.#random;
    const proof = r.pick(this.#proofs);
    // Never the load it was made for: sent there it is no attack but the proof it is (late-proof).
    const others = [...this.#loads.values()].filter((l) => l.loadId !== proof.loadId);
    const sameCard = others.filter((l) => l.cardNo === proof.cardNo);
    if (others.length === 0) return;
    const load = sameCard.length > 0 && r.chance(0.8) ? r.pick(sameCard) : r.pick(others);
    const kind: Kind = r.chance(0.8) ? load.kind : load.kind === 'load' ? 'unload' : 'load';
    await this.#complete('wrong-proof', this.#route(), kind, load.loadId, proof.tac);
  }

  /** An honest device's operation pushed again, from the adversary's own device. */
  async #replayOperation(): Promise<void> {
    const ops = this.#operations.filter((o) => o.type === 'load.complete' || o.type === 'load.recover' || o.type === 'unload.complete');
    if (ops.length === 0) return;
    const op = this.#random.pick(ops);
    await this.#push('push-replay', op.type === 'unload.complete' || this.#random.chance(0.4) ? 'tablet' : 'kiosk', op.type, op.payload);
  }
}

/** The card layer's decoded INITIALIZE answer as the contract's shape. */
function toAnswer(a: {
  balanceFen: number;
  onlineTtc: number;
  keyVersion: number;
  algId: number;
  random: string;
  mac1: string;
}): InitializeAnswer {
  return { balanceFen: a.balanceFen, onlineTtc: a.onlineTtc, keyVersion: a.keyVersion, algId: a.algId, random: a.random, mac1: a.mac1 };
}

/** A pushed recovery that settled nothing changed nothing: counted as refused. */
function settledNothing(type: string, result: unknown): string | null {
  if (type !== 'load.recover') return null;
  return (result as { settled?: unknown } | null)?.settled ? null : 'SETTLED_NOTHING';
}
