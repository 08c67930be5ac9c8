/**
 * Tests that take cash need the operator's shift open (server/shifts/): this opens one directly,
 * as the push operation shift.open would, without using up a seq of the device's queue.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import type { Principal } from '../auth/principal.ts';
import { openShift } from '../shifts/shifts.ts';

type Transactional = Sql & { transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> };

/** Opens a shift for the operator `username` (a demo operator by default) with `openingFloatFen`; returns its id. */
export async function openTestShift(db: Transactional, username = 'demo.operator', openingFloatFen = 0): Promise<string> {
  const found = await db.query<{ id: bigint; org_unit_id: bigint; role: Principal['role'] }>(
    'SELECT id, org_unit_id, role FROM operator WHERE username = $1',
    [username],
  );
  const operator = found.rows[0];
  if (!operator) throw new Error(`no operator ${username}`);
  const principal: Principal = {
    role: operator.role,
    orgUnitId: operator.org_unit_id,
    scopeRootId: null,
    deviceId: null,
    terminalId: null,
    operatorId: operator.id,
  };
  const opened = await db.transaction((tx) => openShift(tx, { openingFloatFen }, { principal, operationId: randomUUID() }));
  return opened.shiftId;
}
