/**
 * A stock card as the personalisation bureau delivers it (docs/domain.md "Issuing a card"): the
 * application with its keys (diversified from the issuer master keys by the card number) and EF15
 * with the card number and type, but the holder file EF16 empty (zeros), EF1B in the default-PIN
 * mode (00) and the bureau's initial PIN. The outlet's issuing (ccid/fuelcard/issue-holder.ts)
 * writes EF16 and the PIN mode under secure messaging and changes the PIN to the customer's.
 */
import { BUREAU_INITIAL_PIN } from '../../fuelcard/issue-holder.ts';
import { FuelCard } from './fuel-card.ts';
import { pinToBcd } from './files.ts';
import { issuedState, seedFromAsn, type FuelCardIssueSpec } from './issue.ts';
import { FILE_BYTES } from './state.ts';

/** The PIN a stock card leaves the bureau with, one value shared with the host (ccid/fuelcard/issue-holder.ts). */
export { BUREAU_INITIAL_PIN };

export type StockCardSpec = Omit<FuelCardIssueSpec, 'holder' | 'pin' | 'employee'>;

/** A bureau stock card: keys and EF15 in place, EF16 empty, the initial PIN, an empty purse. */
export function stockFuelCard(spec: StockCardSpec): FuelCard {
  const state = issuedState(spec);
  state.ef16 = new Uint8Array(FILE_BYTES.ef16);
  state.pin = { ...state.pin, bcd: pinToBcd(BUREAU_INITIAL_PIN) };
  return new FuelCard(state, spec.rngSeed ?? seedFromAsn(spec.asn), spec.options);
}
