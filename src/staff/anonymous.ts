/**
 * Anonymous cards (不记名卡) at the outlet tablet, their card writes, headless (docs/domain.md
 * "Anonymous cards"): a screen, tests and a batch drive them alike.
 *
 * Initialise (初始化), one stock card of a batch: read (no PIN sent) → start on the server → EF16:
 * GET CHALLENGE → the server's command → UPDATE BINARY, read back → VERIFY the default PIN (the card
 * keeps it until an upgrade) → an INITIALIZE FOR LOAD probe with the write's challenge → complete.
 * A card pulled at any step throws AnonymousInterruptedError: inserted again, the same run redoes
 * it (the server answers the initialisation under way; writing EF16 again over itself is harmless).
 *
 * Upgrade (升级), a sold anonymous card to a named personal card: start with the buyer's details →
 * EF16 written as issue.ts writes a holder → the buyer's PIN: CHANGE PIN from the default on the pad
 * (the PIN goes only to the card) → EF1B[0] = 01 → the probe → complete. Resumed the same way as an
 * issue (ccid/fuelcard/issue-holder.ts `setCustomerPin`): no PIN try spent on a guess.
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
  type StockCardReading,
} from '../../ccid/fuelcard/issue-holder.ts';
import { readBinary, verifyPin } from '../../ccid/fuelcard/card.ts';
import { FILE_BYTES, SFI } from '../../ccid/fuelcard/spec.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { toHex } from '../../ccid/bytes.ts';
import { ANONYMOUS_EF16, type AnonymousCardView, type AnonymousUpgradeRequest } from '../../server/contract/index.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { AnonymousBackend } from './anonymous-backend.ts';
import { fromReader, toStaffError } from './errors.ts';
import type { PinPrompt } from './issue.ts';

/** The card type byte of a customer card (ASN[2], docs/card-protocol.md §5.1). */
const CARD_TYPE_USER = 0x01;
/** Sends of a completion (same operation id) when the link drops: its answer is replayed. */
const COMPLETE_ATTEMPTS_MAX = 3;

export type AnonymousStep = 'read' | 'start' | 'holder' | 'pin' | 'pin-mode' | 'prove' | 'complete';

/** The card left (or stopped answering) during `step`: insert it again and run again to redo it. */
export class AnonymousInterruptedError extends Error {
  readonly step: AnonymousStep;
  constructor(step: AnonymousStep, cause: unknown) {
    super(`the card left during the ${step} step; insert it again to redo it`, { cause });
    this.name = 'AnonymousInterruptedError';
    this.step = step;
  }
}

export const ANONYMOUS_ERROR = {
  /** Not a customer stock card: another card type, a named card, or a card already given a PIN. */
  NOT_STOCK_CARD: 'NOT_STOCK_CARD',
  /** Not an anonymous card (an upgrade of a card whose EF16 names someone). */
  NOT_ANONYMOUS: 'NOT_ANONYMOUS',
  /** The card accepted the write but reads back otherwise. */
  WRITE_NOT_TAKEN: 'WRITE_NOT_TAKEN',
} as const;
export type AnonymousErrorCode = (typeof ANONYMOUS_ERROR)[keyof typeof ANONYMOUS_ERROR];

export class AnonymousError extends Error {
  readonly code: AnonymousErrorCode;
  constructor(code: AnonymousErrorCode, message: string) {
    super(message);
    this.name = 'AnonymousError';
    this.code = code;
  }
}

type Common = { transmit: Transmit; onStep?: (step: AnonymousStep) => void; newOperationId?: () => string };

export type InitialiseReceipt = {
  cardNo: string;
  expiresOn: string | null;
  /** The card was initialised before (its answer lost, or inserted twice): counted once. */
  already: boolean;
};

function newId(request: Common): string {
  return (request.newOperationId ?? (() => crypto.randomUUID()))();
}

/** Runs `work` through the steps, turning a pulled card into AnonymousInterruptedError and the rest into StaffError. */
async function stepped<T>(request: Common, work: (at: <U>(s: AnonymousStep, w: () => Promise<U>) => Promise<U>) => Promise<T>): Promise<T> {
  let step = 'read' as AnonymousStep;
  const at = <U>(s: AnonymousStep, w: () => Promise<U>): Promise<U> => {
    step = s;
    (request.onStep ?? (() => {}))(s);
    return w();
  };
  try {
    return await work(at);
  } catch (error) {
    if (error instanceof AnonymousError || error instanceof AnonymousInterruptedError) throw error;
    if (error instanceof BackendError) throw toStaffError(error);
    const reader = fromReader(error);
    // On a server step the card was not being talked to: the reader's word as it is.
    if (reader) throw step === 'start' || step === 'complete' ? reader : new AnonymousInterruptedError(step, error);
    throw toStaffError(error);
  }
}

function requireCustomerCard(card: StockCardReading): void {
  if (asnDetails(card.ef15.asn).cardType !== CARD_TYPE_USER)
    throw new AnonymousError(ANONYMOUS_ERROR.NOT_STOCK_CARD, 'not a customer card');
}

async function readBack(transmit: Transmit, expected: string): Promise<void> {
  const back = toHex(await readBinary(transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 })).toUpperCase();
  if (back !== expected) throw new AnonymousError(ANONYMOUS_ERROR.WRITE_NOT_TAKEN, 'EF16 reads back otherwise');
}

/** A completion resent with the same operation id while the link drops (the server replays its answer). */
async function complete(send: () => Promise<AnonymousCardView>): Promise<AnonymousCardView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof BackendError) || !error.offline || attempt >= COMPLETE_ATTEMPTS_MAX) throw error;
    }
  }
}

/** Initialises the stock card in the reader as an anonymous card of the outlet. */
export function runInitialise(backend: AnonymousBackend, request: Common): Promise<InitialiseReceipt> {
  return stepped(request, async (at) => {
    const { transmit } = request;
    const card = await at('read', () => readStockCard(transmit));
    requireCustomerCard(card);
    if ((card.ef16 !== EMPTY_EF16 && card.ef16 !== ANONYMOUS_EF16) || card.pinMode !== PIN_MODE.DEFAULT)
      throw new AnonymousError(ANONYMOUS_ERROR.NOT_STOCK_CARD, 'the card holds a holder or a PIN: not a stock card');
    let view: AnonymousCardView;
    try {
      view = await at('start', () => backend.init({ operationId: newId(request), cardNo: card.ef15.asn }));
    } catch (error) {
      // The chip is anonymous and the server says it is past initialising: it was done before.
      if (error instanceof BackendError && error.code === 'ANONYMOUS_STATE_INVALID' && card.ef16 === ANONYMOUS_EF16)
        return { cardNo: card.ef15.asn, expiresOn: null, already: true };
      throw error;
    }
    // Written again even when the card shows it already (a card pulled after the write): the write brings the probe's challenge.
    const probeChallenge = await at('holder', () => writeIssueFile(transmit, 'EF16', (r) => backend.write(view.cardNo, r)));
    await at('holder', () => readBack(transmit, ANONYMOUS_EF16));
    // INITIALIZE FOR LOAD wants the PIN verified: the default one, which an anonymous card keeps.
    await at('pin', () => verifyPin(transmit, BUREAU_INITIAL_PIN));
    const proof = await at('prove', () => proveIssued(transmit, probeChallenge));
    const operationId = newId(request);
    const done = await at('complete', () => complete(() => backend.initComplete(view.cardNo, { operationId, ...proof })));
    return { cardNo: done.cardNo, expiresOn: done.expiresOn, already: false };
  });
}

export type UpgradeRequest = Common & {
  /** The buyer's details, as a personal customer's (checked by the same rules on the server). */
  details: AnonymousUpgradeRequest['details'];
  /** The PIN pad: the buyer's PIN (4–6 digits), never sent to the server. */
  customerPin: (prompt: PinPrompt) => Promise<string>;
};

export type UpgradeReceipt = { cardNo: string; customerId: string; holderName: string; resumed: boolean };

/** Upgrades the sold anonymous card in the reader to a named personal card with the buyer's details and PIN. */
export function runUpgrade(backend: AnonymousBackend, request: UpgradeRequest): Promise<UpgradeReceipt> {
  return stepped(request, async (at) => {
    const { transmit } = request;
    const card = await at('read', () => readStockCard(transmit));
    requireCustomerCard(card);
    const view = await at('start', () => backend.upgrade({ operationId: newId(request), cardNo: card.ef15.asn, details: request.details }));
    const holderWritten = card.ef16 === view.ef16;
    if (!holderWritten && card.ef16 !== ANONYMOUS_EF16)
      throw new AnonymousError(ANONYMOUS_ERROR.NOT_ANONYMOUS, 'the card names another holder: not an anonymous card');
    const host = (file: IssueFile) => writeIssueFile(transmit, file, (r) => backend.write(view.cardNo, r));
    if (!holderWritten) {
      await at('holder', () => host('EF16'));
      await at('holder', () => readBack(transmit, view.ef16));
    }
    const chosenBefore: PinPrompt['chosenBefore'] = card.pinMode === PIN_MODE.CUSTOMER ? 'yes' : holderWritten ? 'maybe' : 'no';
    const customerPin = await request.customerPin({ chosenBefore });
    await at('pin', () => setCustomerPin(transmit, { pinMode: card.pinMode, initialPin: BUREAU_INITIAL_PIN, customerPin }));
    const probeChallenge = await at('pin-mode', () => host('EF1B'));
    const proof: IssueProof = await at('prove', () => proveIssued(transmit, probeChallenge));
    if (proof.ef16 !== view.ef16 || proof.pinMode !== PIN_MODE.CUSTOMER)
      throw new AnonymousError(ANONYMOUS_ERROR.WRITE_NOT_TAKEN, 'the card reads back otherwise');
    const operationId = newId(request);
    const done = await at('complete', () => complete(() => backend.upgradeComplete(view.cardNo, { operationId, ...proof })));
    return { cardNo: done.cardNo, customerId: done.customerId ?? '', holderName: request.details.name.trim(), resumed: holderWritten };
  });
}
