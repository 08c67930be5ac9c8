/**
 * What a command handler of the simulated user card sees: the committed persistent state, the
 * volatile session (lost at power off), the card's random source, and `commit`, the one way to
 * change persistent state. A handler edits a clone of the state and commits it once, so a purse
 * update (balance, counter, EF18 record, proof) lands whole or not at all, as a card OS's
 * transaction buffer guarantees; power loss is injected inside `commit` (fuel-card.ts).
 */
import type { CryptoSchemes } from '../../crypto/index.ts';
import type { CommandApdu } from './apdu.ts';
import type { BinaryFileName, FuelCardState } from './state.ts';
import type { CardResponse } from './sw.ts';

/** 01 = ED (电子存折), 02 = EP (电子钱包): P2 of the purse commands (docs/card-protocol.md §1.2). */
export const PURSE = { ED: 0x01, EP: 0x02 } as const;
export type PurseType = (typeof PURSE)[keyof typeof PURSE];

export type PendingTransaction =
  | { kind: 'load'; purse: PurseType; transType: number; amountFen: number; terminalId: Uint8Array; sessionKey: Uint8Array }
  | { kind: 'unload'; amountFen: number; terminalId: Uint8Array; sessionKey: Uint8Array }
  | {
      kind: 'purchase';
      purse: PurseType;
      transType: number;
      amountFen: number;
      terminalId: Uint8Array;
      random: Uint8Array;
      keyIndex: number;
    }
  | { kind: 'grey-lock'; purse: PurseType; terminalId: Uint8Array; random: Uint8Array; keyIndex: number }
  | { kind: 'online-unlock'; terminalId: Uint8Array; sessionKey: Uint8Array };

export type SelectedApp = 'MF' | 'SINOPEC' | 'LOYALTY';

export interface CardSession {
  selected: SelectedApp;
  currentFile: BinaryFileName | 'ef18' | null;
  pinVerified: boolean;
  /** The last GET CHALLENGE answer; used once by a secure-messaging command. */
  challenge: Uint8Array | null;
  /** The INITIALIZE of a two-step transaction, waiting for its second command. */
  pending: PendingTransaction | null;
}

export function freshSession(): CardSession {
  return { selected: 'MF', currentFile: null, pinVerified: false, challenge: null, pending: null };
}

/** Behaviour choices where docs/card-protocol.md is uncertain ([?], §7) or real cards differ. */
export interface FuelCardBehaviour {
  schemes: CryptoSchemes;
  /**
   * GET TRANSACTION PROVE answer order: TAC then MAC (default, docs/card-protocol.md §1.2 [I]) or
   * MAC then TAC.
   */
  proveOrder: 'TAC_MAC' | 'MAC_TAC';
}

export interface CardContext {
  readonly state: FuelCardState;
  readonly session: CardSession;
  readonly behaviour: FuelCardBehaviour;
  /** The INITIALIZE this command may complete; taken from the session before the handler runs. */
  readonly pending: PendingTransaction | null;
  random(bytes: number): Uint8Array;
  /** Replaces the persistent state atomically. May end the command with a power loss. */
  commit(next: FuelCardState): void;
}

export type CommandHandler = (ctx: CardContext, apdu: CommandApdu) => CardResponse;
