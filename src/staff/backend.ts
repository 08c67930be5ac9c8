/**
 * What the outlet tablet needs from the central accounts for card work, as one interface, and its
 * HTTP implementation: the shared online-transaction port (src/lib/online/http.ts: initialise
 * online, the card's proofs through the outbox, exactly once) plus the tablet's view of a card.
 *
 * Who is asking: unloads are outlet staff's work (server/auth/policy.ts), so every call carries
 * the operator's session (`Authorization: Bearer`), a session the operator opened on this tablet
 * (`signInOnTablet`) and that the server therefore binds to the tablet's device id and terminal.
 */
import type { CardSummary } from '../../server/contract/cards.ts';
import type {
  IssueCancelRequest,
  IssueCompleteRequest,
  IssueStartRequest,
  IssueView,
  IssueWriteRequest,
  IssueWriteResponse,
} from '../../server/contract/issue.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { HttpOnlinePort } from '../lib/online/http.ts';
import type { CardProof, Destination, OnlineKind, OnlinePort } from '../lib/online/port.ts';
import type { PendingOnline } from '../lib/online/recovery.ts';

export type { Destination };
/** The card's proofs the tablet queues (the shared port's). */
export type OnlineSettlement = CardProof;
export type CardRole = CardSummary['role'];
export type { OnlineKind, PendingOnline };

/** The account facts the tablet shows for a card and checks an unload against. */
export type StaffAccountView = {
  cardNo: string;
  cardState: CardSummary['state'];
  grey: boolean;
  role: CardRole;
  /** Available on the customer's quota account, when it has one. */
  quotaFen: number | null;
  /** Available on the card's reserve account (cards of a multi-user customer), when it has one. */
  reserveFen: number | null;
  /** What the ledger believes the chip holds. */
  purseMirrorFen: number;
  pending: PendingOnline | null;
};

export interface StaffBackend extends OnlinePort {
  /** Online view of a card; throws BackendError('NETWORK') when the server cannot be reached. */
  inquiry(cardNo: string): Promise<StaffAccountView>;
}

/**
 * Issuing a stock card (开户发卡, src/staff/issue.ts): every call online, operator's session; the
 * writes' commands come whole from the server, which alone holds the maintenance key.
 */
export interface IssueBackend {
  issueStart(body: IssueStartRequest): Promise<IssueView>;
  issueWrite(issueId: string, body: IssueWriteRequest): Promise<IssueWriteResponse>;
  issueComplete(issueId: string, body: IssueCompleteRequest): Promise<IssueView>;
  /** A supervisor's: the card fee given back. */
  issueCancel(issueId: string, body: IssueCancelRequest): Promise<IssueView>;
}

/** Which accounts an unload may pay into, by the card's place in its customer (server/loads/online.ts customerAccount). */
export function destinationsOf(role: CardRole): readonly Destination[] {
  return role === 'single' ? ['QUOTA'] : ['RESERVE', 'QUOTA'];
}

export function accountViewOf(card: CardSummary, pending: PendingOnline | null): StaffAccountView {
  const available = (code: 'QUOTA' | 'RESERVE') => card.accounts.find((a) => a.code === code)?.availableFen ?? null;
  return {
    cardNo: card.cardNo,
    cardState: card.state,
    grey: card.grey,
    role: card.role,
    quotaFen: available('QUOTA'),
    reserveFen: available('RESERVE'),
    purseMirrorFen: card.accounts.find((a) => a.code === 'PURSE')?.balanceFen ?? 0,
    pending,
  };
}

export class HttpStaffBackend extends HttpOnlinePort implements StaffBackend, IssueBackend {
  issueStart(body: IssueStartRequest): Promise<IssueView> {
    return this.api.call('issueStart', { body });
  }

  issueWrite(issueId: string, body: IssueWriteRequest): Promise<IssueWriteResponse> {
    return this.api.call('issueWrite', { params: { id: issueId }, body });
  }

  issueComplete(issueId: string, body: IssueCompleteRequest): Promise<IssueView> {
    return this.api.call('issueComplete', { params: { id: issueId }, body });
  }

  issueCancel(issueId: string, body: IssueCancelRequest): Promise<IssueView> {
    return this.api.call('issueCancel', { params: { id: issueId }, body });
  }

  async inquiry(cardNo: string): Promise<StaffAccountView> {
    const pulled = await this.api.call('syncPull', { body: { cardNos: [cardNo] } });
    const card = pulled.cards.find((c) => c.cardNo === cardNo);
    if (!card) throw new BackendError('CARD_UNKNOWN', 'the central accounts do not know this card');
    // Loads and unloads alike: whichever is pending, the card's counter settles it.
    const pending = pulled.pendingLoads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    return accountViewOf(
      card,
      pending
        ? {
            loadId: pending.loadId,
            kind: pending.kind,
            onlineTtc: pending.onlineTtc,
            amountFen: pending.amountFen,
            probeChallenge: pending.probeChallenge,
          }
        : null,
    );
  }
}
