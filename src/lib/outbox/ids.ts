/**
 * Operation ids made on the device (DESIGN.md decision 4): 128 bits, time-ordered like a ULID so
 * ids sort roughly by creation, rendered as 32 hex digits. The id is the server's idempotency key:
 * it is written to IndexedDB before the first send and reused by every retry.
 */
export function newOperationId(nowMs: number = Date.now(), random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = new Uint8Array(16);
  // 48-bit millisecond timestamp, big-endian, then 80 random bits.
  let t = nowMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(random(new Uint8Array(10)), 6);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const OPERATION_ID = /^[0-9a-f]{32}$/;
