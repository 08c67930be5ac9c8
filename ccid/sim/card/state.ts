/**
 * The persistent state of a simulated fuel user card: what its EEPROM holds (files, keys, PIN,
 * purse, counters, grey-lock record, last transaction proofs), its JSON form and the validation
 * that refuses a corrupted JSON form. Command handlers never edit the live state: they edit a
 * clone and the card commits it whole (fuel-card.ts), the way a card OS's transaction buffer
 * makes a purse update atomic.
 */
import { fromHex, toHex } from '../../bytes.ts';

/** Limits of the card (each named once). */
export const CARD_LIMITS = {
  /** EF18 holds the last 10 transactions (cyclic; the brief's choice, S1 uses 11). */
  logRecordsMax: 10,
  /** EF18 record length, docs/card-protocol.md §3.5. */
  logRecordBytes: 0x17,
  /** PIN tries before blocking (docs/card-protocol.md §5.4). */
  pinTriesMax: 3,
  /**
   * PIN length in BCD bytes: 2..6 bytes per the VERIFY row of docs/card-protocol.md §1.2 (4..12
   * digits).
   */
  pinBytesMin: 2,
  pinBytesMax: 6,
  /** Bad GMACs that lock the application (docs/card-protocol.md §1.3, CJ/T 304). */
  unlockMacFailuresMax: 3,
  /** 2- and 4-byte counters. */
  ttcMax: 0xffff,
  /** A balance is 4 bytes unsigned. */
  balanceFenMax: 0xffffffff,
  /** Overdraft limit is 3 bytes. */
  overdraftFenMax: 0xffffff,
} as const;

/** File sizes of the SINOPEC ADF (docs/card-protocol.md §3.1–3.4). */
export const FILE_BYTES = { ef15: 0x1e, ef16: 0x29, ef1b: 0x20, ef1c: 0x60 } as const;
export type BinaryFileName = keyof typeof FILE_BYTES;

/** Key kinds of the fuel ADF (docs/card-protocol.md §2.3). */
export const KEY_KINDS = ['DAMK', 'DAMTK', 'DPK', 'DLK', 'DULK', 'DTK', 'DPUK', 'DRPK', 'DUK', 'DUGK', 'DIAK'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export interface CardKeyEntry {
  kind: KeyKind;
  /** Key index (密钥索引) the terminal names in INITIALIZE commands. */
  index: number;
  /** Key version (密钥版本) the card reports. */
  version: number;
  /** Algorithm identifier (算法标识) the card reports. */
  algId: number;
  key: Uint8Array;
}

/** One transaction's proof kept for GET TRANSACTION PROVE: the last one per counter. */
export interface TransactionProof {
  transType: number;
  ttc: number;
  mac: Uint8Array;
  tac: Uint8Array;
}

/** Grey-lock status flag of the lock proof (docs/card-protocol.md §3.6). */
export const GREY_STATUS = { NORMAL: 0x00, LOCKED: 0x01, TAC_UNREAD: 0x10 } as const;
export type GreyStatus = (typeof GREY_STATUS)[keyof typeof GREY_STATUS];

export interface GreyState {
  status: GreyStatus;
  /** False until the first lock: GET LOCK PROOF then answers 6985 (docs/card-protocol.md §1.3). */
  everLocked: boolean;
  transType: number;
  /** 01 ED, 02 EP. */
  purseType: number;
  balanceFen: number;
  offlineTtc: number;
  terminalId: Uint8Array;
  terminalTtc: number;
  date: Uint8Array;
  time: Uint8Array;
  /** Lock proof bytes 22..25: MAC2 of the lock while locked, the unlock amount after. */
  field22: Uint8Array;
  /** Lock proof bytes 26..29: GTAC while locked, the unlock TAC after. */
  field26: Uint8Array;
  /** The grey-lock session key, kept to check the GMAC of a DEBIT FOR UNLOCK days later. */
  sessionKey: Uint8Array;
  unlockMacFailures: number;
}

export interface PurseState {
  edBalanceFen: number;
  epBalanceFen: number;
  onlineTtc: number;
  offlineTtc: number;
  overdraftLimitFen: number;
  /** The most a purse may hold; a load past it is refused with 6985. */
  balanceMaxFen: number;
}

export interface PinState {
  /** PIN digits as sent in VERIFY: BCD, 2..6 bytes. */
  bcd: Uint8Array;
  triesLeft: number;
  triesMax: number;
}

export const LIFECYCLES = ['personalisation', 'issued'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];
/** `blocked`: temporary (APPLICATION BLOCK, 3 bad GMACs) → 9407 / 6A81; `locked`: permanent → 9303. */
export const APP_STATUSES = ['active', 'blocked', 'locked'] as const;
export type AppStatus = (typeof APP_STATUSES)[number];

export interface FuelCardState {
  lifecycle: Lifecycle;
  appStatus: AppStatus;
  ef15: Uint8Array;
  ef16: Uint8Array;
  ef1b: Uint8Array;
  ef1c: Uint8Array;
  /** EF18 records, newest first. */
  log: Uint8Array[];
  keys: CardKeyEntry[];
  pin: PinState;
  purse: PurseState;
  grey: GreyState;
  proofs: { online: TransactionProof | null; offline: TransactionProof | null };
  /**
   * Whether SELECT LOYALTY finds an application (docs/card-protocol.md §1.1: 9000 present, 6A82
   * absent).
   */
  loyaltyPresent: boolean;
}

export function cloneState(state: FuelCardState): FuelCardState {
  return structuredClone(state);
}

export function emptyGreyState(): GreyState {
  return {
    status: GREY_STATUS.NORMAL,
    everLocked: false,
    transType: 0,
    purseType: 0,
    balanceFen: 0,
    offlineTtc: 0,
    terminalId: new Uint8Array(6),
    terminalTtc: 0,
    date: new Uint8Array(4),
    time: new Uint8Array(3),
    field22: new Uint8Array(4),
    field26: new Uint8Array(4),
    sessionKey: new Uint8Array(8),
    unlockMacFailures: 0,
  };
}

export function findKey(state: FuelCardState, kind: KeyKind, index?: number): CardKeyEntry | undefined {
  return state.keys.find((entry) => entry.kind === kind && (index === undefined || entry.index === index));
}

// ---------------------------------------------------------------------------------------------
// JSON form

/** Bumped whenever the JSON shape changes; restore refuses any other value. */
export const STATE_FORMAT = 'fuelcard-sim-user-card/1';

export const STATE_ERROR = {
  NOT_AN_OBJECT: 'STATE_NOT_AN_OBJECT',
  FORMAT_UNKNOWN: 'STATE_FORMAT_UNKNOWN',
  FIELD_INVALID: 'STATE_FIELD_INVALID',
} as const;
export type StateErrorCode = (typeof STATE_ERROR)[keyof typeof STATE_ERROR];

/** A saved card state that cannot be trusted: the caller makes a fresh card instead. */
export class FuelCardStateError extends Error {
  readonly code: StateErrorCode;
  readonly path: string;
  constructor(code: StateErrorCode, path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'FuelCardStateError';
    this.code = code;
    this.path = path;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface SerializedFuelCard {
  format: typeof STATE_FORMAT;
  /** PRNG state of the card's random generator (GET CHALLENGE, INITIALIZE randoms). */
  rng: number;
  state: { [key: string]: Json };
}

export function stateToJson(state: FuelCardState, rng: number): SerializedFuelCard {
  const proof = (p: TransactionProof | null): Json =>
    p === null ? null : { transType: p.transType, ttc: p.ttc, mac: toHex(p.mac), tac: toHex(p.tac) };
  const g = state.grey;
  return {
    format: STATE_FORMAT,
    rng,
    state: {
      lifecycle: state.lifecycle,
      appStatus: state.appStatus,
      ef15: toHex(state.ef15),
      ef16: toHex(state.ef16),
      ef1b: toHex(state.ef1b),
      ef1c: toHex(state.ef1c),
      log: state.log.map(toHex),
      keys: state.keys.map((k) => ({ kind: k.kind, index: k.index, version: k.version, algId: k.algId, key: toHex(k.key) })),
      pin: { bcd: toHex(state.pin.bcd), triesLeft: state.pin.triesLeft, triesMax: state.pin.triesMax },
      purse: { ...state.purse },
      grey: {
        status: g.status,
        everLocked: g.everLocked,
        transType: g.transType,
        purseType: g.purseType,
        balanceFen: g.balanceFen,
        offlineTtc: g.offlineTtc,
        terminalId: toHex(g.terminalId),
        terminalTtc: g.terminalTtc,
        date: toHex(g.date),
        time: toHex(g.time),
        field22: toHex(g.field22),
        field26: toHex(g.field26),
        sessionKey: toHex(g.sessionKey),
        unlockMacFailures: g.unlockMacFailures,
      },
      proofs: { online: proof(state.proofs.online), offline: proof(state.proofs.offline) },
      loyaltyPresent: state.loyaltyPresent,
    },
  };
}

/** Reads fields of an untrusted object, each failure a FuelCardStateError naming the path. */
class Reader {
  constructor(
    private readonly value: unknown,
    readonly path: string,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FuelCardStateError(STATE_ERROR.NOT_AN_OBJECT, path, 'not an object');
    }
  }
  private raw(name: string): unknown {
    return (this.value as Record<string, unknown>)[name];
  }
  fail(name: string, message: string): never {
    throw new FuelCardStateError(STATE_ERROR.FIELD_INVALID, `${this.path}.${name}`, message);
  }
  int(name: string, min: number, max: number): number {
    const v = this.raw(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) this.fail(name, `not an integer ${min}..${max}`);
    return v;
  }
  bool(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== 'boolean') this.fail(name, 'not a boolean');
    return v;
  }
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.raw(name);
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(name, `not one of ${allowed.join(', ')}`);
    return v as T;
  }
  bytes(name: string, lengths: readonly number[]): Uint8Array {
    return this.hexValue(this.raw(name), name, lengths);
  }
  hexValue(v: unknown, name: string, lengths: readonly number[]): Uint8Array {
    if (typeof v !== 'string' || !/^([0-9A-Fa-f]{2})*$/.test(v)) this.fail(name, 'not hex');
    const bytes = fromHex(v);
    if (!lengths.includes(bytes.length)) this.fail(name, `length ${bytes.length}, expected ${lengths.join(' or ')}`);
    return bytes;
  }
  object(name: string): Reader {
    return new Reader(this.raw(name), `${this.path}.${name}`);
  }
  array(name: string, lengthMax: number): unknown[] {
    const v = this.raw(name);
    if (!Array.isArray(v) || v.length > lengthMax) this.fail(name, `not an array of at most ${lengthMax}`);
    return v;
  }
  nullable(name: string): boolean {
    return this.raw(name) === null;
  }
}

export function stateFromJson(input: unknown): { state: FuelCardState; rng: number } {
  const top = new Reader(input, '$');
  if ((input as Record<string, unknown>).format !== STATE_FORMAT) {
    throw new FuelCardStateError(STATE_ERROR.FORMAT_UNKNOWN, '$.format', `expected ${STATE_FORMAT}`);
  }
  const rng = top.int('rng', 0, 0xffffffff);
  const s = top.object('state');
  const state: FuelCardState = {
    lifecycle: s.oneOf('lifecycle', LIFECYCLES),
    appStatus: s.oneOf('appStatus', APP_STATUSES),
    ef15: s.bytes('ef15', [FILE_BYTES.ef15]),
    ef16: s.bytes('ef16', [FILE_BYTES.ef16]),
    ef1b: s.bytes('ef1b', [FILE_BYTES.ef1b]),
    ef1c: s.bytes('ef1c', [FILE_BYTES.ef1c]),
    log: s.array('log', CARD_LIMITS.logRecordsMax).map((r, i) => s.hexValue(r, `log[${i}]`, [CARD_LIMITS.logRecordBytes])),
    keys: s.array('keys', 64).map((k, i) => keyFromJson(new Reader(k, `${s.path}.keys[${i}]`))),
    pin: pinFromJson(s.object('pin')),
    purse: purseFromJson(s.object('purse')),
    grey: greyFromJson(s.object('grey')),
    proofs: proofsFromJson(s.object('proofs')),
    loyaltyPresent: s.bool('loyaltyPresent'),
  };
  crossChecks(state);
  return { state, rng };
}

/** Invariants between fields that each look valid alone. */
function crossChecks(state: FuelCardState): void {
  const fail = (path: string, message: string): never => {
    throw new FuelCardStateError(STATE_ERROR.FIELD_INVALID, path, message);
  };
  const g = state.grey;
  if (g.status !== GREY_STATUS.NORMAL && (!g.everLocked || (g.purseType !== 1 && g.purseType !== 2))) {
    fail('$.state.grey', 'a grey or TAC-unread card must have been locked on purse 01 or 02');
  }
  const seen = new Set(state.keys.map((k) => `${k.kind}/${k.index}`));
  if (seen.size !== state.keys.length) fail('$.state.keys', 'two keys share a kind and index');
  for (const [name, p] of Object.entries(state.proofs)) {
    const counter = name === 'online' ? state.purse.onlineTtc : state.purse.offlineTtc;
    if (p !== null && p.ttc > counter) fail(`$.state.proofs.${name}.ttc`, 'a proof from a counter value not reached yet');
  }
}

function keyFromJson(k: Reader): CardKeyEntry {
  return {
    kind: k.oneOf('kind', KEY_KINDS),
    index: k.int('index', 0, 0xff),
    version: k.int('version', 0, 0xff),
    algId: k.int('algId', 0, 0xff),
    key: k.bytes('key', [16]),
  };
}

function pinFromJson(p: Reader): PinState {
  const triesMax = p.int('triesMax', 1, 15);
  return {
    bcd: p.bytes('bcd', [2, 3, 4, 5, 6]),
    triesLeft: p.int('triesLeft', 0, triesMax),
    triesMax,
  };
}

function purseFromJson(p: Reader): PurseState {
  const balanceMaxFen = p.int('balanceMaxFen', 0, CARD_LIMITS.balanceFenMax);
  return {
    edBalanceFen: p.int('edBalanceFen', 0, balanceMaxFen),
    epBalanceFen: p.int('epBalanceFen', 0, balanceMaxFen),
    onlineTtc: p.int('onlineTtc', 0, CARD_LIMITS.ttcMax),
    offlineTtc: p.int('offlineTtc', 0, CARD_LIMITS.ttcMax),
    overdraftLimitFen: p.int('overdraftLimitFen', 0, CARD_LIMITS.overdraftFenMax),
    balanceMaxFen,
  };
}

function greyFromJson(g: Reader): GreyState {
  const status = g.int('status', 0, 0x10);
  if (status !== GREY_STATUS.NORMAL && status !== GREY_STATUS.LOCKED && status !== GREY_STATUS.TAC_UNREAD) {
    g.fail('status', 'not 00, 01 or 10');
  }
  return {
    status,
    everLocked: g.bool('everLocked'),
    transType: g.int('transType', 0, 0xff),
    purseType: g.int('purseType', 0, 2),
    balanceFen: g.int('balanceFen', 0, CARD_LIMITS.balanceFenMax),
    offlineTtc: g.int('offlineTtc', 0, CARD_LIMITS.ttcMax),
    terminalId: g.bytes('terminalId', [6]),
    terminalTtc: g.int('terminalTtc', 0, 0xffffffff),
    date: g.bytes('date', [4]),
    time: g.bytes('time', [3]),
    field22: g.bytes('field22', [4]),
    field26: g.bytes('field26', [4]),
    sessionKey: g.bytes('sessionKey', [8]),
    unlockMacFailures: g.int('unlockMacFailures', 0, CARD_LIMITS.unlockMacFailuresMax),
  };
}

function proofsFromJson(p: Reader): FuelCardState['proofs'] {
  const one = (name: string): TransactionProof | null => {
    if (p.nullable(name)) return null;
    const r = p.object(name);
    return {
      transType: r.int('transType', 0, 0xff),
      ttc: r.int('ttc', 0, CARD_LIMITS.ttcMax),
      mac: r.bytes('mac', [4]),
      tac: r.bytes('tac', [4]),
    };
  };
  return { online: one('online'), offline: one('offline') };
}
