/**
 * Reversals (冲正, docs/ledger.md "Reversals"): a supervisor undoes an applied cash receipt, cheque
 * receipt or pre-allocation by its operation id, with a reason. Never an edit: the mirror of each
 * of the original's transfers is posted, coded REVERSAL, and the original stays as it was. Once
 * only (the reversal table's key is the original operation). Refused when the money is no longer
 * where the original put it (spent, loaded onto a card, or not in the drawer):
 * REVERSAL_FUNDS_GONE. The cash of a reversed cash receipt comes out of the original shift's
 * drawer while that shift is open, else out of the drawer of the supervisor's own open shift (the
 * one handing the cash back). Like every change of a customer's account, done at the customer's
 * own outlet.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { storedResult } from '../sync/records.ts';
import type { TransferInput } from '../ledger/transfers.ts';
import { drawerAccount } from './drawer.ts';
import { postTransfers } from './post.ts';

export const REVERSIBLE_TYPES = ['receipt.cash', 'receipt.cheque', 'preallocation'] as const;
type ReversibleType = (typeof REVERSIBLE_TYPES)[number];

type OriginalTransfer = {
  id: string;
  debit_account_id: bigint;
  credit_account_id: bigint;
  amount_fen: bigint;
  state: string;
  debit_code: string;
  debit_owner: string;
  customer_id: bigint | null;
  customer_org_unit_id: bigint | null;
  /** When the debit account is a shift's drawer: whether that shift is still open. */
  drawer_shift_open: boolean | null;
};

/** The ids of the transfers an original operation's stored result names. */
function transferIdsOf(result: unknown): string[] {
  const r = storedResult(result) as { result?: { transferId?: unknown; transferIds?: unknown } } | null;
  const inner = r?.result;
  if (typeof inner?.transferId === 'string') return [inner.transferId];
  if (Array.isArray(inner?.transferIds) && inner.transferIds.every((id) => typeof id === 'string')) return inner.transferIds as string[];
  return [];
}

export async function reverse(
  tx: Sql,
  p: { operationId: string; deviceId?: string | undefined; reason: string },
  { principal, operationId }: { principal: Principal; operationId: string },
): Promise<{ transferIds: string[]; originalType: ReversibleType }> {
  if (principal.role !== 'outlet_supervisor' || principal.operatorId === null) throw new ApiError('FORBIDDEN');
  const originalDevice = p.deviceId ?? principal.deviceId;
  if (originalDevice === null) throw new ApiError('REVERSAL_NOT_FOUND');
  const found = await tx.query<{ type: string; status: string; result: unknown }>(
    'SELECT type, status, result FROM operation WHERE id = $1 AND device_id = $2',
    [p.operationId, originalDevice],
  );
  const original = found.rows[0];
  if (!original || original.status !== 'applied' || !(REVERSIBLE_TYPES as readonly string[]).includes(original.type))
    throw new ApiError('REVERSAL_NOT_FOUND');
  const originalType = original.type as ReversibleType;
  const done = await tx.query('SELECT 1 FROM reversal WHERE original_device_id = $1 AND original_operation_id = $2', [
    originalDevice,
    p.operationId,
  ]);
  if (done.rows.length > 0) throw new ApiError('ALREADY_REVERSED');
  const ids = transferIdsOf(original.result);
  const transfers = await tx.query<OriginalTransfer>(
    `SELECT t.id, t.debit_account_id, t.credit_account_id, t.amount_fen, t.state, d.code AS debit_code, d.owner_key AS debit_owner,
            coalesce(d.customer_id, c.customer_id) AS customer_id, cu.org_unit_id AS customer_org_unit_id,
            (SELECT s.closed_at IS NULL FROM shift s WHERE d.code = 'CASH' AND d.owner_key = 'shift:' || s.id::text) AS drawer_shift_open
       FROM transfer t JOIN account d ON d.id = t.debit_account_id JOIN account c ON c.id = t.credit_account_id
       LEFT JOIN customer cu ON cu.id = coalesce(d.customer_id, c.customer_id)
      WHERE t.id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], t.id)`,
    [ids],
  );
  if (ids.length === 0 || transfers.rows.length !== ids.length || transfers.rows.some((t) => t.state !== 'posted'))
    throw new ApiError('REVERSAL_NOT_FOUND');
  const customerOrgUnit = transfers.rows[0]!.customer_org_unit_id;
  // Every change of a customer's account belongs to the customer's own outlet (docs/architecture.md decision 12).
  if (customerOrgUnit !== principal.orgUnitId) throw new ApiError('CUSTOMER_OTHER_OUTLET');
  const batch: TransferInput[] = [];
  for (const t of transfers.rows) {
    let cashBack = t.debit_account_id;
    // Cash handed back comes out of a drawer still open, else out of the supervisor's own open shift's;
    // so does the cash of a late receipt, posted against CASH_DIFFERENCE (docs/ledger.md "Late cash").
    const lateCash = t.debit_code === 'CASH_DIFFERENCE' && originalType === 'receipt.cash';
    if ((t.debit_code === 'CASH' && t.drawer_shift_open !== true) || lateCash) cashBack = await drawerAccount(tx, principal);
    batch.push({ debitAccountId: t.credit_account_id, creditAccountId: cashBack, amountFen: t.amount_fen, code: 'REVERSAL' });
  }
  const transferIds = await postTransfers(tx, batch, 'REVERSAL_FUNDS_GONE');
  const recorded = await tx.query(
    `INSERT INTO reversal (original_device_id, original_operation_id, original_type, reason, transfer_ids, operator_id, device_id, operation_id)
     VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
    [originalDevice, p.operationId, originalType, p.reason, transferIds, principal.operatorId, principal.deviceId, operationId],
  );
  if (recorded.rows.length === 0) throw new ApiError('ALREADY_REVERSED');
  await appendAudit(tx, principal, {
    action: 'reversal',
    subject: `operation:${originalDevice}:${p.operationId}`,
    detail: { originalType, reason: p.reason, transferIds, customerId: String(transfers.rows[0]!.customer_id) },
  });
  return { transferIds, originalType };
}
