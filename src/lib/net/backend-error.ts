/**
 * The app's one error for "the central accounts said no, or could not be reached", shared by every
 * client of the server (kiosk, outlet tablet, centre). `code` is the server's catalogue code
 * (server/contract/errors.ts ErrorCode) or one of the client's own (CLIENT_ERROR_CODES below, or
 * HTTP_<status> for a refusal that came without a catalogue body), so a table that maps codes to
 * messages can be typed `Partial<Record<ClientErrorCode, …>>` and a misspelt code fails the compiler.
 */
import type { ErrorCode } from '../../../server/contract/errors.ts';

/**
 * Codes the app makes itself, never sent by the server:
 * - NETWORK: no answer (unreachable, or it took too long);
 * - PROTOCOL, RESPONSE_INVALID: an answer this app cannot use (not the contract's shape, or
 *   missing what the next step needs);
 * - INSECURE_SERVER: device credentials would have crossed plain HTTP to another machine;
 * - SERVER_URL_INVALID: the server address typed at enrolment is not an http(s) address;
 * - CARD_UNKNOWN: the server answered, but not about the card asked for (out of scope or unknown).
 */
export const CLIENT_ERROR_CODES = [
  'NETWORK',
  'PROTOCOL',
  'RESPONSE_INVALID',
  'INSECURE_SERVER',
  'SERVER_URL_INVALID',
  'CARD_UNKNOWN',
] as const;

/** A refusal without a catalogue body (a proxy's 502, a server too old to send one): its HTTP status. */
export type HttpStatusCode = `HTTP_${number}`;

export type ClientOwnErrorCode = (typeof CLIENT_ERROR_CODES)[number] | HttpStatusCode;

/** Every code a BackendError can carry. */
export type ClientErrorCode = ErrorCode | ClientOwnErrorCode;

export class BackendError extends Error {
  /** NETWORK when the server could not be reached; otherwise the server's error code or the client's own. */
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }
  get offline(): boolean {
    return this.code === 'NETWORK';
  }
}
