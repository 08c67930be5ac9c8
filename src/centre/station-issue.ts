/**
 * Issuing a station card (员工卡/维修卡/验泵卡) at the management centre, headless: the centre's
 * screen and the tests drive it alike (docs/domain.md § Station cards, server/cards/station-issue.ts).
 *
 *   read the card (no PIN sent; its card type must be the one chosen) → start on the server (no
 *   fee) → EF16: GET CHALLENGE → the server's command → UPDATE BINARY, read back → the PIN: CHANGE
 *   PIN from the bureau's initial PIN to the holder's (the PIN goes only to the card) → EF1B[0] = 01
 *   the same way → the read-back and, for a pump-verification card (the one with a purse), an
 *   INITIALIZE FOR LOAD probe with the last write's challenge → complete on the server.
 *
 * The card steps are the customer card's (ccid/fuelcard/issue-holder.ts); a pulled card resumes by
 * running again: the server answers the started issue, an EF16 already written is left alone, and
 * the PIN step reads EF1B[0] first, so no PIN try is spent on a guess.
 */
import { toHex } from '../../ccid/bytes.ts';
import { readBinary } from '../../ccid/fuelcard/card.ts';
import { asnDetails } from '../../ccid/fuelcard/files.ts';
import {
  BUREAU_INITIAL_PIN,
  PIN_MODE,
  proveIssued,
  readStockCard,
  setCustomerPin,
  writeIssueFile,
  type IssueFile,
} from '../../ccid/fuelcard/issue-holder.ts';
import { FILE_BYTES, SFI } from '../../ccid/fuelcard/spec.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import type { IssueWriteRequest, IssueWriteResponse } from '../../server/contract/issue.ts';
import {
  stationCardHasPurse,
  type StationCardCompleteRequest,
  type StationCardHolder,
  type StationCardStartRequest,
  type StationCardType,
  type StationCardView,
} from '../../server/contract/station-cards.ts';
import type { ApiClient } from '../lib/sync/client.ts';

/** ASN[2] of each station card type (docs/card-protocol.md §5.1). */
const ASN_TYPE: Readonly<Record<StationCardType, number>> = { employee: 0x04, test: 0x05, maintenance: 0x06 };

export type StationCardBackend = {
  start(body: StationCardStartRequest): Promise<StationCardView>;
  write(id: string, body: IssueWriteRequest): Promise<IssueWriteResponse>;
  complete(id: string, body: StationCardCompleteRequest): Promise<StationCardView>;
};

export function stationCardBackend(api: ApiClient): StationCardBackend {
  return {
    start: (body) => api.call('stationCardStart', { body }),
    write: (id, body) => api.call('stationCardWrite', { params: { id }, body }),
    complete: (id, body) => api.call('stationCardComplete', { params: { id }, body }),
  };
}

export type StationIssueStep = 'read' | 'start' | 'holder' | 'pin' | 'pin-mode' | 'prove' | 'complete';

export type StationIssueRequest = {
  transmit: Transmit;
  stationId: string;
  cardType: StationCardType;
  holder: StationCardHolder;
  /** The holder's PIN (4–6 digits) from the pad; never sent to the server. */
  holderPin: () => Promise<string>;
  onStep?: (step: StationIssueStep) => void;
  newOperationId?: () => string;
};

/** The card in the reader is not a bureau card of the chosen type, or did not take a write. */
export class StationIssueError extends Error {
  readonly code: 'WRONG_CARD_TYPE' | 'WRITE_NOT_TAKEN';
  constructor(code: StationIssueError['code'], message: string) {
    super(message);
    this.name = 'StationIssueError';
    this.code = code;
  }
}

async function readBack(transmit: Transmit): Promise<{ ef16: string; pinMode: number }> {
  const ef16 = toHex(await readBinary(transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 })).toUpperCase();
  const pinMode = (await readBinary(transmit, { sfi: SFI.EF1B, length: 1 }))[0]!;
  return { ef16, pinMode };
}

/** Issues the station card in the reader; resolves with the server's view once it says issued. */
export async function runStationCardIssue(backend: StationCardBackend, request: StationIssueRequest): Promise<StationCardView> {
  const onStep = request.onStep ?? (() => {});
  const newId = request.newOperationId ?? (() => crypto.randomUUID());
  onStep('read');
  const card = await readStockCard(request.transmit);
  if (asnDetails(card.ef15.asn).cardType !== ASN_TYPE[request.cardType])
    throw new StationIssueError('WRONG_CARD_TYPE', 'the card in the reader is not of the chosen type');
  onStep('start');
  const view = await backend.start({
    operationId: newId(),
    cardNo: card.ef15.asn,
    stationId: request.stationId,
    cardType: request.cardType,
    holder: request.holder,
  });
  const host = (file: IssueFile) => writeIssueFile(request.transmit, file, (r) => backend.write(view.stationCardId, r));
  if (card.ef16 !== view.ef16) {
    // The server's record says the card is in stock: whatever EF16 holds (an earlier start's
    // holder, superseded) is written over.
    onStep('holder');
    await host('EF16');
    if ((await readBack(request.transmit)).ef16 !== view.ef16) throw new StationIssueError('WRITE_NOT_TAKEN', 'EF16 reads back otherwise');
  }
  const holderPin = await request.holderPin();
  onStep('pin');
  await setCustomerPin(request.transmit, { pinMode: card.pinMode, initialPin: BUREAU_INITIAL_PIN, customerPin: holderPin });
  onStep('pin-mode');
  const probeChallenge = await host('EF1B');
  onStep('prove');
  const back = await readBack(request.transmit);
  if (back.ef16 !== view.ef16 || back.pinMode !== PIN_MODE.CUSTOMER)
    throw new StationIssueError('WRITE_NOT_TAKEN', 'the card reads back otherwise');
  const probe = stationCardHasPurse(request.cardType) ? (await proveIssued(request.transmit, probeChallenge)).probe : undefined;
  onStep('complete');
  return backend.complete(view.stationCardId, { operationId: newId(), ...back, ...(probe ? { probe } : {}) });
}
