/**
 * The outlet tablet's card work, headless (a staff screen, the fault simulation and tests drive
 * it alike): sign the operator in on the tablet, open a card (read, PIN, recovery of interrupted
 * loads and unloads), unload it (圈提) into the customer's quota or the card's reserve, issue a
 * stock card to a customer (开户发卡).
 */
export { signInOnTablet, withOperatorSession, requireUnloadRole, UNLOAD_ROLES, type OperatorSession } from './auth.ts';
export {
  HttpStaffBackend,
  accountViewOf,
  destinationsOf,
  type Destination,
  type OnlineSettlement,
  type PendingOnline,
  type StaffAccountView,
  type StaffBackend,
  type IssueBackend,
} from './backend.ts';
export { openCard, type StaffCard, type StaffDeps } from './open-card.ts';
export { STAFF_ERROR, StaffError, isStaffError, type StaffErrorCode } from './errors.ts';
export { settleFromCard, type RecoveredTransaction, type RecoveryReport, type ServerView } from '../lib/online/recovery.ts';
export { runUnload, type UnloadReceipt, type UnloadRequest, type UnloadStep } from './unload.ts';
export { STAFF_LIMITS } from './limits.ts';
export {
  ISSUE_ERROR,
  IssueError,
  IssueInterruptedError,
  runIssue,
  type IssueDeps,
  type IssueErrorCode,
  type IssueReceipt,
  type IssueRequest,
  type IssueStep,
  type PinPrompt,
} from './issue.ts';
