/**
 * The app's one error for "the central accounts said no, or could not be reached", shared by every
 * client of the server (kiosk, outlet tablet, centre). `code` is the server's catalogue code
 * (server/contract/errors.ts) or one of the client's own: NETWORK (no answer), PROTOCOL and
 * RESPONSE_INVALID (an answer this app cannot use), HTTP_<status> (no catalogue body).
 */
export class BackendError extends Error {
  /** NETWORK when the server could not be reached; otherwise the server's error code. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }
  get offline(): boolean {
    return this.code === 'NETWORK';
  }
}
