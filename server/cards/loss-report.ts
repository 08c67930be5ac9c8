/**
 * Loss reports 挂失 and their cancellation 解挂 (docs/domain.md § Customer service,
 * contract/loss-reports.ts). The holder's identity is checked against the customer (a personal
 * card: the customer's own ID number; a unit card: a letter of introduction and its bearer) and
 * recorded; the customer's choice for the balance (a replacement card, or the balance back to the
 * quota account) is kept for the replacement's issue. The loss takes effect at the start of the
 * day after the 2nd working day after the report (China time, the province's calendar,
 * server/calendar/), computed once when reported and stored.
 *
 * When the effect is reached is the server's clock's to say, and it is applied two ways:
 * - at once where it matters: the effective time is also on the card row (card.loss_effective_at),
 *   which every load and unload reads with the card anyway (card.ts requireNoLossInEffect), so the
 *   purse takes nothing from the effective instant, without an extra query on the load path;
 * - by a sweep (every LIMITS.lossSweepIntervalMs, and for one card when its reports are read) that
 *   marks the report effective, the card lost — which puts it on the blacklist (the list version
 *   bumps, 0004_list_versions.sql) — and freezes the purse mirror: the ledger's PURSE balance then.
 * A sweep rather than only a lazy check on read, because the blacklist must change without anyone
 * reading the card: the stations' list is pulled by devices that never ask about this card.
 *
 * The blacklist (another issue) reads effectiveLossesSince: effective losses in the order they took
 * effect. Everything is exactly once by the device's operation id and audited with the operator
 * and the device; the card's row lock orders a report, its cancellation and the sweep.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../db/index.ts';
import type { CardLossReports, LossCancelRequest, LossIdentity, LossReportRequest, LossReportView } from '../contract/index.ts';
import { LOSS_EFFECT_WORKING_DAYS } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../http/services.ts';
import { appendAudit } from '../audit/log.ts';
import { exactlyOnce } from '../sync/exactly-once.ts';
import { balanceFen, lockOwnedAccounts } from '../ledger/accounts.ts';
import { LIMITS } from '../limits.ts';
import { addDays, calendarFor, chinaMidnight } from '../calendar/working-days.ts';
import { readCard, requireCardInScope, type CardRow } from './card.ts';
import { requireLossReportable } from './anonymous-rules.ts';

type ReportRow = {
  id: string;
  card_no: string;
  customer_id: bigint;
  customer_name: string;
  customer_kind: 'personal' | 'unit';
  identity: LossIdentity;
  choice: LossReportView['choice'];
  state: LossReportView['state'];
  reported_at: Date;
  effective_at: Date;
  cancelled_at: Date | null;
  frozen_purse_fen: bigint | null;
  reported_by: string;
  reported_device: string | null;
  cancelled_by: string | null;
};

const REPORT_SELECT = `SELECT r.id, r.card_no, r.customer_id, cu.name AS customer_name, cu.kind AS customer_kind, r.identity, r.choice, r.state,
    r.reported_at, r.effective_at, r.cancelled_at, r.frozen_purse_fen, rep.display_name AS reported_by, r.reported_device,
    can.display_name AS cancelled_by
  FROM loss_report r JOIN customer cu ON cu.id = r.customer_id JOIN operator rep ON rep.id = r.reported_by
  LEFT JOIN operator can ON can.id = r.cancelled_by`;

function viewOf(r: ReportRow): LossReportView {
  return {
    lossReportId: r.id,
    cardNo: r.card_no,
    customerId: String(r.customer_id),
    customerName: r.customer_name,
    customerKind: r.customer_kind,
    state: r.state,
    choice: r.choice,
    identity: r.identity,
    reportedAt: r.reported_at.toISOString(),
    effectiveAt: r.effective_at.toISOString(),
    cancelledAt: r.cancelled_at?.toISOString() ?? null,
    frozenPurseFen: r.frozen_purse_fen === null ? null : Number(r.frozen_purse_fen),
    reportedBy: r.reported_by,
    reportedDevice: r.reported_device,
    cancelledBy: r.cancelled_by,
  };
}

async function readReport(sql: Sql, id: string): Promise<ReportRow | null> {
  return (await sql.query<ReportRow>(`${REPORT_SELECT} WHERE r.id = $1`, [id])).rows[0] ?? null;
}

/** When a loss reported at `reportedAt` takes effect: the start (China time) of the day after its 2nd working day. */
export async function lossEffectiveAt(sql: Sql, reportedAt: Date): Promise<Date> {
  const calendar = await calendarFor(sql, reportedAt, LOSS_EFFECT_WORKING_DAYS + 1);
  return chinaMidnight(addDays(calendar.addWorkingDays(reportedAt, LOSS_EFFECT_WORKING_DAYS), 1));
}

/** ID numbers compared as the counter reads them: case (a trailing X) and spaces do not count. */
function sameIdNo(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, '').toUpperCase();
  return norm(a) === norm(b);
}

/**
 * The identity presented must be the card holder's: a personal customer's own ID number (one
 * without an ID number on record cannot prove the card is theirs), or for a unit a letter of
 * introduction (its reference and bearer are recorded; the letter itself is checked by the clerk).
 */
async function requireHolder(tx: Sql, customerId: bigint, identity: LossIdentity): Promise<void> {
  const found = await tx.query<{ kind: 'personal' | 'unit'; id_doc_no: string | null }>(
    'SELECT kind, id_doc_no FROM customer WHERE id = $1',
    [customerId],
  );
  const customer = found.rows[0];
  if (!customer) throw new ApiError('LOSS_IDENTITY_MISMATCH');
  if (customer.kind === 'unit' && identity.kind === 'intro_letter') return;
  if (
    customer.kind === 'personal' &&
    identity.kind === 'id_document' &&
    customer.id_doc_no !== null &&
    sameIdNo(identity.idNo, customer.id_doc_no)
  )
    return;
  throw new ApiError('LOSS_IDENTITY_MISMATCH');
}

/** The card states a loss is reported from: an issued card in use (an expired one may still hold a balance). */
function requireReportable(card: CardRow): void {
  // Station and management cards are withdrawn by their centre (station-issue.ts), not reported lost.
  if (card.card_type !== 'user' || card.customer_id === null) throw new ApiError('CARD_HAS_NO_PURSE');
  requireLossReportable(card);
  const refusals = {
    stock: 'CARD_NOT_ISSUED',
    lost: 'CARD_LOST',
    blacklisted: 'CARD_BLACKLISTED',
    closed: 'CARD_CLOSED',
    bad: 'CARD_BAD',
  } as const;
  const refusal = card.state in refusals ? refusals[card.state as keyof typeof refusals] : undefined;
  if (refusal) throw new ApiError(refusal);
}

export function reportLoss(services: Services, principal: Principal, r: LossReportRequest): Promise<LossReportView> {
  return exactlyOnce(services, principal, 'loss_report.report', r.operationId, r, async (tx) => {
    const card = await readCard(tx, principal, { cardNo: r.cardNo }, true);
    requireCardInScope(card);
    requireReportable(card);
    const live = await tx.query("SELECT 1 FROM loss_report WHERE card_no = $1 AND state IN ('pending', 'effective')", [card.card_no]);
    if (live.rows.length > 0) throw new ApiError('LOSS_REPORT_EXISTS');
    await requireHolder(tx, card.customer_id!, r.identity);
    const now = services.now();
    const effectiveAt = await lossEffectiveAt(tx, now);
    const id = randomUUID();
    await tx.query(
      `INSERT INTO loss_report (id, card_no, customer_id, identity, choice, state, report_operation_id, reported_at, reported_by, reported_device, effective_at)
        VALUES ($1, $2, $3, $4::jsonb, $5, 'pending', $6, $7, $8, $9, $10)`,
      [
        id,
        card.card_no,
        card.customer_id,
        JSON.stringify(r.identity),
        r.choice,
        r.operationId,
        now,
        principal.operatorId,
        principal.deviceId,
        effectiveAt,
      ],
    );
    await tx.query('UPDATE card SET loss_effective_at = $2 WHERE card_no = $1', [card.card_no, effectiveAt]);
    await appendAudit(tx, principal, {
      action: 'loss_report.report',
      subject: card.card_no,
      detail: { lossReportId: id, choice: r.choice, identityKind: r.identity.kind, effectiveAt: effectiveAt.toISOString() },
    });
    return viewOf((await readReport(tx, id))!);
  });
}

export function cancelLoss(services: Services, principal: Principal, id: string, r: LossCancelRequest): Promise<LossReportView> {
  return exactlyOnce(services, principal, 'loss_report.cancel', r.operationId, { id, ...r }, async (tx) => {
    const first = await readReport(tx, id);
    if (!first) throw new ApiError('LOSS_REPORT_NOT_FOUND');
    // The card's lock first, as the report and the sweep take it: one order, no deadlock.
    const card = await readCard(tx, principal, { cardNo: first.card_no }, true);
    requireCardInScope(card);
    const report = (
      await tx.query<{ state: string; effective_at: Date }>('SELECT state, effective_at FROM loss_report WHERE id = $1 FOR UPDATE', [id])
    ).rows[0]!;
    const now = services.now();
    if (report.state !== 'pending' || report.effective_at.getTime() <= now.getTime()) throw new ApiError('LOSS_REPORT_NOT_PENDING');
    await requireHolder(tx, first.customer_id, r.identity);
    await tx.query(
      `UPDATE loss_report SET state = 'cancelled', cancel_operation_id = $2, cancel_identity = $3::jsonb, cancelled_at = $4,
          cancelled_by = $5, cancelled_device = $6
        WHERE id = $1`,
      [id, r.operationId, JSON.stringify(r.identity), now, principal.operatorId, principal.deviceId],
    );
    await tx.query('UPDATE card SET loss_effective_at = NULL WHERE card_no = $1', [first.card_no]);
    await appendAudit(tx, principal, {
      action: 'loss_report.cancel',
      subject: first.card_no,
      detail: { lossReportId: id, identityKind: r.identity.kind },
    });
    return viewOf((await readReport(tx, id))!);
  });
}

/** A card's loss reports, newest first, a report whose time has come applied first. */
export async function cardLossReports(services: Services, principal: Principal, cardNo: string): Promise<CardLossReports> {
  const card = await readCard(services.db, principal, { cardNo }, false);
  requireCardInScope(card);
  if (card.loss_effective_at !== null && card.loss_effective_at.getTime() <= services.now().getTime()) {
    await applyDueLossReports(services, card.card_no);
  }
  const found = await services.db.query<ReportRow>(`${REPORT_SELECT} WHERE r.card_no = $1 ORDER BY r.reported_at DESC, r.id`, [
    card.card_no,
  ]);
  return { cardNo: card.card_no, reports: found.rows.map(viewOf) };
}

/**
 * Marks effective every pending report whose time has come by the server's clock (or only the
 * card `onlyCardNo`'s): the card lost (on the blacklist), the purse mirror frozen. One transaction
 * per report, under the card's lock; a report cancelled or applied meanwhile is left alone.
 * Returns how many took effect.
 */
export async function applyDueLossReports(services: Pick<Services, 'db' | 'now'>, onlyCardNo?: string): Promise<number> {
  const now = services.now();
  const due = await services.db.query<{ id: string; card_no: string }>(
    `SELECT id, card_no FROM loss_report WHERE state = 'pending' AND effective_at <= $1 AND ($2::text IS NULL OR card_no = $2)
      ORDER BY effective_at, id LIMIT $3`,
    [now, onlyCardNo ?? null, LIMITS.lossSweepBatchMax],
  );
  let applied = 0;
  for (const { id, card_no } of due.rows) {
    const took = await services.db.transaction(async (tx) => {
      const card = (
        await tx.query<{ state: CardRow['state']; customer_id: bigint; org_unit_id: bigint }>(
          'SELECT c.state, c.customer_id, cu.org_unit_id FROM card c JOIN customer cu ON cu.id = c.customer_id WHERE c.card_no = $1 FOR UPDATE OF c',
          [card_no],
        )
      ).rows[0]!;
      const report = (await tx.query<{ state: string }>('SELECT state FROM loss_report WHERE id = $1 FOR UPDATE', [id])).rows[0]!;
      if (report.state !== 'pending') return false;
      const [purse] = await lockOwnedAccounts(tx, [
        { code: 'PURSE', owner: { kind: 'card', cardNo: card_no, customerId: card.customer_id } },
      ]);
      const frozen = balanceFen(purse!);
      await tx.query("UPDATE loss_report SET state = 'effective', took_effect_at = $2, frozen_purse_fen = $3 WHERE id = $1", [
        id,
        now,
        frozen,
      ]);
      // A card closed or kept as bad meanwhile keeps that state; one in use becomes lost.
      await tx.query("UPDATE card SET state = 'lost' WHERE card_no = $1 AND state IN ('active', 'expired')", [card_no]);
      // The server itself (the effect is the clock's doing, nobody's request), booked to the customer's outlet.
      await appendAudit(
        tx,
        { deviceId: null, operatorId: null, orgUnitId: card.org_unit_id },
        {
          action: 'loss_report.effective',
          subject: card_no,
          detail: { lossReportId: id, frozenPurseFen: String(frozen), previousState: card.state },
        },
      );
      return true;
    });
    if (took) applied++;
  }
  return applied;
}

/** One effective loss as the blacklist reads it. */
export type EffectiveLoss = { lossReportId: string; cardNo: string; tookEffectAt: Date };

/**
 * The blacklist's hook (its issue builds the list): effective losses in the order they took
 * effect, after the cursor `after` (the last one read), at most `limit`. A card's state 'lost'
 * (and the list version it bumps) says the same for the devices' cached list.
 */
export async function effectiveLossesSince(
  sql: Sql,
  after: { tookEffectAt: Date; lossReportId: string } | null,
  limit: number,
): Promise<EffectiveLoss[]> {
  const found = await sql.query<{ id: string; card_no: string; took_effect_at: Date }>(
    `SELECT id, card_no, took_effect_at FROM loss_report
      WHERE state = 'effective' AND ($1::timestamptz IS NULL OR (took_effect_at, id) > ($1::timestamptz, $2::uuid))
      ORDER BY took_effect_at, id LIMIT $3`,
    [after?.tookEffectAt ?? null, after?.lossReportId ?? null, limit],
  );
  return found.rows.map((r) => ({ lossReportId: r.id, cardNo: r.card_no, tookEffectAt: r.took_effect_at }));
}

/** The sweep on a timer, stopped with the app. */
export function scheduleLossSweep(app: FastifyInstance, services: Services): void {
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= applyDueLossReports(services)
      .then(() => undefined)
      .catch((error: unknown) => app.log.warn({ err: error }, 'loss report sweep failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(sweep, LIMITS.lossSweepIntervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
