/**
 * The contract's version (docs/sync.md §10). tests/unit/contract.test.ts fingerprints every schema
 * and fails when a shape changes without a higher version.
 *
 * It is on the wire, not only in /api/v1/info: the endpoints marked `versioned` in the endpoint
 * table (sync push and pull, the way a device's queued work reaches the accounts) carry
 * `contractVersion` in their request and their answer. The server refuses a request of another
 * version with CONTRACT_VERSION_MISMATCH before it looks at anything else (not even the
 * credentials: another version may sign differently), and the app's client refuses an answer of
 * another version; either way the app's sync loop stops and asks for an update, its queue intact.
 *
 * CONTRACT_VERSION changes whenever a shape changes (2: auth, loads, sync, cards, admin, OpenAPI;
 * 3: GET /api/v1/info, the terminal id in the enrolment answer; 4: GET /api/v1/cards/:cardNo/history,
 * purseLimitFen in CardSummary, the unload.complete push operation; 6: organisation units and
 * device registration and disabling under /api/v1/admin; 7: probeChallenge in LoadView, the
 * challenge a recovery probe must carry to void, card alarms under /api/v1/admin, supervisor
 * approvals and the approval id of a large cash receipt; devices sign every request
 * (device-auth.ts: `Authorization: Device-HMAC-SHA256 …` replaces `Device id:secret`) and
 * ApiErrorBody carries serverTime with DEVICE_CLOCK_SKEW; POST /api/v1/demo/kiosks gives each
 * demo browser a kiosk and cards of its own, and ServerInfo no longer carries demoDevice; the
 * catalogue's codes are the enum ErrorCode in ApiErrorBody and PushResult; sync push and pull
 * carry contractVersion both ways, and another version is refused with CONTRACT_VERSION_MISMATCH;
 * a load's sourceAccount is optional (the server picks the card's), and the load and unload
 * initialise answers carry the balances once the card takes the transaction, OnlineBalances;
 * and customers: the customer.create and customer.update push operations, GET /api/v1/customers and
 * /api/v1/customers/:id, an endpoint's query string in the table, and the customer error codes).
 */
import { z } from 'zod';

export const CONTRACT_VERSION = 7;

/** The version of the contract a request or an answer was made under. */
export const ContractVersion = z
  .number()
  .int()
  .min(0)
  .max(65_535)
  .describe("The CONTRACT_VERSION the sender was built with (server/contract/version.ts); another than the receiver's is refused");
