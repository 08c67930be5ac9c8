/**
 * The types a card session and its T=1 link share (session.ts, session-t1.ts): the session the
 * layers above see, and what a session needs from its reader. A module of their own so that
 * neither of the two imports the other's types back.
 */
import type { Atr } from '../iso7816/atr.ts';
import type { CcidDescriptor, CcidReaderTraits, ExchangeLevel } from './descriptor.ts';
import type { CcidLimits } from './limits.ts';
import type { CcidReply } from './messages.ts';
import type { NegotiationPlan } from './negotiate.ts';

export interface CardSession {
  readonly atr: Uint8Array;
  readonly protocol: 0 | 1;
  readonly exchangeLevel: ExchangeLevel;
  /** One command APDU in, the whole response APDU (data + SW1 SW2) out. */
  transmit(commandApdu: Uint8Array): Promise<Uint8Array>;
  /** Powers the card off; the session cannot be used afterwards. */
  close(): Promise<void>;
}

export type DataBlock = Extract<CcidReply, { type: 'DataBlock' }>;
export type XfrOptions = { bwi?: number; levelParameter?: number; timeoutMultiplier?: number };

/** What a session needs from its reader; every call checks the card is still the same one. */
export type SessionChannel = {
  limits: CcidLimits;
  run<T>(work: () => Promise<T>): Promise<T>;
  xfrBlock(data: Uint8Array, options?: XfrOptions): Promise<DataBlock>;
  powerOff(): Promise<void>;
};

export type SessionInput = {
  channel: SessionChannel;
  atr: Atr;
  plan: NegotiationPlan;
  traits: CcidReaderTraits;
  descriptor: CcidDescriptor;
};
