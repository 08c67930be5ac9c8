/**
 * The one shape every simulated card has, so that the virtual reader (ccid/sim/reader) can hold
 * any of them: the fuel user card, a PSAM, or a scripted card in a test. It is the card's side of
 * ISO 7816-4 at the APDU level; the reader (or ccid/sim's T=0/T=1 card-side engines) turns TPDUs
 * and blocks into these calls. Synchronous on purpose: a card answers one command at a time, and
 * the reader decides how long the answer takes (slow cards, time extensions) and whether power is
 * lost before or after it.
 */
export interface SimulatedCard {
  /** Cold reset: volatile state (selected file, session keys, PIN verified) is cleared; returns the ATR. */
  powerOn(): Uint8Array;
  /** One short or extended command APDU in, response data followed by SW1 SW2 out. */
  transmit(commandApdu: Uint8Array): Uint8Array;
  /** Power removed (card pulled or powered off): volatile state is lost, persistent state stays. */
  powerOff(): void;
}
