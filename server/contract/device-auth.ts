/**
 * How an enrolled device proves itself on every request: it signs the request with its secret
 * (HMAC-SHA256), and the secret itself never travels again after enrolment. Both sides build the
 * signed text here, so the app (Web Crypto) and the server (node:crypto) cannot drift apart.
 *
 *   Authorization: Device-HMAC-SHA256 <deviceId>:<timestamp ms>:<nonce>:<signature>
 *
 * The signature covers the method, the path with its query exactly as sent, the SHA-256 of the
 * body bytes exactly as sent (of nothing for a request without a body), the device id, the
 * timestamp and the nonce, so a captured request cannot be altered or sent for another path.
 * The server accepts a timestamp within a few minutes of its own clock and each nonce once
 * (server/auth/device-signature.ts), so a captured request cannot be sent again either. A device
 * whose clock is off is told the server's time (DEVICE_CLOCK_SKEW with serverTime) and signs again.
 */

export const DEVICE_AUTH_SCHEME = 'Device-HMAC-SHA256';

/** Changes whenever the signed text does; a device and server that disagree refuse each other. */
const SIGNED_TEXT_VERSION = 'fuelcard-device-request-v1';

/** Nonce: 16 random bytes, base64url without padding. */
export const DEVICE_NONCE_BYTES = 16;
const NONCE = '[A-Za-z0-9_-]{22}';
/** Signature: the 32-byte HMAC-SHA256, base64url without padding. */
const SIGNATURE = '[A-Za-z0-9_-]{43}';

const HEADER = new RegExp(`^${DEVICE_AUTH_SCHEME} ([a-z0-9-]{3,64}):(\\d{1,15}):(${NONCE}):(${SIGNATURE})$`);

export type DeviceSignedRequest = {
  deviceId: string;
  timestampMs: number;
  nonce: string;
  /** Upper case, as sent. */
  method: string;
  /** Path and query exactly as sent on the request line (e.g. `/api/v1/cards/0100…`). */
  pathWithQuery: string;
  /** SHA-256 of the body bytes as lower-case hex; of the empty string when there is no body. */
  bodySha256Hex: string;
};

/** The text whose HMAC-SHA256 under the device's secret is the signature. */
export function deviceSigningText(r: DeviceSignedRequest): string {
  return [SIGNED_TEXT_VERSION, r.deviceId, String(r.timestampMs), r.nonce, r.method.toUpperCase(), r.pathWithQuery, r.bodySha256Hex].join(
    '\n',
  );
}

export function deviceAuthorization(p: { deviceId: string; timestampMs: number; nonce: string; signature: string }): string {
  return `${DEVICE_AUTH_SCHEME} ${p.deviceId}:${p.timestampMs}:${p.nonce}:${p.signature}`;
}

export type ParsedDeviceAuthorization = { deviceId: string; timestampMs: number; nonce: string; signature: string };

/** The header's parts, or null when it is not a device signature of this shape. */
export function parseDeviceAuthorization(header: string): ParsedDeviceAuthorization | null {
  const m = HEADER.exec(header);
  if (!m) return null;
  return { deviceId: m[1]!, timestampMs: Number(m[2]!), nonce: m[3]!, signature: m[4]! };
}

/** The HMAC key is the secret's UTF-8 bytes, as the enrolment answer gave it. */
export function deviceKeyBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}
