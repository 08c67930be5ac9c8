/**
 * `npm run admin -- <command>`: setting up an installation from the console, on the database the
 * server uses (DATABASE_URL, or the PGlite folder FUELCARD_DATA_DIR). It migrates first, so it
 * works on a fresh installation before the server has ever started. What it does is what nobody
 * can do through the API yet: the first organisation unit and the first administrator. Everything
 * after that (more units, devices, operators) is done by that administrator through the API.
 *
 *   create-org-unit --kind province --code 33 --name-zh 某省公司 --name-en "Some Province Co." [--parent CODE]
 *   create-admin --username NAME --org-unit CODE [--display-name TEXT]
 *   org-units
 *
 * The password of create-admin comes from FUELCARD_ADMIN_PASSWORD or stdin (at a terminal it is
 * asked twice and never echoed); it never appears in the arguments, where `ps` would show it.
 * Exit status: 0 done, 1 refused (the reason on stderr), 2 wrong usage or configuration.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { CreateOperatorRequest, CreateOrgUnitRequest, OrgUnitCode } from '../contract/index.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';
import { ApiError } from '../errors.ts';
import { createAdministrator } from '../admin/administrators.ts';
import { CONSOLE, createOrgUnit, findUnit, listOrgUnits } from '../admin/org-units.ts';

/** A password longer than this many bytes on stdin is refused rather than read without end. */
const PASSWORD_INPUT_BYTES_MAX = 4_096;
const EXIT = { done: 0, refused: 1, usage: 2 } as const;

const USAGE = `usage: npm run admin -- <command> [options]
  create-org-unit --kind province|city|county|center|outlet|station --code CODE --name-zh TEXT --name-en TEXT [--parent CODE]
  create-admin --username NAME --org-unit CODE [--display-name TEXT]
      (password from FUELCARD_ADMIN_PASSWORD, or stdin: asked twice at a terminal, never echoed)
  org-units`;

/** An input or a situation the console refuses before it changes anything. */
class UsageError extends Error {
  readonly code = 'USAGE';
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what}: ${result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
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
  const { values } = parseArgs({ args, strict: true, options: { kind: { type: 'string' }, code: { type: 'string' }, 'name-zh': { type: 'string' }, 'name-en': { type: 'string' }, parent: { type: 'string' } } });
  const parentCode = values.parent === undefined ? null : parsed(OrgUnitCode, values.parent, '--parent');
  const input = parsed(CreateOrgUnitRequest.omit({ parentId: true }), { kind: values.kind, code: values.code, nameZh: values['name-zh'], nameEn: values['name-en'] }, 'the unit');
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
  const { values } = parseArgs({ args, strict: true, options: { username: { type: 'string' }, 'org-unit': { type: 'string' }, 'display-name': { type: 'string' } } });
  const username = parsed(CreateOperatorRequest.shape.username, values.username, '--username (3 to 32 of a-z 0-9 . _ -)');
  const orgUnitCode = parsed(OrgUnitCode, values['org-unit'], '--org-unit (the code of an existing unit)');
  const displayName = parsed(CreateOperatorRequest.shape.displayName, values['display-name'] ?? username, '--display-name');
  // Checked before the password is asked for, so a busy folder is reported at once.
  refuseWhenDataDirInUse(config);
  const password = parsed(CreateOperatorRequest.shape.password, await readPassword(), 'the password (10 to 200 characters)');
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
    for (const u of orgUnits) console.log([u.id, u.kind, u.code, u.parentId === null ? '-' : (codeOf.get(u.parentId) ?? u.parentId), u.nameZh, u.nameEn].join('\t'));
    if (truncated) console.log('(the list is cut short)');
  });
}

const COMMANDS: Record<string, (config: Config, args: string[]) => Promise<void>> = {
  'create-org-unit': createOrgUnitCommand,
  'create-admin': createAdminCommand,
  'org-units': orgUnitsCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    console.error(USAGE);
    return name === undefined || name === 'help' || name === '--help' ? EXIT.done : EXIT.usage;
  }
  try {
    await command(loadConfig(process.env), args);
    return EXIT.done;
  } catch (error) {
    if (error instanceof ApiError) {
      console.error(`refused (${error.code}): ${error.message}`);
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
