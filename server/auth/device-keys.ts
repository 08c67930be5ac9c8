/**
 * Where the server keeps what it needs to check a device's signatures: the device's HMAC key (the
 * secret enrolment handed out) sealed with AES-256-GCM under a key derived from the key-encryption
 * key FUELCARD_KEK, in device.signing_key_sealed.
 *
 * Why sealed and not hashed: a signature can only be checked by someone holding the key, so the
 * server cannot keep just a hash as it did for the old bearer secret. Sealing under the KEK keeps
 * the database, and every backup of it, useless for acting as a device on its own; the KEK is kept
 * apart from the database already, for the issuer keys (server/keys/software.ts), so the same
 * discipline covers both. The sealing key is derived (HKDF-SHA256, an info string of its own) so
 * device keys and issuer keys never share an AES key, and the additional data names the device, so
 * one device's sealed key cannot be copied onto another's row. A server without a KEK can neither
 * enrol devices nor check them (DEVICE_KEYS_UNAVAILABLE), as it can do no loads without one.
 *
 * Rejected: keeping the secret in clear (a database copy would be every device's credentials);
 * turning the old SHA-256 hash into the key (the column every existing backup holds in clear would
 * become the credential); an asymmetric key per device (the stronger design, the server holding
 * only public keys, but the app's Web Crypto keys and the enrolment flow would change with it; a
 * later step if needed).
 *
 * Nothing is cached: the key is opened on each request (microseconds), so a re-enrolled or
 * disabled device is seen at once by every server process sharing the database.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { deviceKeyBytes } from '../contract/device-auth.ts';
import { ApiError } from '../errors.ts';

const SEALED = /^v1\.([0-9a-f]{24})\.((?:[0-9a-f]{2}){1,256})\.([0-9a-f]{32})$/;

function sealingKey(kekHex: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(kekHex, 'hex'), Buffer.alloc(0), 'fuelcard device request keys v1', 32));
}

const aad = (deviceId: string): Buffer => Buffer.from(`fuelcard device key ${deviceId}`);

/** `v1.<iv>.<ciphertext>.<tag>`, hex: the device's HMAC key sealed for its row. */
export function sealDeviceKey(kekHex: string, deviceId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(kekHex), iv).setAAD(aad(deviceId));
  const ciphertext = Buffer.concat([cipher.update(deviceKeyBytes(secret)), cipher.final()]);
  return `v1.${iv.toString('hex')}.${ciphertext.toString('hex')}.${cipher.getAuthTag().toString('hex')}`;
}

/** The device's HMAC key; DEVICE_KEYS_UNAVAILABLE when the KEK does not open it (or the row was tampered with). */
export function openDeviceKey(kekHex: string, deviceId: string, sealed: string): Buffer {
  const m = SEALED.exec(sealed);
  try {
    if (!m) throw new Error('malformed');
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(kekHex), Buffer.from(m[1]!, 'hex')).setAAD(aad(deviceId));
    decipher.setAuthTag(Buffer.from(m[3]!, 'hex'));
    return Buffer.concat([decipher.update(Buffer.from(m[2]!, 'hex')), decipher.final()]);
  } catch {
    // No detail: a wrong KEK and a tampered row look alike, and neither is the device's fault.
    throw new ApiError('DEVICE_KEYS_UNAVAILABLE');
  }
}

/** Gives a device its secret (enrolment, demo data, tests): sealed, replacing any earlier one. */
export async function storeDeviceSecret(sql: Sql, kekHex: string, deviceId: string, secret: string): Promise<void> {
  await sql.query('UPDATE device SET signing_key_sealed = $2 WHERE id = $1', [deviceId, sealDeviceKey(kekHex, deviceId, secret)]);
}
