/**
 * The outlet tablet's limits for card work, in one place (docs/architecture.md §5: a named limit
 * on everything).
 */
export const STAFF_LIMITS = {
  /**
   * Sends of one unload initialise (the same operation id each time, so the server answers the
   * first MAC2 again) before the operator is told the link is down. Each send is bounded by the
   * API client's own timeout, so this also bounds how long the card waits in the reader.
   */
  initialiseAttemptCountMax: 3,
  /** No touch for this long and the operator is signed out (a counter tablet left unattended). */
  idleSignOutMs: 10 * 60_000,
  /** The last part of the idle limit shows a countdown that any touch stops. */
  idleCountdownMs: 60_000,
  /** Customers shown per page of a search. */
  customerPageSize: 20,
} as const;
