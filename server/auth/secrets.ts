/**
 * Passwords and secrets. Operator passwords are hashed with scrypt (slow on purpose, salted); the
 * cost is stored with each hash (`scrypt$N$r$p$salt$key`, hex), so hashes made with an older cost
 * still verify and are rehashed at the next successful sign-in. Every hash runs on libuv's
 * threadpool through one bounded queue per process (hash-queue.ts), never on the event loop.
 * Session tokens and enrolment codes are random, so a SHA-256 of them is enough to store. Device
 * secrets are random too, but the server must hold them to check signatures: they are sealed
 * instead (device-keys.ts). Comparisons are constant-time.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { LIMITS } from '../limits.ts';
import { HashQueue } from './hash-queue.ts';

const KEY_BYTES = 32;
const SALT_BYTES = 16;

export type ScryptCost = { N: number; r: number; p: number };

/** The process's one queue for password hashes: sign-ins, new operators, the console. */
export const passwordHashing = new HashQueue(LIMITS.passwordHashesRunningMax, LIMITS.passwordHashesWaitingMax);

/** Memory scrypt needs for a cost, as OpenSSL counts it (V: 128·r·(N+2), B: 128·r·p). */
function scryptMemoryBytes({ N, r, p }: ScryptCost): number {
  return 128 * r * (N + 2) + 128 * r * p;
}

function isSaneCost(cost: ScryptCost): boolean {
  const { N, r, p } = cost;
  const integers = [N, r, p].every((n) => Number.isSafeInteger(n) && n >= 1);
  // N must be a power of two above 1; a stored cost past the memory limit is never computed.
  return integers && N > 1 && (N & (N - 1)) === 0 && scryptMemoryBytes(cost) <= LIMITS.scryptMemoryBytesMax;
}

function scrypt(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return passwordHashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scryptCallback(password.normalize('NFC'), salt, KEY_BYTES, { ...cost, maxmem: LIMITS.scryptMemoryBytesMax }, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
  );
}

function format(cost: ScryptCost, salt: Buffer, key: Buffer): string {
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('hex')}$${key.toString('hex')}`;
}

type Parsed = { cost: ScryptCost; salt: Buffer; key: Buffer };

function parse(stored: string): Parsed | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const cost = { N, r, p };
  if (!isSaneCost(cost) || !/^[0-9a-f]{2,}$/.test(parts[4]!) || !/^[0-9a-f]{2,}$/.test(parts[5]!)) return null;
  return { cost, salt: Buffer.from(parts[4]!, 'hex'), key: Buffer.from(parts[5]!, 'hex') };
}

/** `cost` other than the current one is for tests that need a hash as an older server made it. */
export async function hashPassword(password: string, cost: ScryptCost = LIMITS.scryptCost): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return format(cost, salt, await scrypt(password, salt, cost));
}

/** False for a wrong password and for a stored text that is no scrypt hash this server accepts. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when a stored hash was made with another cost than today's: rehash it once the password is known. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  const { N, r, p } = LIMITS.scryptCost;
  return parsed === null || parsed.cost.N !== N || parsed.cost.r !== r || parsed.cost.p !== p || parsed.salt.length !== SALT_BYTES;
}

/**
 * A hash no password matches, at today's cost: checking a password against it costs what checking
 * a real operator's does, so an unknown user name takes as long as a known one. Random bytes, not
 * the hash of anything, so building it costs nothing.
 */
export const UNMATCHABLE_HASH = format(LIMITS.scryptCost, randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));

/** A fresh random secret (device secret, session token, enrolment code), URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
