/**
 * Signing a request as a device, with node:crypto, for tests, the benchmark's kiosk processes and
 * anything else outside the app that acts as a device (the app signs with Web Crypto,
 * src/lib/sync/device-signer.ts). No test runner is imported here: child processes use it too.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { DEVICE_NONCE_BYTES, deviceAuthorization, deviceKeyBytes, deviceSigningText } from '../contract/device-auth.ts';

/** The Authorization header a device with `secret` sends for this request (node:crypto, as the server checks). */
export function signAsDevice(r: {
  deviceId: string;
  secret: string;
  method: string;
  url: string;
  body: string;
  timestampMs: number;
  nonce?: string;
}): string {
  const nonce = r.nonce ?? randomBytes(DEVICE_NONCE_BYTES).toString('base64url');
  const bodySha256Hex = createHash('sha256').update(r.body).digest('hex');
  const text = deviceSigningText({
    deviceId: r.deviceId,
    timestampMs: r.timestampMs,
    nonce,
    method: r.method,
    pathWithQuery: r.url,
    bodySha256Hex,
  });
  const signature = createHmac('sha256', deviceKeyBytes(r.secret)).update(text).digest('base64url');
  return deviceAuthorization({ deviceId: r.deviceId, timestampMs: r.timestampMs, nonce, signature });
}
