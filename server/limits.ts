/**
 * Every limit the server enforces, in one place (docs/architecture.md §5: a named limit on
 * everything). Units come last in the names.
 */
export const LIMITS = {
  /** How long a supervisor's approval of a cash receipt may be used: a working day, so a receipt queued offline still gets through. */
  approvalTtlMs: 12 * 3_600_000,
  /** Whole-transaction retries on 40001 (serialization failure) and 40P01 (deadlock). */
  transactionRetryCountMax: 8,
  /** First retry back-off; doubles each attempt, with jitter. */
  transactionRetryBackoffMs: 5,
  /** Largest request body accepted, in bytes (a sync push of a full batch fits well inside). */
  requestBodyBytesMax: 1_048_576,
  /** Longest a graceful shutdown waits for in-flight requests before exiting. */
  shutdownGraceMs: 10_000,
  /** How long the start-up check waits for PostgreSQL to answer before saying DATABASE_URL does not (server/preflight.ts). */
  startupDatabaseCheckMs: 5_000,
  /** PostgreSQL pool size per server process. */
  postgresPoolSizeMax: 10,
  /**
   * Longest a request waits for a PostgreSQL connection (in the pool's queue, or opening one)
   * before it is answered 503 DATABASE_UNAVAILABLE: a database that does not answer at all (a
   * dropped network, not a refused connection) must not hold requests for ever.
   */
  postgresConnectTimeoutMs: 5_000,
  /**
   * Times a transaction is started again on a fresh connection when its pooled one is found dead
   * at BEGIN (PostgreSQL restarted while it sat idle). Never after the body ran (server/db/postgres.ts).
   */
  transactionReconnectCountMax: 1,
  /** Retry-After of a 503 (database unreachable, or still conflicting after the retries), in seconds: about a PostgreSQL restart. */
  retryAfterS: 2,
  /** Distinct statement texts prepared by name per process (server/db/postgres.ts); the app has a few dozen. */
  preparedStatementCountMax: 500,
  /** Migration files the runner accepts: more means a mistake (e.g. the wrong folder). */
  migrationCountMax: 1_000,
  /** Operations in one sync push: a device drains its outbox in batches of at most this many. */
  pushBatchSizeMax: 100,
  /**
   * Savepoints in one push transaction (one per operation that writes). PostgreSQL caches 64
   * subtransaction ids per backend (PGPROC_MAX_CACHED_SUBXIDS); past that, every snapshot in every
   * session has to consult pg_subtrans, and the whole server slows. A push with more writing
   * operations is committed in several transactions of at most this many (server/sync/push.ts).
   */
  pushSavepointCountMax: 64,
  /** Movements in one card history answer (newest first): what a kiosk screen shows. */
  cardHistoryCountMax: 50,
  /** Customers in one page of a search when the caller names no limit (the contract caps a page at 50). */
  customerSearchPageDefault: 20,
  /** Cards listed with a customer (a unit's multi-user account may hold many sub cards). */
  customerCardsListMax: 1_000,
  /** Revisions of a customer's details listed with it, newest first. */
  customerRevisionsListMax: 100,
  /** Card numbers in one sync pull. */
  pullCardCountMax: 50,
  /** Transfers in one linked batch (a pre-allocation names at most this many cards). */
  transferBatchSizeMax: 64,
  /**
   * Largest amount in one transfer, in fen: the card's 4-byte balance field
   * (docs/card-protocol.md §0).
   */
  transferAmountFenMax: 4_294_967_295,
  /** Operator sessions expire this long after sign-in. */
  operatorSessionTtlMs: 12 * 60 * 60 * 1000,
  /** ... and this long after their last request (a tablet left signed in on the counter). */
  operatorSessionIdleMs: 30 * 60 * 1000,
  /** A session's last_seen_at is written at most this often, not once per request. */
  operatorSessionTouchIntervalMs: 60 * 1000,
  /**
   * Password checks for one user name from one client address before that pair is locked out, and
   * how long after its last check the lock lasts (server/auth/throttle.ts has the whole policy).
   */
  loginFailureCountMax: 5,
  loginLockoutMs: 15 * 60 * 1000,
  /** Password checks for one user name from addresses it never signed in from, per fixed window. */
  loginNameCheckCountMax: 10,
  loginNameWindowMs: 15 * 60 * 1000,
  /** An address a name signed in from stays exempt from that name's budget this long. */
  loginKnownAddressMs: 30 * 24 * 60 * 60 * 1000,
  /** Sign-in requests per client address per window, whatever the body (per server process). */
  loginRequestCountPerAddressMax: 30,
  loginRequestWindowMs: 60 * 1000,
  /** Client addresses whose sign-in request count is kept; past it the least recently seen is forgotten. */
  loginRateAddressCountMax: 10_000,
  /** Expired sessions and sign-in throttle rows are deleted this often (sessions also at each sign-in). */
  authSweepIntervalMs: 10 * 60 * 1000,
  /**
   * Loss reports whose time has come are marked effective this often (server/cards/loss-report.ts).
   * The effect itself does not wait for it: a load is refused from the effective instant.
   */
  lossSweepIntervalMs: 60 * 1000,
  /** The most loss reports one sweep marks effective (the next sweep takes the rest). */
  lossSweepBatchMax: 200,
  /**
   * A signed device request is accepted while its timestamp is within this much of the server's
   * clock, either way (server/auth/device-signature.ts). Wide enough for a kiosk clock that NTP
   * keeps roughly right and a request that sat in a slow network; a device further off is told
   * the server's time and signs again. Each nonce is kept until its request could no longer be
   * accepted, plus this much again for server processes whose clocks differ.
   */
  deviceRequestClockSkewMaxMs: 5 * 60 * 1000,
  /**
   * Demo mode: visitor kiosks active at once (server/demo/kiosks.ts); past it the oldest is
   * retired. Each holds a device, six customers, seven cards and their ledger rows.
   */
  demoKiosksMax: 200,
  /** Demo devices one client address may ask for per window, unless FUELCARD_DEMO_DEVICES_PER_ADDRESS says otherwise (server/config.ts). */
  demoKioskRequestCountPerAddressMax: 30,
  demoKioskRequestWindowMs: 10 * 60 * 1000,
  /** An enrolment code is valid this long after an administrator issues it. */
  enrolmentCodeTtlMs: 24 * 60 * 60 * 1000,
  /**
   * scrypt cost (N, r, p) of new hashes: N = 2^17, r = 8, p = 1 is current guidance (OWASP);
   * about 0.5 s and 128 MiB per hash on the 2-core CI machine. Stored hashes keep their own cost
   * and are rehashed at the next successful sign-in.
   */
  scryptCost: { N: 131_072, r: 8, p: 1 },
  /** Memory one scrypt hash may use (about 128·N·r bytes): a stored hash asking for more is refused, not computed. */
  scryptMemoryBytesMax: 256 * 1024 * 1024,
  /**
   * Password hashes computed at once (each holds a core and 128 MiB for its duration, on libuv's
   * threadpool), and how many more may wait; past that a sign-in is answered SIGN_IN_BUSY at once.
   */
  passwordHashesRunningMax: 1,
  passwordHashesWaitingMax: 8,
  /** Derived card keys kept in memory by the software key store (an LRU over card numbers). */
  cardKeyCacheSizeMax: 10_000,
  /** Organisation units and devices in one admin list answer (a province has a few thousand stations). */
  adminListCountMax: 10_000,
  /** Levels walked up or down the organisation tree (province → city → county → outlet → station is 5). */
  orgTreeDepthMax: 16,
  /** Audit detail JSON kept per row, in characters; longer details are refused as a bug. */
  auditDetailCharsMax: 4_000,
  /**
   * How often the server appends a signed checkpoint of the audit chain heads that moved
   * (server/audit/checkpoints.ts), besides one at start and one at shutdown: the longest stretch
   * of recent rows the database's owner could delete unnoticed, for one small read and one append.
   */
  auditCheckpointIntervalMs: 60 * 1000,
  /** Chain heads in one checkpoint line; a snapshot of more chains takes several lines. */
  auditCheckpointChainsPerLineMax: 1_000,
  /**
   * A checkpoint file is closed and a new one started past this size (and at each UTC day and
   * server start); the verifier refuses a file more than twice as long as not one of ours.
   */
  auditCheckpointFileBytesMax: 64 * 1024 * 1024,
  /**
   * Claims walked while taking over the PGlite data folder's lock (server/db/data-dir-lock.ts):
   * one more for each process killed in the middle of a takeover, which is a matter of
   * milliseconds, so this is never reached unless something is badly wrong.
   */
  dataDirLockClaimChainLengthMax: 16,
  /** Tries at the data folder's lock when it changes hands under a start (another start won). */
  dataDirLockAttemptCountMax: 8,
  /**
   * Arrays and objects open at once in a request body. The deepest request of the contract is 6
   * (an allocation in a pushed preallocation); walks over a body (canonical JSON for the request
   * hash) recurse, and a push nested ~5,000 deep overflowed the stack.
   */
  requestJsonDepthMax: 32,
  /** Longest request URL, in characters: API paths carry at most a 20-digit card number. */
  requestUrlCharsMax: 2_048,
  /** Characters of a request URL written to the log (a refused long URL is not logged whole). */
  loggedUrlCharsMax: 256,
  /** Characters of a validation message answered: enough for a field path and what it expects. */
  errorMessageCharsMax: 200,
  /** Cards in one stock-in or requisition range: written in one statement, a box of a bureau's delivery. */
  stockRangeCardsMax: 10_000,
  /** Units listed by one stock query (a province's cities, counties and outlets). */
  stockUnitsListedMax: 500,
  /** Ranges listed per unit and card type by a stock query; the count is always whole. */
  stockRangesListedMax: 50,
  /** Money operations listed for one shift on the tablet's Shift screen (server/shifts/operations.ts). */
  shiftOperationsListMax: 500,
} as const;
