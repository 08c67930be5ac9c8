/**
 * Whole card sessions recorded as APDU transcripts (tests/transcripts/*.apdu): read, load, unload,
 * PIN change, PIN unblock, grey unlock. Each runs the real flows of this folder against the test
 * card model with a host that computes MAC2 with ccid/crypto from the test master keys, so a
 * transcript is evidence that flows, codecs and crypto agree. Deterministic: same bytes every run.
 */
import { fromHex, toHex } from '../bytes.ts';
import * as C from '../crypto/index.ts';
import { encodeBcdDate, encodeBcdTime } from './bcd.ts';
import { verifyPin } from './card.ts';
import { FuelCardError } from './errors.ts';
import { load, unload, type OnlineHost } from './load.ts';
import { changePin, unblockPin } from './pin.ts';
import { readCard } from './read.ts';
import { selectSinopec } from './card.ts';
import { TEST_TERMINAL_ID, TestCard, testCardKeys } from './test-card.ts';
import { formatTrace } from './trace.ts';
import { onlineGreyUnlock, type GreyUnlockHost } from './unlock.ts';
import type { Transmit } from './transport.ts';

const DATE = '2024-01-02';
const TIME = '03:04:05';

type Recorded = { command: Uint8Array; response: Uint8Array | null; comment?: string };

export function recorder(transmit: Transmit): { transmit: Transmit; note: (text: string) => void; exchanges: Recorded[] } {
  const exchanges: Recorded[] = [];
  let comment: string | undefined;
  return {
    exchanges,
    note: (text) => (comment = text),
    transmit: async (command) => {
      const response = await transmit(command);
      exchanges.push({ command, response, ...(comment === undefined ? {} : { comment }) });
      comment = undefined;
      return response;
    },
  };
}

/** The host of the tests: checks MAC1 and answers MAC2, with the card keys of the test card. */
export const testLoadHost: OnlineHost = async (r) => {
  const keys = testCardKeys();
  const isLoad = r.transType !== C.TRANS_TYPE.UNLOAD;
  const sessionKey = C.loadSessionKey(isLoad ? keys.DLK : keys.DULK, fromHex(r.random), r.onlineTtc);
  const terminalId = fromHex(r.terminalId);
  const mac1 = isLoad
    ? C.loadMac1({ sessionKey, balanceFen: r.balanceFen, amountFen: r.amountFen, transType: r.transType, terminalId })
    : C.unloadMac1({ sessionKey, balanceFen: r.balanceFen, amountFen: r.amountFen, terminalId });
  if (toHex(mac1) !== r.mac1) throw new Error('MAC1 does not verify');
  const stamp = { sessionKey, amountFen: r.amountFen, terminalId, date: encodeBcdDate(DATE), time: encodeBcdTime(TIME) };
  const mac2 = isLoad ? C.loadMac2({ ...stamp, transType: r.transType }) : C.unloadMac2(stamp);
  return { mac2: toHex(mac2), date: DATE, time: TIME };
};

export function testUnlockHost(amountFen: number): GreyUnlockHost {
  return async (r) => {
    const sessionKey = C.onlineUnlockSessionKey(testCardKeys().DUGK, fromHex(r.random), r.onlineTtc);
    const mac2 = C.onlineUnlockMac2({ sessionKey, amountFen, terminalId: fromHex(r.terminalId), date: encodeBcdDate(DATE), time: encodeBcdTime(TIME) });
    return { amountFen, mac2: toHex(mac2), date: DATE, time: TIME };
  };
}

const GREY_CARD_PROOF = {
  greyStatus: 0x01, greyState: 'LOCKED', transType: 0x91, purseType: 0x01, balanceFen: 20000, offlineTtc: 2,
  terminalId: '320100000007', date: '2024-01-01', time: '18:30:00', mac2: '1A2B3C4D', gtac: '5E6F7081',
} as const;

async function quietly(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof FuelCardError)) throw error;
  }
}

type Session = { card: () => TestCard; prepare?: (card: TestCard) => Promise<void>; run: (transmit: Transmit, note: (text: string) => void) => Promise<void> };

export const SESSIONS: Record<string, Session> = {
  read: {
    card: () => new TestCard(),
    prepare: async (card) => void (await load(card.transmit, { amountFen: 10000, terminalId: TEST_TERMINAL_ID, host: testLoadHost })),
    run: async (transmit, note) => {
      note('read a card: application, files, PIN, log, lock proof, balance');
      await readCard(transmit, { pin: '123456', recordsMax: 3 });
    },
  },
  load: {
    card: () => new TestCard({ balanceFen: 5000 }),
    run: async (transmit, note) => {
      await selectSinopec(transmit);
      await verifyPin(transmit, '123456');
      note('load 100.00 yuan: INITIALIZE FOR LOAD, the host answers MAC2, CREDIT FOR LOAD gives the TAC');
      await load(transmit, { amountFen: 10000, terminalId: TEST_TERMINAL_ID, host: testLoadHost });
    },
  },
  unload: {
    card: () => new TestCard({ balanceFen: 8000 }),
    run: async (transmit, note) => {
      await selectSinopec(transmit);
      await verifyPin(transmit, '123456');
      note('unload 30.00 yuan');
      await unload(transmit, { amountFen: 3000, terminalId: TEST_TERMINAL_ID, host: testLoadHost });
    },
  },
  'pin-change': {
    card: () => new TestCard(),
    run: async (transmit, note) => {
      await selectSinopec(transmit);
      note('change the PIN 123456 to 654321, then verify the new one');
      await changePin(transmit, { oldPin: '123456', newPin: '654321' });
      await verifyPin(transmit, '654321');
    },
  },
  'pin-unblock': {
    card: () => new TestCard(),
    run: async (transmit, note) => {
      await selectSinopec(transmit);
      note('three wrong PINs block the PIN; a fourth try answers 6983');
      for (let i = 0; i < 4; i++) await quietly(() => verifyPin(transmit, '000000'));
      note('PIN UNBLOCK with the host data for the challenge (the outlet resets the PIN to 123456)');
      await unblockPin(transmit, {
        asn: '01000113200000123456',
        host: async ({ challenge }) => {
          const data = C.pinUnblockData({ dpuk: testCardKeys().DPUK, pin: fromHex('123456'), challenge: fromHex(challenge) });
          return { encryptedPinBlock: toHex(data.subarray(0, 8)), mac: toHex(data.subarray(8)) };
        },
      });
      await verifyPin(transmit, '123456');
    },
  },
  'grey-unlock': {
    card: () => new TestCard({ balanceFen: 20000, offlineTtc: 2, lockProof: { ...GREY_CARD_PROOF } }),
    run: async (transmit, note) => {
      await selectSinopec(transmit);
      await verifyPin(transmit, '123456');
      note('a grey card: online forced unlock (type 95) owing 15.00 yuan, then TACUF cleared');
      await onlineGreyUnlock(transmit, { terminalId: TEST_TERMINAL_ID, host: testUnlockHost(1500) });
    },
  },
};

/** Records one session against a fresh test card. */
export async function recordSession(name: string): Promise<Recorded[]> {
  const session = SESSIONS[name];
  if (session === undefined) throw new Error(`no session ${name}`);
  const card = session.card();
  await session.prepare?.(card);
  const r = recorder(card.transmit);
  await session.run(r.transmit, r.note);
  return r.exchanges;
}

/** Records every session; name → transcript text. */
export async function recordSessions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(SESSIONS)) {
    out[name] = `# ${name}: recorded by ccid/fuelcard/sessions.ts against its test card model\n${formatTrace(await recordSession(name))}`;
  }
  return out;
}
