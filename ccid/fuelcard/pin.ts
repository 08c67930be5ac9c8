/**
 * PIN flows (docs/card-protocol.md §2.6). CHANGE PIN stays between the customer and the card. PIN
 * UNBLOCK and RELOAD PIN need the host's keys (DPUK, DRPK), and their data carries a PIN the host
 * must know: so the host chooses it (an outlet reset PIN) and returns the finished command data;
 * the flow never hands the customer's own PIN to the host (docs/architecture.md decision 7). The
 * customer changes it afterwards.
 */
import { toHex } from '../bytes.ts';
import { changePin, getChallenge, pinUnblock, reloadPin } from './card.ts';
import type { Transmit } from './transport.ts';

export { changePin };

/** Host side of PIN UNBLOCK: given the card's challenge, the 12-byte data enc(8) || MAC(4) as fields. */
export type PinUnblockHost = (request: { asn: string; challenge: string }) => Promise<{ encryptedPinBlock: string; mac: string }>;

export async function unblockPin(transmit: Transmit, f: { asn: string; host: PinUnblockHost }): Promise<void> {
  const challenge = toHex(await getChallenge(transmit, 4));
  await pinUnblock(transmit, await f.host({ asn: f.asn, challenge }));
}

/** Host side of RELOAD PIN: the PIN it sets and the MAC over it. */
export type PinReloadHost = (request: { asn: string }) => Promise<{ newPin: string; mac: string }>;

export async function reloadCardPin(transmit: Transmit, f: { asn: string; host: PinReloadHost }): Promise<void> {
  await reloadPin(transmit, await f.host({ asn: f.asn }));
}
