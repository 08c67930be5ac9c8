/**
 * The key-store interface (DESIGN.md decision 7): the only door to card keys. It answers MAC
 * operations, never keys, so a hardware security module can implement it with the keys inside.
 * Card keys are derived from the issuer master keys by card number (reference §2.2); the online
 * transactions use the session key of reference §2.4 and the MAC layouts of §2.5.
 */
export type OnlineKind = 'load' | 'unload';

/** What names one online transaction's session: the card, its key version, the card's random and counter. */
export type OnlineSession = {
  kind: OnlineKind;
  /** 20 digits, the ASN of EF15 (reference §5.1). */
  cardNo: string;
  keyVersion: number;
  random: Uint8Array;
  onlineTtc: number;
};

export type Mac1Input = OnlineSession & { balanceFen: number; amountFen: number; transType: number; terminalId: Uint8Array; mac1: Uint8Array };
export type Mac2Input = OnlineSession & { amountFen: number; transType: number; terminalId: Uint8Array; date: Uint8Array; time: Uint8Array };
/** The TAC of a load, or the "MAC3" of an unload, over the balance after and the counter before. */
export type TacInput = Mac2Input & { balanceFenAfter: number; tac: Uint8Array };

export interface KeyStore {
  /** 'software' or the name of a hardware module. */
  readonly kind: string;
  /** False when the issuer holds no master keys of that version. */
  hasKeyVersion(keyVersion: number): Promise<boolean>;
  verifyMac1(input: Mac1Input): Promise<boolean>;
  mac2(input: Mac2Input): Promise<Uint8Array>;
  verifyTac(input: TacInput): Promise<boolean>;
  /**
   * Makes every key version usable before the first request. Called once when the app is built:
   * a store that reads the database must not do its first read from inside a request's open
   * transaction (on PGlite the one connection would wait for itself).
   */
  warm(): Promise<void>;
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
