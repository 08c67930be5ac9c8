/** The station-card screen's messages for the refusals of its calls and of the card (keys under centre.station.error). */
import type { MessageKey } from '../lib/i18n/index.ts';
import { BackendError, type ClientErrorCode } from '../lib/net/backend-error.ts';
import { isCcidError } from '../../ccid/usb/index.ts';
import { FuelCardError } from '../../ccid/fuelcard/errors.ts';
import { errorMessage, type CentreMessage } from './errors.ts';
import { StationIssueError } from './station-issue.ts';

const MESSAGES: Partial<Record<ClientErrorCode, MessageKey>> = {
  STATION_CARD_TYPE_INVALID: 'centre.station.error.card_type_invalid',
  STATION_INVALID: 'centre.station.error.station_invalid',
  STATION_CARD_NOT_IN_STOCK: 'centre.station.error.not_in_stock',
  STATION_CARD_NOT_FOUND: 'centre.station.error.not_found',
  STATION_CARD_NOT_ISSUED: 'centre.station.error.not_issued',
  ISSUE_CARD_NOT_IN_STOCK: 'centre.station.error.card_issued_already',
  ISSUE_HOLDER_INVALID: 'centre.station.error.holder_invalid',
  ISSUE_NOT_STARTED: 'centre.station.error.not_started',
  ISSUE_NOT_WRITTEN: 'centre.station.error.not_written',
  ISSUE_PROBE_STALE: 'centre.station.error.not_written',
  MAC1_INVALID: 'centre.station.error.not_genuine',
  ISSUE_CARD_NOT_BLANK: 'centre.station.error.not_blank',
  KEY_STORE_UNAVAILABLE: 'centre.station.error.key_store',
};

export function stationErrorMessage(error: unknown): CentreMessage {
  if (error instanceof StationIssueError)
    return { key: error.code === 'WRONG_CARD_TYPE' ? 'centre.station.error.wrong_card' : 'centre.station.error.not_written' };
  // The card's status word means nothing to the operator; what to do about it does.
  if (error instanceof FuelCardError) return { key: 'centre.station.error.card' };
  if (isCcidError(error, 'NO_CARD') || isCcidError(error, 'CARD_REMOVED')) return { key: 'centre.station.error.no_card' };
  if (error instanceof BackendError) {
    const key = MESSAGES[error.code];
    if (key) return { key };
  }
  return errorMessage(error);
}
