/**
 * The key-store interface (docs/architecture.md decision 7): the only door to card keys. It answers
 * MAC operations, never keys, so a hardware security module can implement it with the keys inside.
 * Card keys are derived from the issuer master keys by card number (docs/card-protocol.md §2.2);
 * the online transactions use the session key of §2.4 and the MAC layouts of §2.5 there.
 */
import type { Sql } from '../db/index.ts';

export type OnlineKind = 'load' | 'unload';

/** What names one online transaction's session: the card, its key version, the card's random and counter. */
export type OnlineSession = {
  kind: OnlineKind;
  /** 20 digits, the ASN of EF15 (docs/card-protocol.md §5.1). */
  cardNo: string;
  keyVersion: number;
  random: Uint8Array;
  onlineTtc: number;
};

export type Mac1Input = OnlineSession & {
  balanceFen: number;
  amountFen: number;
  transType: number;
  terminalId: Uint8Array;
  mac1: Uint8Array;
};
export type Mac2Input = OnlineSession & {
  amountFen: number;
  transType: number;
  terminalId: Uint8Array;
  date: Uint8Array;
  time: Uint8Array;
};
/** The TAC of a load, or the "MAC3" of an unload, over the balance after and the counter before. */
export type TacInput = Mac2Input & { balanceFenAfter: number; tac: Uint8Array };

/**
 * A secure UPDATE BINARY (04 D6, docs/card-protocol.md §1.2, §2.1) the server writes for a card:
 * the whole command is built here from what the server decided to write, and MACed with the
 * card's DAMTK (diversified from MAMTK by the card number) for the 4-byte challenge the card gave.
 */
export type SecureWriteInput = {
  cardNo: string;
  keyVersion: number;
  challenge: Uint8Array;
  sfi: number;
  offset: number;
  data: Uint8Array;
};

/**
 * Every call takes `sql`, the connection its caller works on: the request's transaction when it
 * has one, else the database. A store that keeps its keys in the database reads them through it
 * and nothing else, so it holds no connection of its own and can never wait for one: on PGlite a
 * second connection inside a transaction would wait for that transaction for ever (one load.recover
 * naming key version 7 hung the whole server that way, issue 11; server/db/guard.ts now refuses any
 * such read). A hardware module ignores `sql`.
 */
export interface KeyStore {
  /** 'software' or the name of a hardware module. */
  readonly kind: string;
  /** False when the issuer holds no master keys of that version. */
  hasKeyVersion(sql: Sql, keyVersion: number): Promise<boolean>;
  verifyMac1(sql: Sql, input: Mac1Input): Promise<boolean>;
  mac2(sql: Sql, input: Mac2Input): Promise<Uint8Array>;
  verifyTac(sql: Sql, input: TacInput): Promise<boolean>;
  /**
   * The whole secure UPDATE BINARY command (header, Lc, data, MAC) for the card's challenge.
   * KEY_VERSION_UNKNOWN when the issuer holds no MAMTK of that version (card issuing needs it).
   */
  secureWrite(sql: Sql, input: SecureWriteInput): Promise<Uint8Array>;
  /**
   * Makes every stored key version ready before the first request, so a key-encryption key that
   * does not open them stops the server at start, not at its first load. Called once when the
   * app is built.
   */
  warm(sql: Sql): Promise<void>;
  /**
   * Zeroises and forgets every key the store holds in memory; called when the app closes. A store
   * used after close reads its keys again (a hardware module holds none: it does nothing).
   */
  close(): void;
}

export class KeyStoreError extends Error {
  /**
   * KEY_VERSION_UNKNOWN and KEY_STORE_CORRUPT come from using the store; the others refuse a key
   * ceremony (server/keys/ceremony.ts): a key file that is not what it must be, a weak or test
   * key where real keys are required, a key version that is already stored.
   */
  readonly code: 'KEY_VERSION_UNKNOWN' | 'KEY_STORE_CORRUPT' | 'KEY_FILE_INVALID' | 'KEY_WEAK' | 'KEY_VERSION_TAKEN';
  constructor(code: KeyStoreError['code'], message: string) {
    super(message);
    this.name = 'KeyStoreError';
    this.code = code;
  }
}
