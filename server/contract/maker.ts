/**
 * The maker of a queued operation (docs/sync.md "The maker of an operation"). A tablet's sign-in
 * gives the session a public id and an operation key (LoginResponse); every operation the tablet
 * queues under that session carries `maker`: the session id, when the operation was made, and a
 * proof, HMAC-SHA256 under the operation key of `makerMessage(...)`. The server applies the
 * operation as that session's operator when the proof holds, the session was issued on the device
 * that pushes it, and the operation was made while the session lasted. The key lives in the
 * tablet's memory only and is forgotten when the session ends, so nobody can make an operation as
 * that operator afterwards; the proof covers the payload, so nobody can change a queued one.
 */
import { z } from 'zod';

export const OperationMaker = z.strictObject({
  sessionId: z.uuid(),
  /** When the operation was made, by the tablet's clock. */
  madeAt: z.iso.datetime(),
  /** Lower-case hex HMAC-SHA256 of makerMessage under the session's operation key. */
  proof: z.string().regex(/^[0-9a-f]{64}$/),
});
export type OperationMaker = z.infer<typeof OperationMaker>;

/** The session's operation key as sign-in gives it: 32 bytes, lower-case hex. */
export const OperationKey = z.string().regex(/^[0-9a-f]{64}$/);

/** JSON with object keys sorted and undefined members left out: the same text on both sides. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What the maker's proof signs: the operation's identity, its maker's session and time, and its payload. */
export function makerMessage(
  op: { id: string; deviceId: string; type: string; payload: unknown },
  sessionId: string,
  madeAt: string,
): string {
  return [
    'fuelcard-operation-maker-v1',
    op.id.toLowerCase(),
    op.deviceId,
    op.type,
    sessionId.toLowerCase(),
    madeAt,
    canonical(op.payload),
  ].join('\n');
}
