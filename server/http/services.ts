/** What route handlers work with: the database, the key store, the clock and the business settings. */
import type { Database } from '../db/index.ts';
import type { KeyStore } from '../keys/keystore.ts';
import type { AuditCheckpointSource } from '../audit/search.ts';

export type Services = {
  db: Database;
  /** Absent when no key-encryption key is configured: loads are then refused with KEY_STORE_UNAVAILABLE. */
  keyStore: KeyStore | undefined;
  /**
   * The key-encryption key (hex) the devices' signing keys are sealed under (server/auth/device-keys.ts);
   * undefined when none is configured: devices can then neither enrol nor sign in.
   */
  kekHex: string | undefined;
  /**
   * The server's clock is the authority (docs/architecture.md decision 10); tests pass a fixed one.
   */
  now: () => Date;
  purseMaxNamedFen: number;
  purseMaxAnonymousFen: number;
  /** The most one cash receipt may take, and above what it needs a supervisor's approval (fen). */
  cashReceiptMaxFen: number;
  approvalAboveFen: number;
  /** Demo mode: demo devices one client address may ask for per window (FUELCARD_DEMO_DEVICES_PER_ADDRESS). */
  demoDevicesPerAddressMax: number;
  /** The signed audit checkpoints the centre's verification reads (server/audit/checkpoints.ts); undefined without an audit key. */
  auditCheckpoints: AuditCheckpointSource;
};
