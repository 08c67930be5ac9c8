/**
 * The first administrator of an installation, made at the console (server/bin/admin.ts): nobody
 * can sign in yet to create one through the API. Later operators are created through the API by
 * an administrator (POST /api/v1/admin/operators). The audit entry goes on the "system" chain.
 */
import type { Database } from '../db/index.ts';
import { appendAudit } from '../audit/log.ts';
import { hashPassword } from '../auth/secrets.ts';
import { ApiError } from '../errors.ts';
import { findUnit } from './org-units.ts';

export type NewAdministrator = { username: string; displayName: string; orgUnitCode: string; password: string };

export async function createAdministrator(db: Database, input: NewAdministrator): Promise<{ operatorId: bigint }> {
  // scrypt is slow on purpose: hashed before the transaction, not inside it.
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const unit = await findUnit(tx, { code: input.orgUnitCode });
    if (!unit) throw new ApiError('NOT_FOUND', `no organisation unit has the code ${input.orgUnitCode}`);
    const inserted = await tx.query<{ id: bigint }>(
      `INSERT INTO operator (username, display_name, org_unit_id, role, password_hash) VALUES ($1, $2, $3, 'administrator', $4)
       ON CONFLICT (username) DO NOTHING RETURNING id`,
      [input.username, input.displayName, unit.id, passwordHash],
    );
    const row = inserted.rows[0];
    if (!row) throw new ApiError('ALREADY_EXISTS', `the user name ${input.username} is taken`);
    await appendAudit(
      tx,
      { deviceId: null, operatorId: null, orgUnitId: unit.id },
      { action: 'operator.create', subject: input.username, detail: { role: 'administrator', orgUnitId: String(unit.id), via: 'console' } },
    );
    return { operatorId: row.id };
  });
}
