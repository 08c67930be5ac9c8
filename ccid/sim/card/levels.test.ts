/**
 * The whole application layer against the simulated card over the virtual reader, at every exchange
 * level: ccid/fuelcard flows → ccid/usb CcidReader (the real driver) → the fake `navigator.usb` of
 * ccid/sim/reader/install.ts → a virtual reader with the profile of a real one → a simulated card.
 * A blank card is issued by `personalise()` with keys from the demo master keys, then read,
 * verified, loaded and unloaded (the demo issuer plays host: MAC1 checked, MAC2 made, TAC checked),
 * recovered by counter and GET TRANSACTION PROVE, its PIN changed, blocked, unblocked and reloaded;
 * the demo grey card is unlocked online; and every recorded transcript replays through the reader.
 * Every exchange is traced with the fuel-card names and PIN data masked.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../../bytes.ts';
import { TRANS_TYPE } from '../../crypto/index.ts';
import { getBalance, initializeForLoad, selectSinopec, verifyPin } from '../../fuelcard/card.ts';
import { personalise } from '../../fuelcard/issue.ts';
import { load, recoverOnline, unload } from '../../fuelcard/load.ts';
import { changePin, reloadCardPin, unblockPin } from '../../fuelcard/pin.ts';
import { readCard } from '../../fuelcard/read.ts';
import { fuelCardTraceRecorder } from '../../fuelcard/trace.ts';
import type { Transmit } from '../../fuelcard/transport.ts';
import { onlineGreyUnlock } from '../../fuelcard/unlock.ts';
import { parseTranscript, replayTranscript } from '../../iso7816/trace.ts';
import type { ExchangeLevel } from '../../usb/descriptor.ts';
import { CcidReader, traced, type CardSession } from '../../usb/index.ts';
import { createDemoCard, DEMO_PIN } from '../demo/cards.ts';
import { demoIssuer, demoPersonalisation } from '../demo/issuer.ts';
import { FUEL_CARD_ATR } from './fuel-card.ts';
import { blankFuelCard } from './issue.ts';
import { installVirtualUsb } from '../reader/install.ts';
import { READER_PROFILES, type ReaderProfile } from '../reader/profiles.ts';
import { ISSUED_CARD, SESSIONS } from '../demo/sessions.ts';

const FAST = { readTimeoutMs: 500, abortTimeoutMs: 50, slotBusyRetryDelayMs: 1 };
/** T=1 only: TD1 81, TD2 31 with TA3 FE (IFSC 254) and TB3 45 (BWI 4, CWI 5), LRC, TCK 8B. */
const ATR_T1 = fromHex('3B 80 81 31 FE 45 8B');
const TID = '000000000042';
const CLOCK = { date: '2024-06-01', time: '10:11:12' };

type Level = { name: string; profile: ReaderProfile; atr: Uint8Array; level: ExchangeLevel; protocol: 0 | 1 };

const LEVELS: Level[] = [
  { name: 'short APDU (ACR3901U), T=0 card', profile: READER_PROFILES.acr3901u, atr: FUEL_CARD_ATR, level: 'shortApdu', protocol: 0 },
  { name: 'TPDU T=0 (ACR38U, PPS by the host)', profile: READER_PROFILES.acr38u, atr: FUEL_CARD_ATR, level: 'tpdu', protocol: 0 },
  { name: 'TPDU T=1 (ACR39U)', profile: READER_PROFILES.acr39u, atr: ATR_T1, level: 'tpdu', protocol: 1 },
  {
    name: 'extended APDU (Feitian bR301), T=0 card',
    profile: READER_PROFILES.bR301,
    atr: FUEL_CARD_ATR,
    level: 'extendedApdu',
    protocol: 0,
  },
];

/** One virtual reader of the level's profile behind a fake navigator.usb, and the real driver on it. */
async function readerAt(level: Level) {
  const options = { atr: level.atr };
  const fakeNavigator = {} as { usb?: USB };
  const control = installVirtualUsb({
    navigator: fakeNavigator,
    exposeGlobal: false,
    readers: [{ profile: level.profile }],
    cards: { blank: () => blankFuelCard(options), grey: () => createDemoCard('grey', options).card },
  });
  const [device] = await fakeNavigator.usb!.getDevices();
  const reader = await CcidReader.open(device!, { limits: FAST });
  const recorder = fuelCardTraceRecorder({ clock: () => 0 });
  const connect = async (): Promise<{ session: CardSession; transmit: Transmit }> => {
    const session = traced(await reader.connect(), recorder);
    expect(session).toMatchObject({ exchangeLevel: level.level, protocol: level.protocol });
    return { session, transmit: (apdu) => session.transmit(apdu) };
  };
  return { control, reader, recorder, connect };
}

describe.each(LEVELS)('the fuel-card application over the virtual reader at the $name level', (level) => {
  it('issues a blank card, then reads, loads, unloads, recovers, and changes, unblocks and reloads its PIN', async () => {
    const { control, reader, recorder, connect } = await readerAt(level);
    control.insertCard('blank');
    const { transmit } = await connect();
    await personalise(transmit, demoPersonalisation(ISSUED_CARD));
    const issuer = demoIssuer({ asn: ISSUED_CARD.asn, ...CLOCK });

    const reading = await readCard(transmit, { pin: ISSUED_CARD.pin });
    expect(reading).toMatchObject({ pinVerified: true, balanceFen: 0, greyState: 'NORMAL', records: [] });
    expect(reading.ef15.asn).toBe(ISSUED_CARD.asn);
    expect(reading.ef16.holderName).toBe(ISSUED_CARD.holderName);

    const loaded = await load(transmit, { amountFen: 50_000, terminalId: TID, host: issuer.online });
    expect(loaded).toMatchObject({ balanceFen: 0, balanceFenAfter: 50_000, onlineTtc: 0 });
    expect(issuer.tacValid(loaded)).toBe(true);
    const recovered = await recoverOnline(transmit, { transType: TRANS_TYPE.LOAD_ED, onlineTtc: loaded.onlineTtc, terminalId: TID });
    expect(recovered).toEqual({ outcome: 'COMPLETED', tac: loaded.tac, onlineTtcNow: 1 });
    const probe = await initializeForLoad(transmit, { keyIndex: 1, amountFen: 1, terminalId: TID });
    expect(await recoverOnline(transmit, { transType: TRANS_TYPE.LOAD_ED, onlineTtc: probe.onlineTtc, terminalId: TID })).toMatchObject({
      outcome: 'NOT_DONE',
    });

    const unloaded = await unload(transmit, { amountFen: 12_000, terminalId: TID, host: issuer.online });
    expect(issuer.tacValid(unloaded)).toBe(true);
    expect(await getBalance(transmit)).toBe(38_000);

    await changePin(transmit, { oldPin: ISSUED_CARD.pin, newPin: '2468' });
    await expect(verifyPin(transmit, ISSUED_CARD.pin)).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 2 });
    await expect(verifyPin(transmit, '1111')).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 1 });
    await expect(verifyPin(transmit, '1111')).rejects.toMatchObject({ code: 'PIN_BLOCKED', triesLeft: 0 });
    await unblockPin(transmit, { asn: ISSUED_CARD.asn, host: issuer.pinUnblock(DEMO_PIN) });
    await verifyPin(transmit, DEMO_PIN);
    await reloadCardPin(transmit, { asn: ISSUED_CARD.asn, host: issuer.pinReload('8888') });
    await verifyPin(transmit, '8888');

    const names = recorder.entries.filter((e) => e.direction === 'command').map((e) => e.name);
    expect(new Set(names)).toEqual(
      new Set([
        'SELECT',
        'WRITE_KEY',
        'GET_CHALLENGE',
        'UPDATE_BINARY',
        'END_PERSONALISATION',
        'READ_BINARY',
        'VERIFY',
        'READ_RECORD',
        'GET_LOCK_PROOF',
        'GET_BALANCE',
        'INITIALIZE_FOR_LOAD',
        'CREDIT_FOR_LOAD',
        'GET_TRANSACTION_PROVE',
        'INITIALIZE_FOR_UNLOAD',
        'DEBIT_FOR_UNLOAD',
        'CHANGE_PIN',
        'PIN_UNBLOCK',
        'RELOAD_PIN',
      ]),
    );
    const secret = recorder.entries.filter((e) =>
      ['VERIFY', 'CHANGE_PIN', 'PIN_UNBLOCK', 'RELOAD_PIN', 'WRITE_KEY'].includes(e.name ?? ''),
    );
    expect(secret.length).toBeGreaterThan(20);
    for (const entry of secret) expect(entry.text, entry.name).toMatch(/^[0-9A-F]{10}\*\*$/);
    await reader.close();
  });

  it('unlocks the demo grey card online (type 95) with the host MAC2', async () => {
    const { control, reader, connect } = await readerAt(level);
    control.insertCard('grey');
    const { transmit } = await connect();
    await selectSinopec(transmit);
    await verifyPin(transmit, DEMO_PIN);
    const grey = createDemoCard('grey');
    const issuer = demoIssuer({ asn: toHex(grey.asn), ...CLOCK });
    const result = await onlineGreyUnlock(transmit, { terminalId: TID, host: issuer.unlock(grey.greyRecord!.amountFen!) });
    expect(result.lockProof?.greyState).toBe('LOCKED');
    expect((await readCard(transmit, { pin: DEMO_PIN })).greyState).not.toBe('LOCKED');
    expect(await getBalance(transmit)).toBe(40_000 - 12_345);
    await reader.close();
  });

  it.each(Object.keys(SESSIONS))('replays the %s transcript through the reader, answer for answer', async (name) => {
    const { control, reader, connect } = await readerAt(level);
    control.insertCard(SESSIONS[name]!.card({ atr: level.atr }).card);
    const { transmit } = await connect();
    const text = readFileSync(new URL(`../../../tests/transcripts/${name}.apdu`, import.meta.url), 'utf8');
    expect(await replayTranscript(text, transmit)).toBe(parseTranscript(text).length);
    await reader.close();
  });
});
