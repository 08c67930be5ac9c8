/**
 * Stamping a queued operation with its maker (server/contract/maker.ts, docs/sync.md "The maker
 * of an operation"): the signed-in operator's session id, the time it was made, and an HMAC under
 * the session's operation key over the operation's id, device, type and payload. The server then
 * books the operation to that operator whoever's session sends it later. The key comes from the
 * sign-in answer and lives in memory only, with the session: once the session ends, nothing more
 * can be stamped as that operator.
 */
import { makerMessage, type OperationMaker } from '../../../server/contract/maker.ts';
import { webDeviceCrypto, type DeviceCrypto } from './device-signer.ts';

/** Stamps one operation about to be queued; the outbox calls it before it writes the record. */
export type MakerStamp = (op: { id: string; type: string; payload: unknown }, madeAtMs: number) => Promise<OperationMaker>;

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The stamp of the operator session `session` on device `deviceId`. */
export function makerStamp(
  deviceId: string,
  session: { sessionId: string; operationKey: string },
  deviceCrypto: DeviceCrypto = webDeviceCrypto(),
): MakerStamp {
  const key = hexBytes(session.operationKey);
  return async (op, madeAtMs) => {
    const madeAt = new Date(madeAtMs).toISOString();
    const message = makerMessage({ ...op, deviceId }, session.sessionId, madeAt);
    const proof = toHex(await deviceCrypto.hmacSha256(key, new TextEncoder().encode(message)));
    return { sessionId: session.sessionId, madeAt, proof };
  };
}
