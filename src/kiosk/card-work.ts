/**
 * What a card session does with the card once it is in: reading its files, the PIN, the balance,
 * settling what it left pending and loading it (the fuel-card commands, their DES/MAC work and the
 * online transaction). The start screen needs none of it, so it is a chunk of its own, out of the
 * kiosk's start bundle: the controller fetches it once the kiosk has started (preloadCardWork), so
 * the first card inserted does not wait for it.
 */
export { readCard, readTransactionLog } from '../../ccid/fuelcard/read.ts';
export { changePin, getBalance, verifyPin } from '../../ccid/fuelcard/card.ts';
export { factsOf } from '../lib/card/facts.ts';
export { settleFromCard } from '../lib/online/recovery.ts';
export { accountAfterRecovery, recoveryNotice } from './recovery.ts';
export { runLoad } from './load.ts';
