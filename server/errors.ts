/**
 * The server's error catalogue: every failure the world can cause has a code and an HTTP status.
 * Route code throws ApiError; the error handler in app.ts turns it into the ApiErrorBody shape.
 * Anything else reaching the handler is a programmer error: logged with its stack, answered 500
 * with no detail.
 */

export const API_ERRORS = {
  INVALID_JSON: { status: 400, message: 'the request body is not valid JSON' },
  INVALID_REQUEST: { status: 400, message: 'the request does not match the expected shape' },
  BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send the request body as application/json' },
  NOT_FOUND: { status: 404, message: 'no such resource' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  APP_NOT_BUILT: { status: 503, message: 'the app is not built; run npm run build' },
  INTERNAL: { status: 500, message: 'internal error' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  constructor(code: ApiErrorCode, message?: string) {
    super(message ?? API_ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code].status;
  }
}
