/**
 * Host-side cost of one APDU through the whole card stack (CardSession → exchange level →
 * CCID messages → WebUSB-shaped transfers) over the virtual reader with an instant card, per
 * exchange level. The baseline is the same APDU handed straight to the simulated card, measured
 * in the same process; the goal is at most 50 µs per APDU so the card is always the slow
 * part. Each figure is the median of several rounds.
 *
 * Also the cost of one DES and one two-key 3DES block (ccid/crypto/des.ts), against the literal
 * FIPS 46-3 implementation it replaced (des-reference.ts) as the baseline: the server's key store,
 * the simulated cards and the kiosk spend their crypto time there.
 */
import { fromHex } from '../../ccid/bytes.ts';
import { desEncryptBlock, tdesEncryptBlock } from '../../ccid/crypto/des.ts';
import { referenceDesEncryptBlock, referenceTdesEncryptBlock } from '../../ccid/crypto/des-reference.ts';
import type { SimulatedCard } from '../../ccid/sim/simulated-card.ts';
import { READER_PROFILES, type ReaderProfile } from '../../ccid/sim/reader/profiles.ts';
import { VirtualReader } from '../../ccid/sim/reader/reader.ts';
import { CcidReader } from '../../ccid/usb/reader.ts';
import type { BenchResult } from './types.ts';

const ROUND_COUNT = 7;
const APDU_COUNT_PER_ROUND = 500;
/** READ BINARY of 32 bytes: a typical fuel-card record read. */
const APDU = fromHex('00 B0 95 00 20');

/** Answers at once: Ne counting bytes and 90 00. */
class InstantCard implements SimulatedCard {
  constructor(private readonly atr: Uint8Array) {}
  powerOn(): Uint8Array {
    return this.atr;
  }
  powerOff(): void {}
  transmit(apdu: Uint8Array): Uint8Array {
    const ne = apdu.length === 5 ? apdu[4] || 256 : 0;
    const out = new Uint8Array(ne + 2);
    for (let i = 0; i < ne; i++) out[i] = i;
    out[ne] = 0x90;
    return out;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function microsecondsPerApdu(send: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 100; i++) await send();
  const rounds: number[] = [];
  for (let round = 0; round < ROUND_COUNT; round++) {
    const started = performance.now();
    for (let i = 0; i < APDU_COUNT_PER_ROUND; i++) await send();
    rounds.push(((performance.now() - started) * 1000) / APDU_COUNT_PER_ROUND);
  }
  return median(rounds);
}

async function level(name: string, profile: ReaderProfile, atrHex: string, baselineUs: number): Promise<BenchResult> {
  const card = new InstantCard(fromHex(atrHex));
  const device = new VirtualReader({ profile, card });
  const reader = await CcidReader.open(device);
  const session = await reader.connect();
  const commands = device.commands;
  const value = await microsecondsPerApdu(() => {
    commands.length = 0; // the virtual reader's command log would otherwise grow without bound
    return session.transmit(APDU);
  });
  await session.close();
  await reader.close();
  return { name: `ccid.apdu_overhead_us.${name}`, value, unit: 'us', baseline: baselineUs, ratio: value / baselineUs };
}

type BlockCipher = (key: Uint8Array, block: Uint8Array) => Uint8Array;

/** Blocks per round for the fast DES; the reference, tens of times slower, runs a fraction of them. */
const DES_BLOCK_COUNT_PER_ROUND = 20_000;
const DES_REFERENCE_BLOCK_COUNT_PER_ROUND = 1_000;
/** A few keys in turn, as a server alternates master and card keys; fresh arrays, equal contents. */
const DES_KEY_COUNT = 4;

function desKeys(length: 8 | 16): Uint8Array[] {
  return Array.from({ length: DES_KEY_COUNT }, (_, k) => Uint8Array.from({ length }, (_, i) => (k * 37 + i * 11 + 1) & 0xff));
}

/** Median µs per block, each block encrypting the previous output so no call can be skipped. */
function microsecondsPerBlock(cipher: BlockCipher, keys: Uint8Array[], blockCount: number): number {
  let block = fromHex('01 23 45 67 89 AB CD EF');
  for (let i = 0; i < blockCount / 10; i++) block = cipher(keys[i % keys.length]!.slice(), block);
  const rounds: number[] = [];
  for (let round = 0; round < ROUND_COUNT; round++) {
    const started = performance.now();
    for (let i = 0; i < blockCount; i++) block = cipher(keys[i % keys.length]!.slice(), block);
    rounds.push(((performance.now() - started) * 1000) / blockCount);
  }
  return median(rounds);
}

/** A key never seen before for every block, as for a fresh session key: the schedule-cache miss path. */
function desNewKeyKeys(): Uint8Array[] {
  return Array.from({ length: DES_BLOCK_COUNT_PER_ROUND }, (_, k) => Uint8Array.of(k >> 16, k >> 8, k, 0xa5, 0x5a, 0x3c, 0xc3, 0x01));
}

function cipherResult(name: string, fast: BlockCipher, reference: BlockCipher, keys: Uint8Array[]): BenchResult {
  const baseline = microsecondsPerBlock(reference, keys, DES_REFERENCE_BLOCK_COUNT_PER_ROUND);
  const value = microsecondsPerBlock(fast, keys, DES_BLOCK_COUNT_PER_ROUND);
  return { name, value, unit: 'us', baseline, ratio: value / baseline };
}

export async function run(): Promise<BenchResult[]> {
  const direct = new InstantCard(fromHex('3B 00'));
  const baselineUs = await microsecondsPerApdu(() => direct.transmit(APDU));
  return [
    await level('tpdu_t1', READER_PROFILES.acr39u, '3B 80 81 31 FE 45 8B', baselineUs),
    await level('tpdu_t0', READER_PROFILES.acr39u, '3B 00', baselineUs),
    await level('short_apdu', READER_PROFILES.acr3901u, '3B 00', baselineUs),
    cipherResult('ccid.des_block_us', desEncryptBlock, referenceDesEncryptBlock, desKeys(8)),
    cipherResult('ccid.tdes_block_us', tdesEncryptBlock, referenceTdesEncryptBlock, desKeys(16)),
    cipherResult('ccid.des_new_key_block_us', desEncryptBlock, referenceDesEncryptBlock, desNewKeyKeys()),
  ];
}
