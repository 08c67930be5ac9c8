/**
 * The card's side of issuing a bureau stock card at an outlet (开户发卡, docs/card-protocol.md §1.2,
 * §2.1, §3.2–3.3, §5.4): the card is read without any PIN sent; the holder file EF16 and then the
 * PIN mode byte EF1B[0] are written with UPDATE BINARY under secure messaging, each command built
 * and MACed by the host for a fresh GET CHALLENGE (the card's DAMTK never leaves the host); the PIN
 * goes from the bureau's initial one to the customer's with CHANGE PIN; an INITIALIZE FOR LOAD of 0
 * fen with the host's challenge as terminal id proves the card answered after the last write.
 *
 * The order makes the card's own files say how far an interrupted issue got, so it resumes without
 * burning PIN tries (`pinStateOf`): EF1B[0] turns 01 only after CHANGE PIN succeeded. Nothing here
 * talks to a server: the host is a function.
 */
import { fromHex, toHex } from '../bytes.ts';
import { changePin, getChallenge, initializeForLoad, readBinary, selectByName, sendSecure, verifyPin } from './card.ts';
import { FUEL_CARD_ERROR, FuelCardError } from './errors.ts';
import { decodeEf15, type Ef15 } from './files.ts';
import { AID, FILE_BYTES, SFI } from './spec.ts';
import type { Transmit } from './transport.ts';

/**
 * The PIN a stock card leaves the bureau with: the terminal default 9999 (EF1B[0] = 00,
 * docs/card-protocol.md §5.4). A bureau with another initial PIN changes this one value.
 */
export const BUREAU_INITIAL_PIN = '9999';

/** EF1B[0]: 00 the default PIN (terminals send 9999 themselves), 01 the customer's PIN. */
export const PIN_MODE = { DEFAULT: 0x00, CUSTOMER: 0x01 } as const;

export type IssueFile = 'EF16' | 'EF1B';

/** A stock card as read for issuing: no VERIFY is sent (a wrong guess would cost a try). */
export type StockCardReading = {
  ef15: Ef15;
  /** The 41 bytes of EF16, as hex: all zeros on a card straight from the bureau. */
  ef16: string;
  /** EF1B[0]. */
  pinMode: number;
};

export const EMPTY_EF16 = '00'.repeat(FILE_BYTES.EF16);

export async function readStockCard(transmit: Transmit): Promise<StockCardReading> {
  await selectByName(transmit, AID.SINOPEC);
  const ef15 = decodeEf15(await readBinary(transmit, { sfi: SFI.EF15, length: FILE_BYTES.EF15 }));
  const ef16 = toHex(await readBinary(transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 })).toUpperCase();
  const ef1b = await readBinary(transmit, { sfi: SFI.EF1B, length: 1 });
  return { ef15, ef16, pinMode: ef1b[0]! };
}

/** The host's half of one secure write: the whole command for the card's challenge, and the challenge of the probe after it. */
export type IssueWriteHost = (request: { file: IssueFile; challenge: string }) => Promise<{ command: string; probeChallenge: string }>;

/** GET CHALLENGE → the host's command → the card. Returns the probe challenge drawn with it. */
export async function writeIssueFile(transmit: Transmit, file: IssueFile, host: IssueWriteHost): Promise<string> {
  const challenge = toHex(await getChallenge(transmit, 4)).toUpperCase();
  const { command, probeChallenge } = await host({ file, challenge });
  await sendSecure(transmit, 'UPDATE_BINARY', fromHex(command));
  return probeChallenge;
}

/** Where a card's PIN stands, from EF1B[0] alone (see the module comment). */
export function pinStateOf(pinMode: number): 'initial-or-changing' | 'customer' {
  return pinMode === PIN_MODE.CUSTOMER ? 'customer' : 'initial-or-changing';
}

/**
 * Puts the customer's PIN on the card and leaves it verified for this session. With EF1B[0] = 01
 * the card holds it already: VERIFY. Otherwise CHANGE PIN from the initial PIN; if the card says
 * the initial PIN is wrong, the change already happened before the card was pulled (between CHANGE
 * PIN and the EF1B write): VERIFY with the customer's PIN, which restores the try that cost. A
 * customer PIN wrong there throws PIN_WRONG with the tries left, as any VERIFY does.
 */
export async function setCustomerPin(
  transmit: Transmit,
  f: { pinMode: number; initialPin: string; customerPin: string },
): Promise<'changed' | 'verified'> {
  if (pinStateOf(f.pinMode) === 'customer') {
    await verifyPin(transmit, f.customerPin);
    return 'verified';
  }
  try {
    await changePin(transmit, { oldPin: f.initialPin, newPin: f.customerPin });
    return 'changed';
  } catch (error) {
    if (!(error instanceof FuelCardError) || error.code !== FUEL_CARD_ERROR.PIN_WRONG) throw error;
    await verifyPin(transmit, f.customerPin);
    return 'verified';
  }
}

/** What the host completes an issuance with: the read-back and the probe. */
export type IssueProof = {
  ef16: string;
  pinMode: number;
  probe: { terminalId: string; amountFen: 0; answer: Awaited<ReturnType<typeof initializeForLoad>> };
};

/** Reads EF16 and EF1B[0] back and probes the card with `probeChallenge` as terminal id (0 fen: commits nothing). */
export async function proveIssued(transmit: Transmit, probeChallenge: string): Promise<IssueProof> {
  const ef16 = toHex(await readBinary(transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 })).toUpperCase();
  const pinMode = (await readBinary(transmit, { sfi: SFI.EF1B, length: 1 }))[0]!;
  const answer = await initializeForLoad(transmit, { keyIndex: 1, amountFen: 0, terminalId: probeChallenge });
  return { ef16, pinMode, probe: { terminalId: probeChallenge, amountFen: 0, answer } };
}
