/**
 * The operator's shift (班次) at the tablet, headless: which shift is open (GET
 * /api/v1/shifts/current, for the status bar and the money screens, which need one), opening it
 * with the float counted (`shift.open`) and closing it with the cash counted (`shift.close`), both
 * queued through the outbox like any money operation (docs/ledger.md "Shifts and drawers").
 *
 * The close's rule at the counter: cash over or short (长款/短款) is never closed silently, the
 * clerk writes why (NOTE_REQUIRED before anything is queued). The server posts the difference
 * against the outlet's CASH_DIFFERENCE account whatever the tablet believed the drawer held.
 */
import { get, writable, type Readable } from 'svelte/store';
import type { CurrentShift } from '../../server/contract/shifts.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import type { ShiftListItem, ShiftTotal } from './shift-operations.ts';
import { STAFF_ERROR, StaffError } from './errors.ts';
import { queueAndWait, type QueueDeps, type QueuedOutcome } from './queue.ts';

export type { CurrentShift };

/** What the tablet knows of the operator's shift: undefined until asked (or while offline), null for none open. */
export type ShiftKnown = CurrentShift | null | undefined;

/** The open shift as last heard from the server; refreshed on sign-in and after each money operation. */
export class ShiftWatch {
  readonly #api: ApiClient;
  readonly #current = writable<ShiftKnown>(undefined);
  readonly current: Readable<ShiftKnown> = { subscribe: this.#current.subscribe };

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get(): ShiftKnown {
    return get(this.#current);
  }

  /** Asks the server; offline (or refused) the last known answer stays, never a made-up one. */
  async refresh(): Promise<ShiftKnown> {
    try {
      const answer = await this.#api.call('currentShift');
      this.#current.set(answer.shift);
    } catch {
      // The bar keeps what it last knew; a money screen then lets the server decide.
    }
    return this.get();
  }

  /** Signed out: nothing is known of the next operator's shift. */
  forget(): void {
    this.#current.set(undefined);
  }
}

function checkCountedFen(fen: number): void {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `counted ${fen} is not a number of fen`);
}

/** 开班: the opening float counted into the drawer (zero allowed: an empty drawer). */
export async function openShift(deps: QueueDeps, request: { openingFloatFen: number }): Promise<QueuedOutcome> {
  checkCountedFen(request.openingFloatFen);
  return queueAndWait(deps, 'shift.open', { openingFloatFen: request.openingFloatFen });
}

/** counted − expected: above zero cash over (长款), below zero cash short (短款). */
export function drawerDifference(expectedFen: number, countedFen: number): number {
  return countedFen - expectedFen;
}

export type ShiftCloseRequest = { countedFen: number; note?: string; expectedFen: number };

/** What the server answered a close with (server/shifts/shifts.ts ShiftClosed), for the slip. */
export type ShiftClosed = { shiftId: string; countedFen: number; expectedFen: number; differenceFen: number };

export function shiftClosedOf(result: unknown): ShiftClosed | null {
  const r = result as Partial<ShiftClosed> | null;
  if (!r || typeof r.countedFen !== 'number' || typeof r.expectedFen !== 'number' || typeof r.differenceFen !== 'number') return null;
  return { shiftId: String(r.shiftId), countedFen: r.countedFen, expectedFen: r.expectedFen, differenceFen: r.differenceFen };
}

/**
 * 交班: the cash counted, against the drawer the tablet last saw (`expectedFen`); a difference
 * needs a note. The server's own expected figure is the one booked (the slip shows its answer).
 */
export async function closeShift(deps: QueueDeps, request: ShiftCloseRequest): Promise<QueuedOutcome> {
  checkCountedFen(request.countedFen);
  const note = request.note?.trim() ?? '';
  if (note.length > 200) throw new StaffError(STAFF_ERROR.NOTE_REQUIRED, 'the note is longer than 200 characters');
  if (drawerDifference(request.expectedFen, request.countedFen) !== 0 && note === '')
    throw new StaffError(STAFF_ERROR.NOTE_REQUIRED, 'cash over or short needs a note');
  return queueAndWait(deps, 'shift.close', { countedFen: request.countedFen, ...(note ? { note } : {}) });
}

/** The shift-close slip (交班单): the drawer's figures as the server booked them, and the shift's times. */
export type ShiftSlip = {
  expectedFen: number;
  countedFen: number;
  differenceFen: number;
  receiptsCount: number;
  openedAt: string;
  /** The server's answer (ms), or when it was queued. */
  closedAt: number;
  note: string | null;
  operatorName: string;
  outletName: string;
  terminalId: string;
  reference: string;
  queued: boolean;
  /** The shift's money operations as its screen last listed them (src/staff/shift-operations.ts). */
  operations: readonly ShiftListItem[];
  /** Its totals by kind as the screen last showed them. */
  totals: readonly ShiftTotal[];
};
