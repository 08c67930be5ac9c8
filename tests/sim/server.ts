/**
 * The real server for the simulation: the migrated schema with the demo seed and the simulated
 * world written once, then, for every seed, the same starting rows restored from a snapshot (PGlite
 * opens slowly, so one database serves every seed). On PGlite the data lives in a temporary
 * folder so the database can be closed and reopened (a crash of the whole server); on PostgreSQL
 * (DATABASE_URL) in a fresh schema, dropped at the end.
 *
 * A server restart closes the fastify app (and sometimes the database) and builds them again:
 * the server keeps nothing authoritative in memory (docs/architecture.md decision 11), so nothing
 * may be lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { DEMO_KEK_HEX } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { sha256Hex } from '../../server/auth/secrets.ts';
import { storeDeviceSecret } from '../../server/auth/device-keys.ts';
import { SoftwareKeyStore } from '../../server/keys/software.ts';
import { ensureAccount } from '../../server/ledger/accounts.ts';
import { createTransfers } from '../../server/ledger/transfers.ts';
import { openShift } from '../../server/shifts/shifts.ts';
import { ENROLLED_DEVICES, SIM_CUSTOMERS, SIM_LIMITS } from './world.ts';

const SNAPSHOT_SCHEMA_SUFFIX = '_sim_snapshot';
/** A password hash nobody can sign in with: the simulated operators use sessions made here. */
const NO_PASSWORD_HASH = 'scrypt$16384$8$1$00$00';

export type SimServerOptions = { databaseUrl?: string | undefined };

export type ServerIds = { customerIds: Map<number, string> };

type Target = { databaseUrl?: string; dataDir?: string; schema: string };

async function openTarget(target: Target): Promise<Database> {
  if (target.databaseUrl) {
    const url = new URL(target.databaseUrl);
    url.searchParams.set('options', `-c search_path=${target.schema}`);
    return openDatabase({ databaseUrl: url.toString() });
  }
  return openDatabase({ dataDir: target.dataDir });
}

async function adminQuery(databaseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function writeWorld(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    const unit = async (code: string) => (await tx.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id;
    const station = await unit('3201S01');
    const outlet = await unit('3201001');
    const province = await unit('32');
    for (const d of ENROLLED_DEVICES) {
      await tx.query('INSERT INTO device (id, kind, org_unit_id, name, terminal_id) VALUES ($1, $2, $3, $1, $4)', [
        d.id,
        d.kind,
        d.kind === 'kiosk' ? station : outlet,
        d.terminalId,
      ]);
      await storeDeviceSecret(tx, DEMO_KEK_HEX, d.id, d.secret);
      if (!d.operatorToken) continue;
      const op = await tx.query<{ id: bigint }>(
        "INSERT INTO operator (username, display_name, org_unit_id, role, password_hash) VALUES ($1, $1, $2, 'outlet_operator', $3) RETURNING id",
        [`sim.${d.id}`, outlet, NO_PASSWORD_HASH],
      );
      // Never idle either: the snapshot's rows come back every seed with the same last use, and
      // PGlite's now() runs on the simulated clock, years after the real day the world was written.
      await tx.query(
        "INSERT INTO operator_session (token_hash, operator_id, device_id, expires_at, last_seen_at) VALUES ($1, $2, $3, '2099-01-01T00:00:00Z', '2099-01-01T00:00:00Z')",
        [sha256Hex(d.operatorToken), op.rows[0]!.id, d.id],
      );
      // Cash is taken only into the drawer of an open shift: each operator's is open before the run starts.
      const principal = {
        role: 'outlet_operator',
        orgUnitId: outlet,
        scopeRootId: null,
        deviceId: d.id,
        terminalId: d.terminalId,
        operatorId: op.rows[0]!.id,
      } as const;
      await openShift(tx, { openingFloatFen: SIM_LIMITS.shiftFloatFen }, { principal, operationId: randomUUID() });
    }
    const bank = await ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: province });
    for (const c of SIM_CUSTOMERS) {
      const customer = (
        await tx.query<{ id: bigint }>('INSERT INTO customer (kind, name, org_unit_id) VALUES ($1, $2, $3) RETURNING id', [
          c.kind,
          c.name,
          outlet,
        ])
      ).rows[0]!.id;
      for (const card of c.cards) {
        await tx.query(
          `INSERT INTO card (card_no, customer_id, card_type, role, main_card_no, named, state, key_version, expires_on, issued_at, online_ttc_seen)
           VALUES ($1, $2, 'user', $3, $4, true, 'active', 1, '2034-12-31', now(), 0)`,
          [card.cardNo, customer, card.role, card.mainCardNo],
        );
        await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: card.cardNo, customerId: customer });
        if (card.role !== 'single') await ensureAccount(tx, 'RESERVE', { kind: 'card', cardNo: card.cardNo, customerId: customer });
      }
      const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: customer });
      await createTransfers(tx, [
        { debitAccountId: bank, creditAccountId: quota, amountFen: BigInt(SIM_LIMITS.quotaOpeningFen), code: 'OPENING' },
      ]);
    }
  });
}

/** Tables of the schema in an order that satisfies their foreign keys (parents first). */
async function tablesInOrder(db: Database, schema: string): Promise<string[]> {
  const tables = (
    await db.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
      [schema],
    )
  ).rows.map((r) => r.t);
  const edges = (
    await db.query<{ child: string; parent: string }>(
      `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = $1`,
      [schema],
    )
  ).rows;
  const ordered: string[] = [];
  const visit = (table: string, depth: number): void => {
    if (ordered.includes(table) || depth > tables.length) return;
    for (const e of edges) if (e.child === table && e.parent !== table) visit(e.parent, depth + 1);
    if (!ordered.includes(table)) ordered.push(table);
  };
  for (const t of tables) visit(t, 0);
  return ordered;
}

export class SimServer {
  readonly target: Target;
  /** The database handle the server itself runs on; replaced when a restart reopens the database. */
  #handle: Database;
  /** Harness reads that are running: a restart waits for them before it closes the handle. */
  #harnessReads = 0;
  /**
   * The database for the harness's own reads and checks: every call waits for a restart in
   * progress and runs on the current handle, never on one a restart is closing.
   */
  readonly db: Database;
  app: FastifyInstance | null = null;
  readonly ids: ServerIds;
  #tables: string[];
  #sequences: Array<{ name: string; value: bigint; called: boolean }> = [];
  /** Each table's columns a snapshot restores: all but the generated ones. */
  #columns = new Map<string, string[]>();
  #now: () => Date = () => new Date();
  /** False shows the key-store deadlock (README.md, product bugs). */
  warmKeyStore = true;
  /** Database reopenings and app rebuilds, for the summary. */
  restartCount = 0;

  private constructor(target: Target, db: Database, ids: ServerIds, tables: string[]) {
    this.target = target;
    this.#handle = db;
    const viaCurrent = async <T>(work: (handle: Database) => Promise<T>): Promise<T> => {
      await this.#restarting;
      this.#harnessReads++;
      try {
        return await work(this.#handle);
      } finally {
        this.#harnessReads--;
      }
    };
    this.db = {
      get kind() {
        return db.kind;
      },
      query: (text, params) => viaCurrent((h) => h.query(text, params)),
      exec: (text) => viaCurrent((h) => h.exec(text)),
      transaction: (fn, options) => viaCurrent((h) => h.transaction(fn, options)),
      close: () => this.close(),
    } as Database;
    this.ids = ids;
    this.#tables = tables;
  }

  /** Creates the database, migrates it, seeds the demo and the simulated world, keeps a snapshot. */
  static async open(options: SimServerOptions = {}): Promise<SimServer> {
    const target: Target = options.databaseUrl
      ? { databaseUrl: options.databaseUrl, schema: `sim_${randomBytes(5).toString('hex')}` }
      : { dataDir: mkdtempSync(join(tmpdir(), 'fuelcard-sim-')), schema: 'public' };
    if (target.databaseUrl) await adminQuery(target.databaseUrl, `CREATE SCHEMA ${target.schema}`);
    const db = await openTarget(target);
    await migrate(db);
    await seedDemo(db);
    await writeWorld(db);
    const customers = await db.query<{ id: bigint; name: string }>("SELECT id, name FROM customer WHERE name LIKE '模拟%'");
    const customerIds = new Map<number, string>();
    for (const c of SIM_CUSTOMERS) customerIds.set(c.index, String(customers.rows.find((r) => r.name === c.name)!.id));
    const server = new SimServer(target, db, { customerIds }, await tablesInOrder(db, target.schema));
    await server.#takeSnapshot();
    return server;
  }

  get #snapshot(): string {
    return `${this.target.schema}${SNAPSHOT_SCHEMA_SUFFIX}`;
  }

  async #takeSnapshot(): Promise<void> {
    const snap = this.#snapshot;
    await this.#handle.exec(`DROP SCHEMA IF EXISTS ${snap} CASCADE; CREATE SCHEMA ${snap}`);
    for (const t of this.#tables) await this.#handle.exec(`CREATE TABLE ${snap}.${t} AS SELECT * FROM ${this.target.schema}.${t}`);
    const columns = await this.#handle.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = $1 AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position`,
      [this.target.schema],
    );
    this.#columns = new Map(this.#tables.map((t) => [t, columns.rows.filter((c) => c.table_name === t).map((c) => c.column_name)]));
    const seqs = await this.#handle.query<{ name: string }>(
      'SELECT sequence_name AS name FROM information_schema.sequences WHERE sequence_schema = $1',
      [this.target.schema],
    );
    this.#sequences = [];
    for (const s of seqs.rows) {
      const row = (
        await this.#handle.query<{ last_value: bigint; is_called: boolean }>(
          `SELECT last_value, is_called FROM ${this.target.schema}.${s.name}`,
        )
      ).rows[0]!;
      this.#sequences.push({ name: s.name, value: BigInt(row.last_value), called: row.is_called });
    }
  }

  /** Back to the starting rows, with the app built on the simulated clock. */
  async reset(now: () => Date): Promise<void> {
    this.#now = now;
    // A seed that ended in the middle of a restart must not leave the next one a closed database.
    await this.#restarting;
    await this.stopApp();
    try {
      await this.#handle.query('SELECT 1');
    } catch {
      this.#handle = await openTarget(this.target);
    }
    const schema = this.target.schema;
    const list = this.#tables.map((t) => `${schema}.${t}`).join(', ');
    const statements = [`TRUNCATE ${list}`];
    for (const t of this.#tables) {
      // The rows are restored as they were: no trigger may add to them (0004's list versions would).
      statements.push(`ALTER TABLE ${schema}.${t} DISABLE TRIGGER USER`);
      // Identity columns GENERATED ALWAYS need OVERRIDING SYSTEM VALUE to take the snapshot's ids;
      // stored generated columns (customer.name_grams) are worked out again, never inserted.
      const columns = this.#columns.get(t)!.join(', ');
      statements.push(`INSERT INTO ${schema}.${t} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM ${this.#snapshot}.${t}`);
      statements.push(`ALTER TABLE ${schema}.${t} ENABLE TRIGGER USER`);
    }
    for (const s of this.#sequences) statements.push(`SELECT setval('${schema}.${s.name}', ${s.value}, ${s.called})`);
    await this.#handle.exec(statements.join(';\n'));
    await this.#startAppNow();
  }

  /** Starts the app unless it runs, after any restart in progress (which starts it itself). */
  async startApp(): Promise<void> {
    await this.#restarting;
    await this.#startAppNow();
  }

  async #startAppNow(): Promise<void> {
    if (this.app) return;
    // The product bug this warm-up once worked around (README.md) is fixed for good: the key
    // store reads keys through the caller's connection, the request's transaction included, and
    // has none of its own that PGlite's single connection could wait for.
    const keyStore = new SoftwareKeyStore(DEMO_KEK_HEX);
    if (this.warmKeyStore) await keyStore.hasKeyVersion(this.#handle, 1);
    this.app = await buildApp({
      db: this.#handle,
      config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX },
      keyStore,
      logger: false,
      now: this.#now,
    });
  }

  async stopApp(): Promise<void> {
    const app = this.app;
    this.app = null;
    await app?.close();
  }

  #restarting: Promise<void> = Promise.resolve();

  /**
   * A crash and restart: the app always, the database too when `reopenDatabase`. Restarts are
   * taken one at a time: two crashes reported at once (two answers in flight) must not close one
   * database handle twice or open two handles on the same PGlite folder.
   */
  restart(options: { reopenDatabase: boolean }): Promise<void> {
    const next = this.#restarting.then(() => this.#restartNow(options));
    this.#restarting = next.catch(() => {});
    return next;
  }

  async #restartNow(options: { reopenDatabase: boolean }): Promise<void> {
    await this.stopApp();
    // Bounded wait (real milliseconds) for the harness's own reads to finish on the old handle.
    for (let i = 0; i < 2_000 && this.#harnessReads > 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    if (options.reopenDatabase) {
      await this.#handle.close();
      this.#handle = await openTarget(this.target);
    }
    this.restartCount++;
    await this.#startAppNow();
  }

  async close(): Promise<void> {
    await this.stopApp();
    await this.#handle.close();
    if (this.target.dataDir) rmSync(this.target.dataDir, { recursive: true, force: true });
    if (this.target.databaseUrl)
      await adminQuery(
        this.target.databaseUrl,
        `DROP SCHEMA IF EXISTS ${this.target.schema} CASCADE; DROP SCHEMA IF EXISTS ${this.#snapshot} CASCADE`,
      );
  }
}
