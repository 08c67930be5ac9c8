/**
 * Opening an account and issuing a bureau stock card (开户发卡) at the outlet tablet, headless: a
 * staff screen, tests and the benchmark drive it alike (docs/domain.md "Issuing a card").
 *
 *   read the card (no PIN sent) → start on the server (the card fee charged once) → EF16: GET
 *   CHALLENGE → the server's command → UPDATE BINARY, read back and compared → the PIN: CHANGE PIN
 *   from the bureau's initial PIN to the one the customer chose (the PIN goes only to the card) →
 *   EF1B[0] = 01 the same way (the card now asks terminals for the customer's PIN) → the read-back
 *   and an INITIALIZE FOR LOAD probe with the last write's challenge → complete on the server.
 *
 * A card pulled at any step throws IssueInterruptedError naming the step. Inserting the same card
 * again and running again resumes: the server answers the started issuance (no second fee), an
 * EF16 already written is left alone, and the PIN step reads the card's own EF1B[0] first
 * (ccid/fuelcard/issue-holder.ts `setCustomerPin`): 01 means the customer's PIN is on the card (the
 * customer enters it, VERIFY); 00 means CHANGE PIN from the initial PIN, and only if the card was
 * pulled between its CHANGE PIN and the EF1B write does that cost one try, which the customer's
 * PIN verifying at once gives back. No try is spent on a guess.
 */
import { asnDetails } from '../../ccid/fuelcard/files.ts';
import {
  BUREAU_INITIAL_PIN,
  EMPTY_EF16,
  PIN_MODE,
  proveIssued,
  readStockCard,
  setCustomerPin,
  writeIssueFile,
  type IssueFile,
  type IssueProof,
} from '../../ccid/fuelcard/issue-holder.ts';
import { readBinary } from '../../ccid/fuelcard/card.ts';
import { FILE_BYTES, SFI } from '../../ccid/fuelcard/spec.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { toHex } from '../../ccid/bytes.ts';
import type { IssueHolder, IssueView } from '../../server/contract/issue.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { IssueBackend } from './backend.ts';
import { fromReader, toStaffError } from './errors.ts';

/** The card type byte of a customer card (ASN[2], docs/card-protocol.md §5.1). */
const CARD_TYPE_USER = 0x01;
/** Sends of the completion (same operation id) when the link drops: its answer is replayed. */
const COMPLETE_ATTEMPTS_MAX = 3;

export type IssueStep = 'read' | 'start' | 'holder' | 'pin' | 'pin-mode' | 'prove' | 'complete';

/** What the customer is asked on the PIN pad: to choose a PIN, or to enter the one chosen before. */
export type PinPrompt = {
  /**
   * 'no': a fresh issue, the customer chooses a PIN; 'yes': the card holds the PIN the customer
   * chose before (a resumed issue); 'maybe': a resumed issue that may have got that far: enter the
   * PIN chosen before, or choose one.
   */
  chosenBefore: 'no' | 'maybe' | 'yes';
};

export type IssueRequest = {
  /** The card session of the stock card in the reader. */
  transmit: Transmit;
  customerId: string;
  role: 'single' | 'main' | 'sub';
  mainCardNo?: string;
  /** A unit's card: the driver or holder on the form; a personal customer's comes from the customer. */
  holder?: IssueHolder;
  feeFen: number;
  /** The PIN pad: the customer's PIN (4–6 digits), never sent to the server. */
  customerPin: (prompt: PinPrompt) => Promise<string>;
  onStep?: (step: IssueStep) => void;
  /** Operation ids, fresh by default (tests fix them to show replays). */
  newOperationId?: () => string;
};

export type IssueReceipt = {
  issueId: string;
  cardNo: string;
  holder: IssueHolder;
  feeFen: number;
  expiresOn: string | null;
  /** True when this run finished an issuance an earlier run started. */
  resumed: boolean;
};

export type IssueDeps = { backend: IssueBackend };

/** The card left (or stopped answering) during `step`: insert it again and run again to resume. */
export class IssueInterruptedError extends Error {
  readonly step: IssueStep;
  /** The started issuance, once the server made it. */
  readonly issueId: string | null;
  constructor(step: IssueStep, issueId: string | null, cause: unknown) {
    super(`the card left during the issue's ${step} step; insert it again to resume`, { cause });
    this.name = 'IssueInterruptedError';
    this.step = step;
    this.issueId = issueId;
  }
}

/** Card or issue refusals of this flow, besides those StaffError already names. */
export const ISSUE_ERROR = {
  /** Not a customer card from stock: another card type, or a chip whose EF16 names someone else. */
  NOT_STOCK_CARD: 'NOT_STOCK_CARD',
  /** The card accepted the write but reads back otherwise. */
  WRITE_NOT_TAKEN: 'WRITE_NOT_TAKEN',
} as const;
export type IssueErrorCode = (typeof ISSUE_ERROR)[keyof typeof ISSUE_ERROR];

export class IssueError extends Error {
  readonly code: IssueErrorCode;
  readonly issueId: string | null;
  constructor(code: IssueErrorCode, message: string, issueId: string | null) {
    super(message);
    this.name = 'IssueError';
    this.code = code;
    this.issueId = issueId;
  }
}

function newId(request: IssueRequest): string {
  return (request.newOperationId ?? (() => crypto.randomUUID()))();
}

/**
 * Issues the stock card in the reader to the customer; resolves with the receipt once the server
 * says done. Throws IssueInterruptedError (card pulled: run again with the card to resume),
 * IssueError, or StaffError (the server's refusals, a wrong PIN, no network).
 */
export async function runIssue(deps: IssueDeps, request: IssueRequest): Promise<IssueReceipt> {
  const onStep = request.onStep ?? (() => {});
  let step: IssueStep = 'read';
  let issueId: string | null = null;
  const at = <T>(s: IssueStep, work: () => Promise<T>): Promise<T> => {
    step = s;
    onStep(s);
    return work();
  };
  try {
    const card = await at('read', () => readStockCard(request.transmit));
    if (asnDetails(card.ef15.asn).cardType !== CARD_TYPE_USER)
      throw new IssueError(ISSUE_ERROR.NOT_STOCK_CARD, 'not a customer card', null);
    const view = await at('start', () =>
      deps.backend.issueStart({
        operationId: newId(request),
        cardNo: card.ef15.asn,
        customerId: request.customerId,
        role: request.role,
        ...(request.mainCardNo === undefined ? {} : { mainCardNo: request.mainCardNo }),
        ...(request.holder === undefined ? {} : { holder: request.holder }),
        feeFen: request.feeFen,
      }),
    );
    issueId = view.issueId;
    const holderWritten = card.ef16 === view.ef16;
    if (!holderWritten && card.ef16 !== EMPTY_EF16)
      throw new IssueError(ISSUE_ERROR.NOT_STOCK_CARD, 'the card holds another holder: not a stock card', issueId);
    const host = (file: IssueFile) => writeIssueFile(request.transmit, file, (r) => deps.backend.issueWrite(view.issueId, r));
    if (!holderWritten) {
      await at('holder', () => host('EF16'));
      const back = toHex(await readBinary(request.transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 })).toUpperCase();
      if (back !== view.ef16) throw new IssueError(ISSUE_ERROR.WRITE_NOT_TAKEN, 'EF16 reads back otherwise', issueId);
    }
    const resumed = holderWritten;
    const chosenBefore: PinPrompt['chosenBefore'] = card.pinMode === PIN_MODE.CUSTOMER ? 'yes' : resumed ? 'maybe' : 'no';
    const customerPin = await request.customerPin({ chosenBefore });
    await at('pin', () => setCustomerPin(request.transmit, { pinMode: card.pinMode, initialPin: BUREAU_INITIAL_PIN, customerPin }));
    // Written even when the card shows 01 already (a resumed issue): the write brings the fresh
    // probe challenge the completion needs, and 01 over 01 changes nothing.
    const probeChallenge = await at('pin-mode', () => host('EF1B'));
    const proof = await at('prove', () => proveIssued(request.transmit, probeChallenge));
    if (proof.ef16 !== view.ef16 || proof.pinMode !== PIN_MODE.CUSTOMER)
      throw new IssueError(ISSUE_ERROR.WRITE_NOT_TAKEN, 'the card reads back otherwise', issueId);
    const done = await at('complete', () => complete(deps, view, proof, newId(request)));
    return { issueId: done.issueId, cardNo: done.cardNo, holder: done.holder, feeFen: done.feeFen, expiresOn: done.expiresOn, resumed };
  } catch (error) {
    if (error instanceof IssueError || error instanceof IssueInterruptedError) throw error;
    if (error instanceof BackendError) throw toStaffError(error);
    // The card left or stopped answering (the reader's word): resume with it inserted again.
    const reader = fromReader(error);
    const onServer = (s: IssueStep) => s === 'start' || s === 'complete';
    if (reader) throw onServer(step) ? reader : new IssueInterruptedError(step, issueId, error);
    throw toStaffError(error);
  }
}

/** The completion, resent with the same operation id while the link drops (the server replays its answer). */
async function complete(deps: IssueDeps, view: IssueView, proof: IssueProof, operationId: string): Promise<IssueView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.backend.issueComplete(view.issueId, { operationId, ...proof });
    } catch (error) {
      if (!(error instanceof BackendError) || !error.offline || attempt >= COMPLETE_ATTEMPTS_MAX) throw error;
    }
  }
}
