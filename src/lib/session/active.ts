/**
 * Whether a customer's card session is in progress (card inserted, until it is removed or the
 * session times out). Things that would disturb a customer, like a service-worker update that
 * reloads the page, wait while this is true.
 */
import { writable } from 'svelte/store';

export const cardSessionActive = writable(false);
