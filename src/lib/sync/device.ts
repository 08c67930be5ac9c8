/**
 * The device's identity with the server: enrolled once with a code from an administrator, then
 * every call signed with the secret (device-signer.ts). The secret is kept in the device's
 * IndexedDB, which only this origin can read (and, for the Isolated Web App, only the signed
 * app); it is never shown and never sent again. Enrolment happens only over HTTPS or with a
 * server on this machine (INSECURE_SERVER otherwise): its answer carries the secret.
 */
import type { DeviceDatabase } from '../device-db/database.ts';
import { assertSafeForDeviceCredentials, type ApiClient, type DeviceCredentials } from './client.ts';

/** `serverUrl` is '' when the app is served by the server itself (the PWA); the IWA stores the address. */
export type DeviceIdentity = DeviceCredentials & { terminalId: string; enrolledAtMs: number; serverUrl: string };

/** An http(s) origin without a trailing slash; '' means the page's own origin. */
export function normaliseServerUrl(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

const IDENTITY_KEY = 'device.identity';

export function isIdentity(value: unknown): value is DeviceIdentity {
  const v = value as Partial<DeviceIdentity> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.deviceId === 'string' &&
    /^[a-z0-9-]{3,64}$/.test(v.deviceId) &&
    typeof v.secret === 'string' &&
    v.secret.length >= 32 &&
    typeof v.terminalId === 'string' &&
    /^[0-9A-F]{12}$/i.test(v.terminalId) &&
    typeof v.enrolledAtMs === 'number' &&
    (v.serverUrl === undefined || typeof v.serverUrl === 'string')
  );
}

export async function loadIdentity(db: DeviceDatabase): Promise<DeviceIdentity | null> {
  const record = await db.settings.get(IDENTITY_KEY);
  // Identities kept before the server address was stored belong to the page's own server.
  return isIdentity(record?.value) ? { ...record.value, serverUrl: record.value.serverUrl ?? '' } : null;
}

export async function forgetIdentity(db: DeviceDatabase): Promise<void> {
  await db.settings.delete(IDENTITY_KEY);
}

/** Trades an enrolment code for the device's secret and keeps it. Throws BackendError on refusal. */
export async function enrol(options: {
  db: DeviceDatabase;
  api: ApiClient;
  serverUrl: string;
  deviceId: string;
  enrolmentCode: string;
  nowMs?: number;
}): Promise<DeviceIdentity> {
  assertSafeForDeviceCredentials(new URL(options.serverUrl === '' ? location.href : options.serverUrl));
  const answer = await options.api.call('enrol', { body: { deviceId: options.deviceId, enrolmentCode: options.enrolmentCode } });
  const identity: DeviceIdentity = {
    deviceId: answer.deviceId,
    secret: answer.secret,
    terminalId: answer.terminalId,
    enrolledAtMs: options.nowMs ?? Date.now(),
    serverUrl: options.serverUrl,
  };
  await options.db.settings.put({ key: IDENTITY_KEY, value: identity });
  return identity;
}
