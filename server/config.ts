/**
 * Server configuration from environment variables, validated with defaults. A bad value stops
 * the server at start with a message naming the variable, never a half-configured server. The
 * secrets among them (SECRET_VARIABLES) are taken out of the environment once read.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

const booleanText = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** 0.0.0.0 so kiosks and tablets on the station network can reach it; tests use 127.0.0.1. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PostgreSQL connection string; when absent the embedded PGlite in FUELCARD_DATA_DIR is used. */
  DATABASE_URL: z
    .string()
    .url()
    .refine((url) => /^postgres(ql)?:\/\//i.test(url), 'must be a PostgreSQL URL (postgres://user:password@host:port/database)')
    .optional(),
  FUELCARD_DATA_DIR: z.string().min(1).default('./data'),
  /** Where the built app lives (vite build + sw build). */
  FUELCARD_DIST_DIR: z.string().min(1).default('./dist'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Seed demo data (test issuer keys, an outlet, a kiosk, customers, cards) into an empty
   * database. Default: on for the embedded database, off for PostgreSQL, so a production
   * database never receives test keys by accident.
   */
  FUELCARD_DEMO: booleanText.optional(),
  /**
   * The key-encryption key (32 bytes, hex) that protects the issuer master keys at rest. Required
   * for loads outside demo mode; in demo mode a fixed, public DEMO key is used when absent.
   */
  /** Isolated Web App origins allowed to call the API, comma-separated (isolated-app://<id>). */
  FUELCARD_IWA_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(z.array(z.string().regex(/^isolated-app:\/\/[a-z2-7]{56}\/?$/, 'must be isolated-app://<56-character web bundle id>')))
    .optional(),
  FUELCARD_KEK: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
    .optional(),
  /**
   * The key the audit checkpoints are signed with (32 bytes, hex). Default: derived from
   * FUELCARD_KEK (server/audit/checkpoints.ts). Set it to let an auditor verify the audit log
   * with a key that opens nothing else.
   */
  FUELCARD_AUDIT_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
    .optional(),
  /** The folder signed audit checkpoints are appended to; default: `audit` in FUELCARD_DATA_DIR. */
  FUELCARD_AUDIT_DIR: z.string().min(1).optional(),
  /** Purse ceilings (fen): named cards 5,000 yuan and anonymous cards 1,000 yuan by default. */
  FUELCARD_PURSE_MAX_NAMED_FEN: z.coerce.number().int().positive().max(4_294_967_295).default(500_000),
  FUELCARD_PURSE_MAX_ANONYMOUS_FEN: z.coerce.number().int().positive().max(4_294_967_295).default(100_000),
  /** The most one cash receipt may take (fen), whoever takes it: 100,000 yuan by default. */
  FUELCARD_CASH_RECEIPT_MAX_FEN: z.coerce.number().int().positive().max(4_294_967_295).default(10_000_000),
  /** Cash receipts above this (fen) need an outlet supervisor's approval: 20,000 yuan by default. */
  FUELCARD_APPROVAL_ABOVE_FEN: z.coerce.number().int().min(0).max(4_294_967_295).default(2_000_000),
  /**
   * Demo mode: demo kiosks and tablets one client address may ask for in ten minutes (a browser
   * asks once, or after its device was retired). A classroom behind one address, or a test suite
   * that opens a fresh browser per test, raises it.
   */
  FUELCARD_DEMO_DEVICES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(30),
  /**
   * HTTPS: the certificate (chain) and its private key, PEM files. Both set: the server listens
   * with HTTPS only. Neither: plain HTTP (behind a reverse proxy that terminates TLS, or on this
   * machine for development). Kiosks send their credentials to no other server over plain HTTP.
   */
  FUELCARD_TLS_CERT: z.string().min(1).optional(),
  FUELCARD_TLS_KEY: z.string().min(1).optional(),
  /**
   * The reverse proxies whose X-Forwarded-For is believed, comma-separated: addresses, CIDR ranges,
   * or loopback / linklocal / uniquelocal. The sign-in limits and the demo kiosk limit count per
   * client address: behind a proxy every request comes from the proxy's address unless it is
   * named here, and a proxy named here that is not one lets any client choose its address.
   */
  FUELCARD_TRUST_PROXY: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .refine(
              isProxyAddress,
              'must list proxy addresses or CIDR ranges (or loopback, linklocal, uniquelocal), not "true" or "*": trusting every address lets any client pick its own',
            ),
        )
        .min(1),
    )
    .optional(),
});

const PROXY_ADDRESS_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR range (address/prefix within the address's size) or one of proxy-addr's names. */
function isProxyAddress(text: string): boolean {
  if (PROXY_ADDRESS_NAMES.includes(text)) return true;
  const [address, prefix, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export type TlsFiles = { cert: Buffer; key: Buffer };

/** The certificate and key files, read and checked to belong together; both or neither set. */
function readTls(certPath: string | undefined, keyPath: string | undefined): TlsFiles | undefined {
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    const [set, missing] = certPath === undefined ? ['FUELCARD_TLS_KEY', 'FUELCARD_TLS_CERT'] : ['FUELCARD_TLS_CERT', 'FUELCARD_TLS_KEY'];
    throw new ConfigError(
      `invalid configuration: ${missing}: must be set with ${set} (HTTPS needs both the certificate and its private key, or neither for plain HTTP)`,
    );
  }
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(resolve(path));
    } catch (error) {
      throw new ConfigError(
        `invalid configuration: ${variable}: cannot read ${resolve(path)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
  };
  const files = { cert: read('FUELCARD_TLS_CERT', certPath), key: read('FUELCARD_TLS_KEY', keyPath) };
  try {
    createSecureContext(files);
  } catch (error) {
    // OpenSSL's reason (e.g. "key values mismatch"); it never quotes the key.
    throw new ConfigError(
      `invalid configuration: FUELCARD_TLS_CERT, FUELCARD_TLS_KEY: not a PEM certificate and its private key (${(error as Error).message})`,
    );
  }
  return files;
}

/** DEMO ONLY: the key-encryption key of demo installations; public, so it protects nothing. */
export const DEMO_KEK_HEX = '44454d4f2d4f4e4c592d6b656b2d6e6f742d666f722d70726f64756374696f6e';

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  distDir: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  demo: boolean;
  /** Key-encryption key, 32 bytes as hex; undefined outside demo mode when not configured. */
  kekHex: string | undefined;
  /** FUELCARD_AUDIT_KEY as given (lower-case hex); undefined means derived from kekHex. */
  auditKeyHex: string | undefined;
  auditDir: string;
  iwaOrigins: string[];
  purseMaxNamedFen: number;
  purseMaxAnonymousFen: number;
  /** Limits on money taken in at the counter (sync/operations.ts receipt.cash). */
  cashReceiptMaxFen: number;
  approvalAboveFen: number;
  /** Demo devices one client address may ask for per LIMITS.demoKioskRequestWindowMs. */
  demoDevicesPerAddressMax: number;
  /** The HTTPS certificate and key, read at start; undefined: plain HTTP. */
  tls: TlsFiles | undefined;
  /** Proxies whose X-Forwarded-For names the client (fastify's trustProxy); false: none. */
  trustProxy: string[] | false;
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Variables that hold keys. loadConfig deletes them from the environment it reads, so that no
 * child process inherits them (a child gets process.env by default) and no later code, a crash
 * report or a dependency dumping the environment, finds them there. Hazard: a second
 * loadConfig(process.env) in the same process no longer sees them, and in demo mode would fall
 * back to the DEMO key-encryption key; each program loads its configuration once, at its start.
 * (The kernel's copy of the initial environment, /proc/<pid>/environ, is readable only by the
 * process's own user and root, who can read its memory anyway.)
 */
export const SECRET_VARIABLES = ['FUELCARD_KEK', 'FUELCARD_AUDIT_KEY'] as const;

/** Reads the configuration from `env` and deletes SECRET_VARIABLES from it, valid or not. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as shells make it easy to export FOO= by mistake.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  for (const name of SECRET_VARIABLES) delete env[name];
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.FUELCARD_AUDIT_KEY !== undefined && e.FUELCARD_AUDIT_KEY.toLowerCase() === e.FUELCARD_KEK?.toLowerCase()) {
    throw new ConfigError(
      'invalid configuration: FUELCARD_AUDIT_KEY: must differ from FUELCARD_KEK (whoever verifies the audit log would hold the master keys)',
    );
  }
  const demo = e.FUELCARD_DEMO ?? e.DATABASE_URL === undefined;
  if (e.FUELCARD_APPROVAL_ABOVE_FEN > e.FUELCARD_CASH_RECEIPT_MAX_FEN) {
    throw new ConfigError('invalid configuration: FUELCARD_APPROVAL_ABOVE_FEN must not be above FUELCARD_CASH_RECEIPT_MAX_FEN');
  }
  const dataDir = resolve(e.FUELCARD_DATA_DIR);
  const tls = readTls(e.FUELCARD_TLS_CERT, e.FUELCARD_TLS_KEY);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    distDir: resolve(e.FUELCARD_DIST_DIR),
    logLevel: e.LOG_LEVEL,
    demo,
    iwaOrigins: e.FUELCARD_IWA_ORIGINS ?? [],
    kekHex: e.FUELCARD_KEK?.toLowerCase() ?? (demo ? DEMO_KEK_HEX : undefined),
    auditKeyHex: e.FUELCARD_AUDIT_KEY?.toLowerCase(),
    auditDir: e.FUELCARD_AUDIT_DIR === undefined ? join(dataDir, 'audit') : resolve(e.FUELCARD_AUDIT_DIR),
    purseMaxNamedFen: e.FUELCARD_PURSE_MAX_NAMED_FEN,
    purseMaxAnonymousFen: e.FUELCARD_PURSE_MAX_ANONYMOUS_FEN,
    cashReceiptMaxFen: e.FUELCARD_CASH_RECEIPT_MAX_FEN,
    approvalAboveFen: e.FUELCARD_APPROVAL_ABOVE_FEN,
    demoDevicesPerAddressMax: e.FUELCARD_DEMO_DEVICES_PER_ADDRESS,
    tls,
    trustProxy: e.FUELCARD_TRUST_PROXY ?? false,
  };
}
