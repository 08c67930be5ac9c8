import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { availableFen, balanceFen, ensureAccount } from './accounts.ts';
import { checkLedger } from './check.ts';
import { LedgerError } from './errors.ts';
import { createTransfers, readAccounts, resolvePending } from './transfers.ts';

describe(`the ledger on ${testEngine()}`, () => {
  let db: TestDatabase;
  let bank: bigint;
  let quota: bigint;
  let purse: bigint;

  beforeEach(async () => {
    db = await openTestDatabase();
    const org = await db.query<{ id: bigint }>(
      "INSERT INTO org_unit (kind, code, name_zh, name_en) VALUES ('province', '32', '省', 'P') RETURNING id",
    );
    const orgId = org.rows[0]!.id;
    const customer = await db.query<{ id: bigint }>(
      "INSERT INTO customer (kind, name, org_unit_id) VALUES ('personal', 'A', $1) RETURNING id",
      [orgId],
    );
    const customerId = customer.rows[0]!.id;
    await db.query(
      "INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) VALUES ('01000113200000000001', $1, 'user', 'single', true, 'active', 1)",
      [customerId],
    );
    [bank, quota, purse] = await db.transaction(async (tx) => [
      await ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: orgId }),
      await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId }),
      await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: '01000113200000000001', customerId }),
    ]);
  });
  afterEach(async () => {
    expect(await checkLedger(db)).toEqual([]);
    await db.close();
  });

  const fund = (amountFen: bigint) =>
    db.transaction((tx) => createTransfers(tx, [{ debitAccountId: bank, creditAccountId: quota, amountFen, code: 'CASH_RECEIPT' }]));

  it('opens an account once however often it is asked for', async () => {
    const again = await db.transaction((tx) => ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: 1n }));
    expect(again).toBe(bank);
  });

  it('moves money from the debit account to the credit account and keeps the sum at zero', async () => {
    await fund(10_000n);
    const [b, q] = await readAccounts(db, [bank, quota]);
    expect(balanceFen(b!)).toBe(10_000n);
    expect(balanceFen(q!)).toBe(10_000n);
  });

  it('refuses to take a customer account below zero and writes nothing', async () => {
    await fund(100n);
    await expect(
      db.transaction((tx) => createTransfers(tx, [{ debitAccountId: quota, creditAccountId: purse, amountFen: 101n, code: 'LOAD' }])),
    ).rejects.toMatchObject({ code: 'EXCEEDS_CREDITS' });
    const [q] = await readAccounts(db, [quota]);
    expect(balanceFen(q!)).toBe(100n);
  });

  it('refuses a zero amount and a transfer from an account to itself', async () => {
    await expect(
      db.transaction((tx) => createTransfers(tx, [{ debitAccountId: bank, creditAccountId: quota, amountFen: 0n, code: 'CASH_RECEIPT' }])),
    ).rejects.toBeInstanceOf(LedgerError);
    await expect(
      db.transaction((tx) => createTransfers(tx, [{ debitAccountId: bank, creditAccountId: bank, amountFen: 1n, code: 'CASH_RECEIPT' }])),
    ).rejects.toMatchObject({ code: 'SAME_ACCOUNT' });
  });

  it('commits a linked batch whole or not at all', async () => {
    await fund(100n);
    const batch = [
      { debitAccountId: quota, creditAccountId: purse, amountFen: 60n, code: 'LOAD' as const },
      { debitAccountId: quota, creditAccountId: purse, amountFen: 60n, code: 'LOAD' as const },
    ];
    await expect(db.transaction((tx) => createTransfers(tx, batch))).rejects.toMatchObject({ code: 'EXCEEDS_CREDITS' });
    const count = await db.query<{ n: bigint }>("SELECT count(*)::bigint AS n FROM transfer WHERE code = 'LOAD'");
    expect(count.rows[0]!.n).toBe(0n);
  });

  it('reserves a pending amount against the balance and posts or voids it exactly once', async () => {
    await fund(100n);
    const [first] = await db.transaction((tx) =>
      createTransfers(tx, [{ debitAccountId: quota, creditAccountId: purse, amountFen: 70n, code: 'LOAD', pending: true }]),
    );
    let [q] = await readAccounts(db, [quota]);
    expect(availableFen(q!)).toBe(30n);
    await expect(
      db.transaction((tx) =>
        createTransfers(tx, [{ debitAccountId: quota, creditAccountId: purse, amountFen: 31n, code: 'LOAD', pending: true }]),
      ),
    ).rejects.toMatchObject({ code: 'EXCEEDS_CREDITS' });
    await db.transaction((tx) => resolvePending(tx, first!, 'post'));
    await expect(db.transaction((tx) => resolvePending(tx, first!, 'void'))).rejects.toMatchObject({ code: 'ALREADY_POSTED' });
    [q] = await readAccounts(db, [quota]);
    expect(balanceFen(q!)).toBe(30n);
    const [second] = await db.transaction((tx) =>
      createTransfers(tx, [{ debitAccountId: quota, creditAccountId: purse, amountFen: 30n, code: 'LOAD', pending: true }]),
    );
    await db.transaction((tx) => resolvePending(tx, second!, 'void'));
    [q] = await readAccounts(db, [quota]);
    expect(availableFen(q!)).toBe(30n);
  });

  it('has SQL constraints that refuse a customer account below zero even when code is bypassed', async () => {
    await expect(db.query('UPDATE account SET debits_posted = 1 WHERE id = $1', [quota])).rejects.toThrow(/account_not_below_zero/);
  });

  it('never lets a transfer be deleted or change after it settled', async () => {
    const [id] = await fund(5n);
    await expect(db.query('DELETE FROM transfer WHERE id = $1', [id])).rejects.toThrow(/never deleted/);
    await expect(db.query("UPDATE transfer SET state = 'voided', resolved_at = now() WHERE id = $1", [id])).rejects.toThrow(
      /only changes once/,
    );
  });

  it('shows a hand-made imbalance in the SQL check', async () => {
    await fund(5n);
    await db.query('UPDATE account SET credits_posted = credits_posted + 1 WHERE id = $1', [quota]);
    const violations = await checkLedger(db);
    expect(violations.map((v) => v.rule)).toContain('sum_posted_not_zero');
    await db.query('UPDATE account SET credits_posted = credits_posted - 1 WHERE id = $1', [quota]);
  });

  it('never overdraws one account under concurrent spending', async () => {
    await fund(1_000n);
    const attempts = Array.from({ length: 40 }, () =>
      db
        .transaction((tx) => createTransfers(tx, [{ debitAccountId: quota, creditAccountId: purse, amountFen: 30n, code: 'LOAD' }]))
        .then(
          () => 'ok',
          (error: unknown) => (error instanceof LedgerError ? error.code : String(error)),
        ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(33);
    expect(new Set(outcomes.filter((o) => o !== 'ok'))).toEqual(new Set(['EXCEEDS_CREDITS']));
    const [q] = await readAccounts(db, [quota]);
    expect(balanceFen(q!)).toBe(10n);
  });
});
