/**
 * Stock conservation, as a property (docs/domain.md § Card stock): after any sequence of stock-ins
 * and requisitions, valid and invalid, every card is in exactly one place, none is lost (each
 * batch's count equals the sum of its cards over the places), and a refused move changed nothing.
 * The server's functions run against a model of where each card should be; every run works on its
 * own serials so that runs share one database and stay quick.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { StockCardType } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import { openTestApp, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { stockIn } from './stock-in.ts';
import { requisition } from './requisition.ts';

const TYPES: Record<StockCardType, string> = { user: '01', employee: '04', manage: '02', test: '05', maintenance: '06' };
const cardNo = (type: StockCardType, serial: number) => `0100${TYPES[type]}13200${String(serial).padStart(9, '0')}`;
const NOW = new Date('2026-01-01T00:00:00Z');

type Place = 'P' | 'C1' | 'C2' | 'O1' | 'O2' | 'S';
const PARENT: Record<Place, Place | null> = { P: null, C1: 'P', C2: 'P', O1: 'C1', O2: 'C2', S: 'C1' };
type Command =
  { kind: 'in'; type: StockCardType; a: number; b: number } | { kind: 'move'; to: Place; type: StockCardType; a: number; b: number };

const span = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 6 }), fc.boolean());
const typeArb = fc.constantFrom<StockCardType>('user', 'employee');
const command: fc.Arbitrary<Command> = fc.oneof(
  fc
    .record({ kind: fc.constant('in' as const), type: typeArb, s: span })
    .map(({ type, s: [a, n, rev] }) => ({ kind: 'in' as const, type, a: rev ? a + n : a, b: rev ? a : a + n })),
  fc
    .record({ kind: fc.constant('move' as const), to: fc.constantFrom<Place>('P', 'C1', 'C2', 'O1', 'O2', 'S'), type: typeArb, s: span })
    .map(({ to, type, s: [a, n, rev] }) => ({ kind: 'move' as const, to, type, a: rev ? a + n : a, b: rev ? a : a + n })),
);

describe(`stock conservation on ${testEngine()}`, () => {
  let t: TestApp;
  let ids: Record<Place, string>;
  let admin: Principal;

  beforeAll(async () => {
    t = await openTestApp();
    const units = await t.db.query<{ code: string; id: bigint }>('SELECT code, id FROM org_unit');
    const by = new Map(units.rows.map((r) => [r.code, String(r.id)]));
    ids = {
      P: by.get('32')!,
      C1: by.get('3201')!,
      C2: by.get('3202')!,
      O1: by.get('3201001')!,
      O2: by.get('3202001')!,
      S: by.get('3201S01')!,
    };
    const op = await t.db.query<{ id: bigint }>("SELECT id FROM operator WHERE username = 'demo.admin'");
    admin = {
      role: 'administrator',
      orgUnitId: BigInt(ids.P),
      scopeRootId: null,
      deviceId: null,
      terminalId: null,
      operatorId: op.rows[0]!.id,
    };
  });
  afterAll(async () => t.close());

  it('keeps every card in one place, loses none, and refused moves change nothing', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        const base = 800_000_000 + run++ * 100;
        const model = new Map<string, Place>();
        const key = (type: StockCardType, serial: number) => cardNo(type, base + serial);
        for (const c of commands) {
          const [lo, hi] = [c.a, c.b];
          const serials = lo <= hi ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : [];
          let expected: boolean;
          if (c.kind === 'in') expected = serials.length > 0 && serials.every((s) => !model.has(key(c.type, s)));
          else {
            const from = PARENT[c.to];
            expected =
              serials.length > 0 &&
              from !== null &&
              c.to !== 'S' &&
              !(c.to.startsWith('O') && c.type !== 'user') &&
              serials.every((s) => model.get(key(c.type, s)) === from);
          }
          let applied = true;
          try {
            await t.db.transaction<unknown>((tx) =>
              c.kind === 'in'
                ? stockIn(
                    tx,
                    admin,
                    {
                      operationId: randomUUID(),
                      cardType: c.type,
                      keyVersion: 1,
                      expiresOn: '2030-12-31',
                      firstCardNo: key(c.type, c.a),
                      lastCardNo: key(c.type, c.b),
                    },
                    NOW,
                  )
                : requisition(tx, admin, {
                    operationId: randomUUID(),
                    toUnitId: ids[c.to],
                    firstCardNo: key(c.type, c.a),
                    lastCardNo: key(c.type, c.b),
                  }),
            );
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            applied = false;
          }
          expect(applied, JSON.stringify(c)).toBe(expected);
          if (applied) for (const s of serials) model.set(key(c.type, s), c.kind === 'in' ? 'P' : c.to);
          // The database agrees with the model on this run's cards: a refusal moved nothing.
          const rows = await t.db.query<{ card_no: string; stock_unit_id: bigint | null }>(
            "SELECT card_no, stock_unit_id FROM card WHERE right(card_no, 9)::bigint BETWEEN $1 AND $2 AND card_no LIKE '0100%13200%'",
            [base, base + 99],
          );
          const actual = new Map(rows.rows.map((r) => [r.card_no, String(r.stock_unit_id)]));
          expect(actual).toEqual(new Map([...model].map(([n, p]) => [n, ids[p]])));
        }
        // No card lost anywhere: each batch's count is the sum of its cards over the places.
        const lost = await t.db.query(
          `SELECT b.id FROM stock_batch b
             LEFT JOIN (SELECT stock_batch_id, count(*) FILTER (WHERE stock_unit_id IS NOT NULL)::integer AS placed, count(*)::integer AS n
                          FROM card WHERE stock_batch_id IS NOT NULL GROUP BY 1) c ON c.stock_batch_id = b.id
            WHERE coalesce(c.placed, 0) <> b.card_count OR coalesce(c.n, 0) <> b.card_count`,
        );
        expect(lost.rows).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
