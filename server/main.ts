/**
 * The server process: configuration, database, migrations, demo data, HTTP, graceful shutdown.
 * Logs are structured JSON lines (pino); the one human line is the address printed on start.
 */
import pino from 'pino';
import { DEMO_KEK_HEX, loadConfig, ConfigError } from './config.ts';
import { openDatabase } from './db/index.ts';
import { DataDirInUseError } from './db/pglite.ts';
import { migrate } from './db/migrate.ts';
import { seedDemo } from './demo/seed.ts';
import { buildApp } from './app.ts';
import { logOptions } from './http/logging.ts';
import { terminalStream } from './http/terminal-log.ts';
import { LIMITS } from './limits.ts';
import { StartupError, listenProblem, preflight } from './preflight.ts';
import { AuditCheckpointWriter, auditKeyOf, startAuditCheckpoints } from './audit/checkpoints.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // The HTTP app's serializers: an error from the database is logged without its values.
  // Readable lines on a terminal, JSON lines for a log collector.
  const logStream = process.stdout.isTTY ? terminalStream(process.stdout) : undefined;
  const log = pino(logOptions(config.logLevel, logStream));
  // Before anything is migrated or seeded: each problem a person can fix is one line naming its variable.
  await preflight(config);
  const db = await openDatabase(config);
  const migrations = await migrate(db);
  log.info({ database: db.kind, applied: migrations.applied }, 'database ready');
  if (config.demo) {
    const seed = await seedDemo(db, { kekHex: config.kekHex });
    if (seed.seeded) log.warn('DEMO data and TEST keys seeded into an empty database: not for production');
  }
  // Started anyway (the admin API works without keys), but said loudly: every load would fail.
  if (!config.demo && config.kekHex === undefined)
    log.error(
      'FUELCARD_KEK is not set: loads and unloads will be refused (KEY_STORE_UNAVAILABLE), and devices can neither enrol nor sign their requests (DEVICE_KEYS_UNAVAILABLE), until the server is started with it',
    );
  if (!config.demo && config.kekHex === DEMO_KEK_HEX) log.warn('FUELCARD_KEK is the public demo key: not for production');
  // Checkpoints of the audit chains, signed and kept outside the database (server/audit/checkpoints.ts).
  const auditKey = auditKeyOf(config);
  if (auditKey === undefined)
    log.error(
      'no audit key (FUELCARD_AUDIT_KEY, or FUELCARD_KEK to derive it from): no audit checkpoints are written, so nothing outside the database anchors the audit log',
    );
  const checkpoints =
    auditKey === undefined
      ? undefined
      : await startAuditCheckpoints(new AuditCheckpointWriter(db, { dir: config.auditDir, key: auditKey }), log);
  const app = await buildApp({ db, config, ...(logStream === undefined ? {} : { logStream }) });
  await app.listen({ port: config.port, host: config.host }).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(listenProblem(error, config.host, config.port));
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(
    `fuelcard server (${db.kind}${config.demo ? ', demo' : ''}) listening on ${config.tls ? 'https' : 'http'}://${shownHost}:${port}/`,
  );

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, LIMITS.shutdownGraceMs);
    force.unref();
    app
      .close()
      // After the last request: the checkpoint holds every row the server wrote.
      .then(() => checkpoints?.stop())
      .then(() => db.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError || error instanceof StartupError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
