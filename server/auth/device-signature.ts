/**
 * Checking a device's signed request (the scheme is in server/contract/device-auth.ts). In this
 * order, so that nothing is written and nothing is told before the signature holds:
 *   1. the header parses, the device is active and enrolled (else: nobody, 401 UNAUTHENTICATED);
 *   2. the HMAC over method, path, body hash, timestamp and nonce verifies (else: nobody);
 *   3. the timestamp is within LIMITS.deviceRequestClockSkewMaxMs of the server's clock (else
 *      DEVICE_CLOCK_SKEW with the server's time, so the device can sign again at once);
 *   4. the nonce is new for this device (else NONCE_REUSED): one INSERT into
 *      device_request_nonce, whose primary key decides, so two server processes receiving the
 *      same captured request at once cannot both accept it.
 * Nonces are kept in the database, never in a process's memory: every process sharing the
 * database must refuse a request another one has accepted. A nonce row expires when its
 * timestamp leaves the window, and is deleted a window later still (deleteExpiredNonces), so
 * server processes whose clocks differ by less than a window never forget a nonce that another
 * would still accept.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { deviceSigningText, parseDeviceAuthorization } from '../contract/device-auth.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { openDeviceKey } from './device-keys.ts';

export type SignedRequest = {
  authorization: string;
  method: string;
  /** The request line's target: path and query as received. */
  url: string;
  bodySha256Hex: string;
};

export type DeviceRow = { id: string; kind: 'kiosk' | 'tablet'; org_unit_id: bigint; parent_id: bigint | null; terminal_id: string };

/**
 * The device that signed the request, or null when the signature names no active, enrolled device
 * or does not verify. Throws DEVICE_CLOCK_SKEW, NONCE_REUSED, or DEVICE_KEYS_UNAVAILABLE (no KEK).
 */
export async function verifyDeviceRequest(
  sql: Sql,
  request: SignedRequest,
  context: { kekHex: string | undefined; now: Date },
): Promise<DeviceRow | null> {
  const parsed = parseDeviceAuthorization(request.authorization);
  if (!parsed) return null;
  if (context.kekHex === undefined) throw new ApiError('DEVICE_KEYS_UNAVAILABLE');
  const found = await sql.query<DeviceRow & { signing_key_sealed: string | null }>(
    `SELECT d.id, d.kind, d.org_unit_id, o.parent_id, d.terminal_id, d.signing_key_sealed
       FROM device d JOIN org_unit o ON o.id = d.org_unit_id WHERE d.id = $1 AND d.state = 'active'`,
    [parsed.deviceId],
  );
  const device = found.rows[0];
  if (!device?.signing_key_sealed) return null;
  const key = openDeviceKey(context.kekHex, device.id, device.signing_key_sealed);
  const text = deviceSigningText({ ...parsed, method: request.method, pathWithQuery: request.url, bodySha256Hex: request.bodySha256Hex });
  const expected = createHmac('sha256', key).update(text).digest();
  key.fill(0);
  const given = Buffer.from(parsed.signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;

  const nowMs = context.now.getTime();
  if (Math.abs(nowMs - parsed.timestampMs) > LIMITS.deviceRequestClockSkewMaxMs)
    throw new ApiError('DEVICE_CLOCK_SKEW', undefined, { serverTime: context.now });
  const expiresAt = new Date(parsed.timestampMs + LIMITS.deviceRequestClockSkewMaxMs);
  const inserted = await sql.query(
    'INSERT INTO device_request_nonce (device_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [device.id, parsed.nonce, expiresAt.toISOString()],
  );
  if (inserted.rowCount !== 1) throw new ApiError('NONCE_REUSED');
  return device;
}

/** Deletes nonces whose requests no server process could still accept (see the module comment). */
export async function deleteExpiredNonces(sql: Sql, now: Date): Promise<void> {
  await sql.query('DELETE FROM device_request_nonce WHERE expires_at < $1', [
    new Date(now.getTime() - LIMITS.deviceRequestClockSkewMaxMs).toISOString(),
  ]);
}
