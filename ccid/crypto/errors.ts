/**
 * The one error class of the crypto layer. Keys, blocks and transaction fields arrive from card
 * responses and server requests, so a wrong length is a failure the world can cause: it is a typed
 * error with a `code`, never a silent truncation.
 */

export const CRYPTO_ERROR = {
  KEY_LENGTH_INVALID: 'KEY_LENGTH_INVALID',
  BLOCK_LENGTH_INVALID: 'BLOCK_LENGTH_INVALID',
  FIELD_LENGTH_INVALID: 'FIELD_LENGTH_INVALID',
  FIELD_VALUE_INVALID: 'FIELD_VALUE_INVALID',
} as const;

export type CryptoErrorCode = (typeof CRYPTO_ERROR)[keyof typeof CRYPTO_ERROR];

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

export function requireKey(key: Uint8Array, length: 8 | 16, name = 'key'): void {
  if (!(key instanceof Uint8Array) || key.length !== length) {
    throw new CryptoError(CRYPTO_ERROR.KEY_LENGTH_INVALID, `${name} must be ${length} bytes, got ${key?.length}`);
  }
}

export function requireBlock(block: Uint8Array, name = 'block'): void {
  if (!(block instanceof Uint8Array) || block.length !== 8) {
    throw new CryptoError(CRYPTO_ERROR.BLOCK_LENGTH_INVALID, `${name} must be 8 bytes, got ${block?.length}`);
  }
}

/** A fixed-length field of a MAC input (random 4, terminal id 6, date 4, time 3 ...). */
export function requireField(field: Uint8Array, length: number, name: string): void {
  if (!(field instanceof Uint8Array) || field.length !== length) {
    throw new CryptoError(CRYPTO_ERROR.FIELD_LENGTH_INVALID, `${name} must be ${length} bytes, got ${field?.length}`);
  }
}
