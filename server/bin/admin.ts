/**
 * `npm run admin -- <command>`: setting up an installation from the console, on the database the
 * server uses (DATABASE_URL, or the PGlite folder FUELCARD_DATA_DIR). It migrates first, so it
 * works on a fresh installation before the server has ever started. What it does is what nobody
 * can do through the API: the first organisation unit and the first administrator, and the
 * issuer's master keys (the API has no door to keys). Everything after that (more units, devices,
 * operators) is done by that administrator through the API.
 *
 *   create-org-unit --kind province --code 33 --name-zh 某省公司 --name-en "Some Province Co." [--parent CODE]
 *   create-admin --username NAME --org-unit CODE [--display-name TEXT]
 *   org-units
 *   station-info --unit CODE [--address-zh TEXT] [--address-en TEXT] [--hotline NUMBER]   ("" clears a field)
 *   stock-in --operator NAME --first CARDNO --last CARDNO --card-type user --key-version N --expires-on YYYY-MM-DD [--unit CODE]
 *   keys-import --key-version N --file F [--replace]
 *   keys-generate --key-version N [--export F] [--replace]
 *   keys-list
 *   audit-verify
 *   audit-checkpoint
 *
 * The key commands seal the master keys under FUELCARD_KEK (server/keys/ceremony.ts has the key
 * file's format and what is refused) and print versions, kinds and key check values: never a key.
 * keys-generate --export writes the one file that holds keys in clear, mode 0600, never over an
 * existing file.
 *
 * audit-verify recomputes every audit chain and checks it against the signed checkpoints in
 * FUELCARD_AUDIT_DIR (server/audit/checkpoints.ts): it names the first broken row, the first chain
 * cut short of a checkpoint, or the first checkpoint line altered, and exits 1 when anything is.
 * audit-checkpoint appends a checkpoint now (the server writes them on its own as it runs). Both
 * need the audit key: FUELCARD_AUDIT_KEY, or FUELCARD_KEK it is derived from; neither is printed.
 *
 * The password of create-admin comes from FUELCARD_ADMIN_PASSWORD or stdin (at a terminal it is
 * asked twice and never echoed); it never appears in the arguments, where `ps` would show it.
 * Exit status: 0 done, 1 refused (the reason on stderr) or, from audit-verify, broken (what is, on
 * stdout), 2 wrong usage or configuration.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, DEMO_KEK_HEX, loadConfig, type Config } from '../config.ts';
import {
  CreateOperatorRequest,
  CreateOrgUnitRequest,
  Hotline,
  OperatorPassword,
  OrgUnitCode,
  StationAddress,
  StockBatchRequest,
} from '../contract/index.ts';
import { setStationInfo, type StationChange } from '../stations/station.ts';
import { stockInAsOperator } from '../stock/console.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';
import { ApiError } from '../errors.ts';
import { createAdministrator } from '../admin/administrators.ts';
import { CONSOLE, createOrgUnit, findUnit, listOrgUnits } from '../admin/org-units.ts';
import {
  KEY_FILE_BYTES_MAX,
  KEY_VERSION_MAX,
  KEY_VERSION_MIN,
  checkKeySet,
  formatKeyFile,
  generateKeySet,
  listKeySets,
  parseKeyFile,
  storeKeySet,
  type KeyCheck,
  type MasterKeySet,
} from '../keys/ceremony.ts';
import { KeyStoreError } from '../keys/keystore.ts';
import { verifyAudit } from '../audit/log.ts';
import { AuditCheckpointWriter, auditKeyOf, installationOf, readCheckpoints } from '../audit/checkpoints.ts';

/** A password longer than this many bytes on stdin is refused rather than read without end. */
const PASSWORD_INPUT_BYTES_MAX = 4_096;
const EXIT = { done: 0, refused: 1, usage: 2 } as const;
/** audit-verify's status when the audit log or its checkpoints are broken: as a refusal, 1. */
const EXIT_BROKEN = EXIT.refused;

const USAGE = `usage: npm run admin -- <command> [options]
  create-org-unit --kind province|city|county|center|outlet|station --code CODE --name-zh TEXT --name-en TEXT [--parent CODE]
  create-admin --username NAME --org-unit CODE [--display-name TEXT]
      (password from FUELCARD_ADMIN_PASSWORD, or stdin: asked twice at a terminal, never echoed)
  org-units
  station-info --unit CODE [--address-zh TEXT] [--address-en TEXT] [--hotline NUMBER]
      (what a receipt prints for a station or outlet: its address, and the service hotline, which units below
       inherit; "" clears a field; with no field given it prints what is set)
  stock-in --operator NAME --first CARDNO --last CARDNO --card-type user|manage|employee|test|maintenance --key-version 0..9 --expires-on YYYY-MM-DD [--unit CODE]
      (cards from the personalisation bureau enter stock at the province, audited under the operator named)
  keys-import --key-version 1..255 --file KEYS.json [--replace]
      (KEYS.json: { "MLK": "32 hex digits", "MULK": ..., "MTK": ..., optional "MPK", "MUGK", "MPUK", "MRPK", "MAMTK" (card issuing) })
  keys-generate --key-version 1..255 [--export NEW-FILE] [--replace]
  keys-list
      (the key commands need FUELCARD_KEK, 64 hex digits; they print key check values, never keys)
  audit-verify
      (every audit chain recomputed and checked against the signed checkpoints in FUELCARD_AUDIT_DIR; exit 1 when broken)
  audit-checkpoint
      (appends a signed checkpoint of every audit chain now; both need FUELCARD_AUDIT_KEY or FUELCARD_KEK)`;

/** An input or a situation the console refuses before it changes anything. */
class UsageError extends Error {
  readonly code = 'USAGE';
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new UsageError(
      `${what}: ${result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`,
    );
  return result.data;
}

/**
 * PGlite lets one process open a folder and does not lock it: a second opener would corrupt it.
 * PGlite keeps postmaster.pid in the folder while it is open, so its presence means a server (or
 * another console command) has it, or one was killed without closing it.
 */
function refuseWhenDataDirInUse(config: Config): void {
  if (config.databaseUrl !== undefined) return;
  const pidFile = join(config.dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  throw new UsageError(
    `the database folder ${config.dataDir} is open in another process, most likely the running server: stop the server, ` +
      'run this command, then start the server again (the embedded database allows one process at a time). ' +
      `If no server is running, the last one was stopped without closing the database: start it and stop it once (Ctrl-C), then retry.`,
  );
}

async function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return finish(() => resolve(text));
          if (ch === '\u0003') return finish(() => reject(new UsageError('cancelled')));
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else if (text.length < PASSWORD_INPUT_BYTES_MAX) text += ch;
        }
      };
      const finish = (settle: () => void): void => {
        stdin.off('data', onData);
        settle();
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

async function readFirstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > PASSWORD_INPUT_BYTES_MAX) throw new UsageError('the password on stdin is too long');
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.FUELCARD_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) return readFirstLine();
  const first = await readHidden('Password for the new administrator: ');
  if ((await readHidden('The same password again: ')) !== first) throw new UsageError('the two passwords differ');
  return first;
}

/** Opens the configured database, migrated, for the length of `work`. */
async function withDatabase<T>(config: Config, work: (db: Database) => Promise<T>): Promise<T> {
  refuseWhenDataDirInUse(config);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

async function createOrgUnitCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kind: { type: 'string' },
      code: { type: 'string' },
      'name-zh': { type: 'string' },
      'name-en': { type: 'string' },
      parent: { type: 'string' },
    },
  });
  const parentCode = values.parent === undefined ? null : parsed(OrgUnitCode, values.parent, '--parent');
  const input = parsed(
    CreateOrgUnitRequest.omit({ parentId: true }),
    { kind: values.kind, code: values.code, nameZh: values['name-zh'], nameEn: values['name-en'] },
    'the unit',
  );
  await withDatabase(config, async (db) => {
    const unit = await db.transaction(async (tx) => {
      const parent = parentCode === null ? null : await findUnit(tx, { code: parentCode });
      if (parentCode !== null && parent === null) throw new ApiError('NOT_FOUND', `no organisation unit has the code ${parentCode}`);
      return createOrgUnit(tx, CONSOLE, { ...input, parentId: parent === null ? null : String(parent.id) }, async () => true);
    });
    console.log(`created ${unit.kind} ${unit.code} (id ${unit.id}) ${unit.nameZh} / ${unit.nameEn}`);
  });
}

async function createAdminCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { username: { type: 'string' }, 'org-unit': { type: 'string' }, 'display-name': { type: 'string' } },
  });
  const username = parsed(CreateOperatorRequest.shape.username, values.username, '--username (3 to 32 of a-z 0-9 . _ -)');
  const orgUnitCode = parsed(OrgUnitCode, values['org-unit'], '--org-unit (the code of an existing unit)');
  const displayName = parsed(CreateOperatorRequest.shape.displayName, values['display-name'] ?? username, '--display-name');
  // Checked before the password is asked for, so a busy folder is reported at once.
  refuseWhenDataDirInUse(config);
  const password = parsed(OperatorPassword, await readPassword(), 'the password (10 to 200 characters)');
  await withDatabase(config, async (db) => {
    const { operatorId } = await createAdministrator(db, { username, displayName, orgUnitCode, password });
    console.log(`created administrator ${username} (operator id ${operatorId}) in unit ${orgUnitCode}`);
  });
}

async function orgUnitsCommand(config: Config, args: string[]): Promise<void> {
  parseArgs({ args, strict: true, options: {} });
  await withDatabase(config, async (db) => {
    const { orgUnits, truncated } = await listOrgUnits(db, null);
    const codeOf = new Map(orgUnits.map((u) => [u.id, u.code]));
    if (orgUnits.length === 0) console.log('no organisation units yet: start with create-org-unit --kind province');
    for (const u of orgUnits)
      console.log(
        [u.id, u.kind, u.code, u.parentId === null ? '-' : (codeOf.get(u.parentId) ?? u.parentId), u.nameZh, u.nameEn].join('\t'),
      );
    if (truncated) console.log('(the list is cut short)');
  });
}

/** A field given as "" is cleared; one left out stays as it is. */
function stationField<S extends z.ZodType<string>>(schema: S, value: string | undefined, what: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === '') return null;
  return parsed(schema, value, what);
}

async function stationInfoCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      unit: { type: 'string' },
      'address-zh': { type: 'string' },
      'address-en': { type: 'string' },
      hotline: { type: 'string' },
    },
  });
  const unitCode = parsed(OrgUnitCode, values.unit, '--unit (the code of an existing unit)');
  const change: StationChange = {};
  const addressZh = stationField(StationAddress, values['address-zh'], '--address-zh (one line, at most 200 characters)');
  const addressEn = stationField(StationAddress, values['address-en'], '--address-en (one line, at most 200 characters)');
  const hotline = stationField(Hotline, values.hotline, '--hotline (digits, spaces and dashes, e.g. 95504 or 400-888-8888)');
  if (addressZh !== undefined) change.addressZh = addressZh;
  if (addressEn !== undefined) change.addressEn = addressEn;
  if (hotline !== undefined) change.hotline = hotline;
  await withDatabase(config, async (db) => {
    const station = await db.transaction((tx) => setStationInfo(tx, unitCode, change));
    const shown = (value: string | null) => value ?? '(not set)';
    console.log(
      [
        `${station.code} ${station.nameZh} / ${station.nameEn}`,
        `address (zh): ${shown(station.addressZh)}`,
        `address (en): ${shown(station.addressEn)}`,
        `hotline: ${shown(station.hotline)}${hotline === undefined && station.hotline !== null ? ' (set here or inherited from a unit above)' : ''}`,
      ].join('\n'),
    );
  });
}

async function stockInCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      operator: { type: 'string' },
      first: { type: 'string' },
      last: { type: 'string' },
      'card-type': { type: 'string' },
      'key-version': { type: 'string' },
      'expires-on': { type: 'string' },
      unit: { type: 'string' },
    },
  });
  const operator = parsed(
    CreateOperatorRequest.shape.username,
    values.operator,
    '--operator (the user name of an administrator or centre operator)',
  );
  const batch = parsed(
    StockBatchRequest.omit({ operationId: true, unitId: true }),
    {
      firstCardNo: values.first,
      lastCardNo: values.last,
      cardType: values['card-type'],
      keyVersion: values['key-version'] === undefined ? undefined : Number(values['key-version']),
      expiresOn: values['expires-on'],
    },
    'the batch',
  );
  const unitCode = values.unit === undefined ? undefined : parsed(OrgUnitCode, values.unit, '--unit');
  await withDatabase(config, async (db) => {
    const done = await stockInAsOperator(db, operator, { ...batch, unitCode }, new Date());
    console.log(
      `stocked in batch ${done.batchId}: ${done.cardCount} ${done.cardType} cards ${done.firstCardNo}..${done.lastCardNo}, expiring ${done.expiresOn}`,
    );
  });
}

/** The key-encryption key the key commands seal under; refused when it protects nothing. */
function kekFor(config: Config): string {
  if (config.kekHex === undefined) {
    throw new UsageError(
      'FUELCARD_KEK is not set: the master keys are sealed under it. Make one (openssl rand -hex 32), keep it apart from the database and its backups, and give the server the same value.',
    );
  }
  if (config.kekHex === DEMO_KEK_HEX) {
    if (!config.demo)
      throw new UsageError(
        "FUELCARD_KEK is the public demo key-encryption key, which protects nothing: set the installation's own (openssl rand -hex 32).",
      );
    console.error('warning: demo mode, keys sealed under the public DEMO key-encryption key (set FUELCARD_KEK for real keys)');
  }
  return config.kekHex;
}

function keyVersionOf(text: string | undefined): number {
  if (text === undefined || !/^\d{1,3}$/.test(text) || Number(text) < KEY_VERSION_MIN || Number(text) > KEY_VERSION_MAX) {
    throw new UsageError(`--key-version: a number from ${KEY_VERSION_MIN} to ${KEY_VERSION_MAX} (the key version byte the cards report)`);
  }
  return Number(text);
}

function readKeyFile(file: string | undefined): MasterKeySet {
  if (file === undefined) throw new UsageError('--file: the key file to import');
  let text: string;
  try {
    if (statSync(file).size > KEY_FILE_BYTES_MAX)
      throw new KeyStoreError('KEY_FILE_INVALID', `${file} is longer than ${KEY_FILE_BYTES_MAX} bytes: it is not a key file`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof KeyStoreError) throw error;
    throw new UsageError(`cannot read the key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseKeyFile(text);
}

/** One line per key, the same for import, generate and list: version, kind, key check value. */
function printKeyChecks(keyVersion: number, keys: readonly KeyCheck[]): void {
  for (const k of keys) console.log(`${keyVersion}\t${k.kind}\tKCV ${k.kcv}`);
}

async function keysImportCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { 'key-version': { type: 'string' }, file: { type: 'string' }, replace: { type: 'boolean' } },
  });
  const keyVersion = keyVersionOf(values['key-version']);
  const kekHex = kekFor(config);
  const keys = readKeyFile(values.file);
  checkKeySet(keys, { testKeysAllowed: config.demo });
  await withDatabase(config, async (db) => {
    const stored = await storeKeySet(db, { kekHex, keyVersion, keys, replace: values.replace === true, action: 'keys.import' });
    console.log(
      `${stored.replaced ? 'replaced' : 'imported'} issuer master keys, version ${keyVersion} (compare the key check values with the key custodians' record):`,
    );
    printKeyChecks(keyVersion, stored.keys);
    if (stored.replaced)
      console.error(
        `warning: cards personalised with the old keys of version ${keyVersion} can no longer load; restart the server to use the new keys`,
      );
  });
}

/** Writes the bureau's key file: owner-only (0600) and never over an existing file. */
function writeExport(file: string, keys: MasterKeySet): void {
  try {
    writeFileSync(file, formatKeyFile(keys), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      code === 'EEXIST' ? `${file} exists: the export never overwrites a file; name a new one` : `cannot write ${file} (${code})`,
    );
  }
}

async function keysGenerateCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { 'key-version': { type: 'string' }, export: { type: 'string' }, replace: { type: 'boolean' } },
  });
  const keyVersion = keyVersionOf(values['key-version']);
  const kekHex = kekFor(config);
  const exportFile = values.export;
  refuseWhenDataDirInUse(config);
  const keys = generateKeySet();
  if (exportFile !== undefined) writeExport(exportFile, keys);
  try {
    await withDatabase(config, async (db) => {
      const stored = await storeKeySet(db, { kekHex, keyVersion, keys, replace: values.replace === true, action: 'keys.generate' });
      console.log(`generated issuer master keys, version ${keyVersion}:`);
      printKeyChecks(keyVersion, stored.keys);
    });
  } catch (error) {
    // Keys that were not stored must not live on in a file.
    if (exportFile !== undefined) rmSync(exportFile, { force: true });
    throw error;
  }
  if (exportFile !== undefined) {
    console.error(
      `warning: ${exportFile} holds the issuer master keys in clear. Hand it to the card personalisation bureau by a secure channel, then destroy it.`,
    );
  }
}

async function keysListCommand(config: Config, args: string[]): Promise<void> {
  parseArgs({ args, strict: true, options: {} });
  const kekHex = kekFor(config);
  await withDatabase(config, async (db) => {
    const sets = await listKeySets(db, kekHex);
    if (sets.length === 0) console.log('no issuer master keys yet: keys-import or keys-generate stores a key version');
    for (const set of sets) {
      printKeyChecks(set.keyVersion, set.keys);
      if (!set.complete) console.log(`${set.keyVersion}\t(incomplete: loads need MLK, MULK and MTK)`);
    }
  });
}

/** The key the audit checkpoints are signed with; refused when there is none. */
function auditKeyFor(config: Config): Buffer {
  const key = auditKeyOf(config);
  if (key === undefined) {
    throw new UsageError(
      'no audit key: set FUELCARD_AUDIT_KEY (64 hex digits), or FUELCARD_KEK, to the value the server runs with: the checkpoints are signed under it',
    );
  }
  if (config.auditKeyHex === undefined && config.kekHex === DEMO_KEK_HEX) {
    console.error(
      'warning: the audit key is derived from the public DEMO key-encryption key: anyone can forge these checkpoints (set FUELCARD_KEK or FUELCARD_AUDIT_KEY)',
    );
  }
  return key;
}

const plural = (n: number | bigint, one: string, many: string): string => `${n} ${n === 1 || n === 1n ? one : many}`;

async function auditVerifyCommand(config: Config, args: string[]): Promise<number> {
  parseArgs({ args, strict: true, options: {} });
  const key = auditKeyFor(config);
  return withDatabase(config, async (db) => {
    const reading = await readCheckpoints(config.auditDir, key, await installationOf(db));
    const verdict = await verifyAudit(db, reading.anchors);
    for (const note of reading.notes) console.error(`note: ${note}`);
    const latest = reading.latestAt === null ? '' : ` (the latest of ${reading.latestAt})`;
    console.log(
      `audit log: ${plural(verdict.rowsChecked, 'row', 'rows')} in ${plural(verdict.chainsChecked, 'chain', 'chains')}; ${plural(reading.lines, 'checkpoint line', 'checkpoint lines')} in ${plural(reading.files, 'file', 'files')} in ${config.auditDir}${latest}`,
    );
    if (reading.problem !== null) console.log(`BROKEN: ${reading.problem}`);
    if (!verdict.sound) console.log(`BROKEN at ${verdict.brokenAt}: ${verdict.problem}`);
    if (reading.problem !== null || !verdict.sound) return EXIT_BROKEN;
    const unanchored =
      verdict.rowsUnanchored === 0
        ? ''
        : `; ${plural(verdict.rowsUnanchored, 'row is', 'rows are')} newer than its chain's last checkpoint (not yet anchored)`;
    console.log(`sound: every row matches its hash, and every chain reaches each row a checkpoint saw${unanchored}`);
    return EXIT.done;
  });
}

async function auditCheckpointCommand(config: Config, args: string[]): Promise<void> {
  parseArgs({ args, strict: true, options: {} });
  const key = auditKeyFor(config);
  await withDatabase(config, async (db) => {
    const writer = new AuditCheckpointWriter(db, { dir: config.auditDir, key });
    try {
      const written = await writer.checkpoint();
      console.log(
        written.chains === 0
          ? 'no audit chains yet: nothing to checkpoint'
          : `checkpoint of ${plural(written.chains, 'audit chain', 'audit chains')} written to ${written.file}`,
      );
    } finally {
      await writer.close();
    }
  });
}

const COMMANDS: Record<string, (config: Config, args: string[]) => Promise<number | void>> = {
  'create-org-unit': createOrgUnitCommand,
  'create-admin': createAdminCommand,
  'org-units': orgUnitsCommand,
  'station-info': stationInfoCommand,
  'stock-in': stockInCommand,
  'keys-import': keysImportCommand,
  'keys-generate': keysGenerateCommand,
  'keys-list': keysListCommand,
  'audit-verify': auditVerifyCommand,
  'audit-checkpoint': auditCheckpointCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    console.error(USAGE);
    return name === undefined || name === 'help' || name === '--help' ? EXIT.done : EXIT.usage;
  }
  try {
    return (await command(loadConfig(process.env), args)) ?? EXIT.done;
  } catch (error) {
    if (error instanceof ApiError) {
      console.error(`refused (${error.code}): ${error.message}`);
      return EXIT.refused;
    }
    if (error instanceof KeyStoreError) {
      const hint =
        error.code === 'KEY_STORE_CORRUPT' ? ' (FUELCARD_KEK is not the key the stored keys were sealed under, or a row was altered)' : '';
      console.error(`refused (${error.code}): ${error.message}${hint}`);
      return EXIT.refused;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error.message);
      return EXIT.usage;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
