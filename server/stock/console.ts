/**
 * Stock-in from the console (`npm run admin -- stock-in`, server/bin/admin.ts), for an installation
 * that receives its first cards before anyone uses the centre's screens: the same stockIn as the
 * API, in one transaction, audited under the operator named (an active administrator or centre
 * operator, who must exist: the console acts for a person, docs/operations.md § Card stock).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/index.ts';
import type { Role, StockBatchRequest, StockBatchResponse } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { stockIn } from './stock-in.ts';

export async function stockInAsOperator(
  db: Database,
  username: string,
  request: Omit<StockBatchRequest, 'operationId' | 'unitId'> & { unitCode?: string | undefined },
  now: Date,
): Promise<StockBatchResponse> {
  return db.transaction(async (tx) => {
    const found = await tx.query<{ id: bigint; role: Role; org_unit_id: bigint }>(
      "SELECT id, role, org_unit_id FROM operator WHERE username = $1 AND state = 'active'",
      [username],
    );
    const operator = found.rows[0];
    if (!operator) throw new ApiError('NOT_FOUND', `no active operator is called ${username}`);
    if (operator.role !== 'administrator' && operator.role !== 'center_operator') throw new ApiError('FORBIDDEN');
    let unitId: string | undefined;
    if (request.unitCode !== undefined) {
      const unit = await tx.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [request.unitCode]);
      if (!unit.rows[0]) throw new ApiError('STOCK_UNIT_INVALID', `no organisation unit has the code ${request.unitCode}`);
      unitId = String(unit.rows[0].id);
    }
    const principal: Principal = {
      role: operator.role,
      orgUnitId: operator.org_unit_id,
      scopeRootId: null,
      deviceId: null,
      terminalId: null,
      operatorId: operator.id,
    };
    const { unitCode: _unitCode, ...rest } = request;
    return stockIn(tx, principal, { ...rest, operationId: randomUUID(), ...(unitId === undefined ? {} : { unitId }) }, now);
  });
}
