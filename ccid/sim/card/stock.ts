/**
 * A stock card as the personalisation bureau delivers it (docs/domain.md "Issuing a card"): the
 * application with its keys (diversified from the issuer master keys by the card number) and EF15
 * with the card number and type, but the holder file EF16 empty (zeros), EF1B in the default-PIN
 * mode (00) and the bureau's initial PIN. The outlet's issuing (ccid/fuelcard/issue-holder.ts)
 * writes EF16 and the PIN mode under secure messaging and changes the PIN to the customer's.
 */
import { FuelCard } from './fuel-card.ts';
import { DEFAULT_PIN, issuedState, seedFromAsn, type FuelCardIssueSpec } from './issue.ts';
import { FILE_BYTES } from './state.ts';

/** The PIN a stock card leaves the bureau with: the terminal default 9999 (EF1B[0] = 00, docs/card-protocol.md §5.4). */
export const BUREAU_INITIAL_PIN = DEFAULT_PIN;

export type StockCardSpec = Omit<FuelCardIssueSpec, 'holder' | 'pin' | 'employee'>;

/** A bureau stock card: keys and EF15 in place, EF16 empty, the initial PIN, an empty purse. */
export function stockFuelCard(spec: StockCardSpec): FuelCard {
  const state = issuedState(spec);
  state.ef16 = new Uint8Array(FILE_BYTES.ef16);
  return new FuelCard(state, spec.rngSeed ?? seedFromAsn(spec.asn), spec.options);
}
