/** The centre's on-demand check of the ledger invariants and the audit chains. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { verifyAudit } from '../audit/log.ts';
import { checkLedger } from './check.ts';

export function registerLedgerRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'ledgerCheck', async () => {
    const violations = await checkLedger(services.db);
    const audit = await verifyAudit(services.db);
    return {
      ledgerSound: violations.length === 0,
      violations: violations.map((v) => ({ rule: v.rule, accountId: v.accountId === null ? null : String(v.accountId), detail: v.detail })),
      auditSound: audit.sound,
      auditRowsChecked: audit.rowsChecked,
    };
  });
}
