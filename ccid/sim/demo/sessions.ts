/**
 * Whole card sessions recorded as APDU transcripts (tests/transcripts/*.apdu): read, load, unload,
 * PIN change, PIN unblock and reload, grey unlock, load recovery, personalisation. Each runs the
 * real flows of ccid/fuelcard against a simulated card of ccid/sim (a demo card, or a blank one),
 * with the demo issuer (issuer.ts) as the host. Deterministic: the card's randoms come from its
 * seeded generator and the host's clock is fixed, so a fresh card in the same state answers a
 * transcript's commands byte for byte, and a recording is the same text every run.
 *
 * Transcripts keep the data of PIN commands in clear (demo PINs only) so that they can be replayed;
 * traces of real sessions mask it (ccid/fuelcard `fuelCardTraceRecorder`).
 */
import { toHex } from '../../bytes.ts';
import { TRANS_TYPE } from '../../crypto/index.ts';
import { selectSinopec, verifyPin } from '../../fuelcard/card.ts';
import { FuelCardError, type FuelCardErrorCode } from '../../fuelcard/errors.ts';
import { personalise } from '../../fuelcard/issue.ts';
import { load, recoverOnline, unload } from '../../fuelcard/load.ts';
import { changePin, reloadCardPin, unblockPin } from '../../fuelcard/pin.ts';
import { readCard } from '../../fuelcard/read.ts';
import { commandName } from '../../fuelcard/trace.ts';
import type { Transmit } from '../../fuelcard/transport.ts';
import { onlineGreyUnlock } from '../../fuelcard/unlock.ts';
import { TraceRecorder } from '../../iso7816/trace.ts';
import { createDemoCard, DEMO_PIN, type DemoCardId } from './cards.ts';
import { demoIssuer, demoPersonalisation, type DemoIssuance } from './issuer.ts';
import { blankFuelCard } from '../card/issue.ts';
import type { FuelCard, FuelCardOptions } from '../card/fuel-card.ts';

/** The host's fixed clock and the load terminal of every session. */
export const SESSION_DATE = '2024-06-01';
export const SESSION_TIME = '10:11:12';
export const SESSION_TERMINAL_ID = '000000000001';

/** The card a personalisation session issues. */
export const ISSUED_CARD: DemoIssuance = { asn: '01000113200000000099', holderName: '赵敏', idNumber: '320102199909099999', pin: '654321' };

/** A card in its starting state: a demo card by id, or a blank card; `asn` is the card number (hex). */
export type SessionCard = { card: FuelCard; asn: string; label: string };

type Note = (text: string) => void;

export type CardSessionScript = {
  /** A fresh card in the session's starting state, unpowered (options: e.g. another ATR). */
  card: (options?: FuelCardOptions) => SessionCard;
  run: (transmit: Transmit, card: SessionCard, note: Note) => Promise<void>;
};

function demo(id: DemoCardId): (options?: FuelCardOptions) => SessionCard {
  return (options) => {
    const d = createDemoCard(id, options);
    return { card: d.card, asn: toHex(d.asn), label: `the demo card "${id}" of ccid/sim/demo/cards.ts` };
  };
}

const issuerOf = (card: SessionCard) => demoIssuer({ asn: card.asn, date: SESSION_DATE, time: SESSION_TIME });

/** Runs a step the card must refuse with `code`; anything else is a broken session. */
async function refused(code: FuelCardErrorCode, step: () => Promise<unknown>): Promise<void> {
  const error = await step().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof FuelCardError) || error.code !== code) throw new Error(`expected ${code}, got ${String(error)}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`session check failed: ${what}`);
}

async function openApplication(transmit: Transmit): Promise<void> {
  await selectSinopec(transmit);
  await verifyPin(transmit, DEMO_PIN);
}

export const SESSIONS: Readonly<Record<string, CardSessionScript>> = {
  read: {
    card: demo('named'),
    run: async (transmit, _card, note) => {
      note('read a card: application, files, PIN, log (to its end), lock proof, balance');
      const reading = await readCard(transmit, { pin: DEMO_PIN, recordsMax: 3 });
      check(reading.balanceFen === 80_000 && reading.records?.length === 2, 'the named card holds 800.00 yuan from two loads');
    },
  },
  load: {
    card: demo('named'),
    run: async (transmit, card, note) => {
      await openApplication(transmit);
      note('load 100.00 yuan: INITIALIZE FOR LOAD gives MAC1, the host answers MAC2, CREDIT FOR LOAD gives the TAC');
      const result = await load(transmit, { amountFen: 10_000, terminalId: SESSION_TERMINAL_ID, host: issuerOf(card).online });
      check(issuerOf(card).tacValid(result), 'the load TAC verifies');
    },
  },
  unload: {
    card: demo('named'),
    run: async (transmit, card, note) => {
      await openApplication(transmit);
      note('unload 30.00 yuan: INITIALIZE FOR UNLOAD, the host MAC2, DEBIT FOR UNLOAD gives MAC3');
      const result = await unload(transmit, { amountFen: 3_000, terminalId: SESSION_TERMINAL_ID, host: issuerOf(card).online });
      check(issuerOf(card).tacValid(result), 'the unload MAC3 verifies');
    },
  },
  'load-recovery': {
    card: demo('named'),
    run: async (transmit, card, note) => {
      await openApplication(transmit);
      const loaded = await load(transmit, { amountFen: 2_000, terminalId: SESSION_TERMINAL_ID, host: issuerOf(card).online });
      note('the answer of CREDIT FOR LOAD was lost: the counter has moved on, GET TRANSACTION PROVE gives the TAC');
      const recovered = await recoverOnline(transmit, {
        transType: TRANS_TYPE.LOAD_ED,
        onlineTtc: loaded.onlineTtc,
        terminalId: SESSION_TERMINAL_ID,
      });
      check(recovered.outcome === 'COMPLETED' && recovered.tac === loaded.tac, 'recovery finds the load and its TAC');
    },
  },
  'pin-change': {
    card: demo('named'),
    run: async (transmit, _card, note) => {
      await selectSinopec(transmit);
      note('change the PIN 123456 to 654321, then verify the old one (refused) and the new one');
      await changePin(transmit, { oldPin: DEMO_PIN, newPin: '654321' });
      await refused('PIN_WRONG', () => verifyPin(transmit, DEMO_PIN));
      await verifyPin(transmit, '654321');
    },
  },
  'pin-unblock': {
    card: demo('pinBlocked'),
    run: async (transmit, card, note) => {
      await selectSinopec(transmit);
      note('three wrong PINs have blocked the PIN: VERIFY answers 6983');
      await refused('PIN_BLOCKED', () => verifyPin(transmit, DEMO_PIN));
      note('PIN UNBLOCK with the host data for the challenge: the outlet resets the PIN to 123456');
      await unblockPin(transmit, { asn: card.asn, host: issuerOf(card).pinUnblock(DEMO_PIN) });
      await verifyPin(transmit, DEMO_PIN);
      note('RELOAD PIN with the host MAC sets 888888');
      await reloadCardPin(transmit, { asn: card.asn, host: issuerOf(card).pinReload('888888') });
      await verifyPin(transmit, '888888');
    },
  },
  'grey-unlock': {
    card: demo('grey'),
    run: async (transmit, card, note) => {
      await openApplication(transmit);
      note('a grey card (pulled during fuelling, 123.45 yuan owed): online unlock type 95; the lock proof is read again after');
      const result = await onlineGreyUnlock(transmit, { terminalId: SESSION_TERMINAL_ID, host: issuerOf(card).unlock(12_345) });
      check(result.lockProof?.greyState === 'LOCKED' && card.card.inspect().grey.status === 0, 'the card was grey and is clear');
    },
  },
  personalise: {
    card: (options) => ({ card: blankFuelCard(options), asn: ISSUED_CARD.asn, label: 'a blank card (ccid/sim blankFuelCard)' }),
    run: async (transmit, card, note) => {
      note(`issue card ${card.asn}: keys from the demo master keys, the PIN, the files under DAMTK MACs`);
      await personalise(transmit, demoPersonalisation(ISSUED_CARD));
      note('the issued card reads back');
      const reading = await readCard(transmit, { pin: ISSUED_CARD.pin });
      check(reading.ef15.asn === card.asn && reading.ef16.holderName === ISSUED_CARD.holderName, 'the files read back');
    },
  },
};

/** A fresh card for a session, powered, and its transmit. */
export function startSession(name: string): { card: SessionCard; transmit: Transmit } {
  const script = SESSIONS[name];
  if (script === undefined) throw new RangeError(`no session ${name}`);
  const card = script.card();
  card.card.powerOn();
  return { card, transmit: async (apdu) => card.card.transmit(apdu) };
}

/** Records one session against a fresh card: the transcript text. */
export async function recordSession(name: string): Promise<string> {
  const { card, transmit } = startSession(name);
  const recorder = new TraceRecorder({ namer: commandName, isPinCommand: () => false, clock: () => 0 });
  await SESSIONS[name]!.run(recorder.wrap(transmit), card, (text) => recorder.comment(text));
  const header = `# ${name}: recorded by ccid/sim/demo/sessions.ts (UPDATE_TRANSCRIPTS=1) against ${card.label}\n`;
  return header + recorder.toTranscript();
}

/** Records every session; name → transcript text. */
export async function recordSessions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(SESSIONS)) out[name] = await recordSession(name);
  return out;
}
