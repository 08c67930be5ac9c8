/**
 * Signing the device's requests (the scheme: server/contract/device-auth.ts) with Web Crypto:
 * HMAC-SHA256 under the device's secret over method, path, body hash, timestamp and a random
 * nonce. The secret stays on the device; what travels is good for one request only.
 *
 * The hashing and HMAC are behind DeviceCrypto so that the fault simulation, which must replay a
 * seed exactly, can sign synchronously (node:crypto): Web Crypto answers from a thread pool, and
 * two requests signed at once could enter its simulated network in either order.
 */
import { DEVICE_NONCE_BYTES, deviceAuthorization, deviceKeyBytes, deviceSigningText } from '../../../server/contract/device-auth.ts';

export type DeviceCrypto = {
  sha256(data: Uint8Array): Promise<Uint8Array>;
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
};

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The browser's (and Node's) Web Crypto; the imported key is kept for the next request. */
export function webDeviceCrypto(): DeviceCrypto {
  let cached: { raw: Uint8Array; key: CryptoKey } | null = null;
  const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    async sha256(data) {
      return new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));
    },
    async hmacSha256(raw, data) {
      if (cached === null || !sameBytes(cached.raw, raw)) {
        // Not extractable: once imported, the key cannot be read back out of Web Crypto.
        const key = await crypto.subtle.importKey('raw', raw as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        cached = { raw, key };
      }
      return new Uint8Array(await crypto.subtle.sign('HMAC', cached.key, data as BufferSource));
    },
  };
}

export type RequestToSign = { method: string; pathWithQuery: string; body: string | undefined; timestampMs: number };

/** The Authorization header for one request. */
export async function signDeviceRequest(
  deviceCrypto: DeviceCrypto,
  credentials: { deviceId: string; secret: string },
  request: RequestToSign,
): Promise<string> {
  const encoder = new TextEncoder();
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(DEVICE_NONCE_BYTES)));
  const bodySha256Hex = toHex(await deviceCrypto.sha256(encoder.encode(request.body ?? '')));
  const timestampMs = Math.round(request.timestampMs);
  const text = deviceSigningText({
    deviceId: credentials.deviceId,
    timestampMs,
    nonce,
    method: request.method,
    pathWithQuery: request.pathWithQuery,
    bodySha256Hex,
  });
  const signature = toBase64Url(await deviceCrypto.hmacSha256(deviceKeyBytes(credentials.secret), encoder.encode(text)));
  return deviceAuthorization({ deviceId: credentials.deviceId, timestampMs, nonce, signature });
}
