/**
 * Personalisation for card issuance: select the application, install the keys and the PIN, then
 * write EF15, EF16, EF1B and EF1C with UPDATE BINARY under secure messaging (04 D6, retail MAC with
 * the application maintenance key DAMTK and a fresh challenge each, docs/card-protocol.md §1.2,
 * §2.1), then end personalisation. Key installation (WRITE KEY) and its end are COS-specific; see
 * card.ts `writeKey` [?]: the format is the project's, and the simulated card
 * (ccid/sim/card/admin.ts) takes it.
 */
import { secureCommand, secureUpdateBinaryHeader } from '../crypto/index.ts';
import { endPersonalisation, getChallenge, installPin, selectByName, sendSecure, writeKey } from './card.ts';
import { invalidInput } from './errors.ts';
import { encodeEf15, encodeEf16, encodeEf1b, encodeEf1c, type Ef15, type Ef16, type Ef1b, type Ef1c } from './files.ts';
import { AID, KEY_TYPE, SFI, type KeyKind } from './spec.ts';
import type { Transmit } from './transport.ts';

export type CardKeys = Partial<Record<KeyKind, Uint8Array>> & { DAMTK: Uint8Array };

export type Personalisation = {
  ef15: Ef15;
  ef16: Ef16;
  ef1b: Ef1b;
  ef1c: Ef1c;
  keys: CardKeys;
  pin: string;
  pinTriesMax?: number;
  keyVersion?: number;
  algId?: number;
  keyIndex?: number;
  /** Leave the card in personalisation (no END OF PERSONALISATION), e.g. to write more; default false. */
  keepOpen?: boolean;
};

/** Writes one binary file with UPDATE BINARY + MAC: GET CHALLENGE, then the MACed command. */
export async function writeFileSecure(
  transmit: Transmit,
  f: { sfi: number; data: Uint8Array; damtk: Uint8Array; offset?: number },
): Promise<void> {
  const challenge = await getChallenge(transmit, 4);
  const command = secureCommand({ key: f.damtk, challenge, header: secureUpdateBinaryHeader(f.sfi, f.offset ?? 0), data: f.data });
  await sendSecure(transmit, 'UPDATE_BINARY', command);
}

export async function personalise(transmit: Transmit, p: Personalisation): Promise<void> {
  const files: [number, Uint8Array][] = [
    [SFI.EF15, encodeEf15(p.ef15)],
    [SFI.EF16, encodeEf16(p.ef16)],
    [SFI.EF1B, encodeEf1b(p.ef1b)],
    [SFI.EF1C, encodeEf1c(p.ef1c)],
  ]; // encoded first: a bad field fails before the card is touched
  if (!/^[0-9]{4,6}$/.test(p.pin)) throw invalidInput('an issued PIN has 4..6 digits');
  await selectByName(transmit, AID.SINOPEC);
  for (const kind of Object.keys(KEY_TYPE) as (keyof typeof KEY_TYPE)[]) {
    const key = kind === 'PIN' ? undefined : p.keys[kind];
    if (key === undefined) continue;
    await writeKey(transmit, { kind: kind as KeyKind, keyIndex: p.keyIndex ?? 1, keyVersion: p.keyVersion ?? 1, algId: p.algId ?? 0, key });
  }
  await installPin(transmit, { pin: p.pin, triesMax: p.pinTriesMax ?? 3 });
  for (const [sfi, data] of files) await writeFileSecure(transmit, { sfi, data, damtk: p.keys.DAMTK });
  if (p.keepOpen !== true) await endPersonalisation(transmit);
}
