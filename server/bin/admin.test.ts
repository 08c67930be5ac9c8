/**
 * `npm run admin`, run as its own process the way an installer runs it, on a fresh PGlite folder
 * or a fresh PostgreSQL schema (never migrated before: the command migrates first).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { auditKeyOf } from '../audit/checkpoints.ts';
import { appendAudit, verifyAudit } from '../audit/log.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../demo/seed.ts';
import { keyCheckValue } from '../keys/ceremony.ts';
import { deviceHeader, withDeviceSigning } from '../testing/app.ts';
import { openEmptyTestDatabase, testEngine } from '../testing/db.ts';
import {
  DEMO_PIN,
  KIOSK_TERMINAL_ID,
  TEST_MASTER_KEYS,
  balanceOf,
  creditForLoad,
  initializeForLoad,
  openCard,
  simCard,
} from '../testing/sim.ts';
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { CARD_TYPE, buildAsn, pinToBcd } from '../../ccid/sim/card/files.ts';
import { issueFuelCard } from '../../ccid/sim/card/issue.ts';
import { issuerLoad, openApplication } from '../../ccid/sim/card/issuer.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import type { IssuerMasterKeys } from '../../ccid/sim/card/keys.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx start, migrations on an empty database and one scrypt hash, on a shared machine. */
const RUN_TIMEOUT_MS = 60_000;
const PASSWORD = 'first-admin-password-789';

type Run = { code: number | null; stdout: string; stderr: string };

/** Where the command and the test meet: the env that points the command at it, and a way to look. */
type Target = { env: Record<string, string>; look<T>(work: (db: Database) => Promise<T>): Promise<T>; dispose(): Promise<void> };

async function freshTarget(): Promise<Target> {
  if (testEngine() === 'postgresql') {
    const db = await openEmptyTestDatabase();
    return { env: { DATABASE_URL: db.connectionString!, FUELCARD_DEMO: '0' }, look: (work) => work(db), dispose: () => db.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fuelcard-admin-cli-'));
  const dataDir = join(dir, 'data');
  return {
    env: { FUELCARD_DATA_DIR: dataDir, DATABASE_URL: '' },
    // PGlite allows one process per folder: the test opens it only while the command is not running.
    async look(work) {
      const db = await openDatabase({ dataDir });
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function admin(target: Target, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/bin/admin.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, FUELCARD_ADMIN_PASSWORD: '', ...target.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

const province = ['create-org-unit', '--kind', 'province', '--code', '33', '--name-zh', '测试省公司', '--name-en', 'Test Province Co.'];

describe(`npm run admin on ${testEngine()}`, { timeout: 4 * RUN_TIMEOUT_MS }, () => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
  });

  it('sets up a fresh installation: the first unit, then the first administrator, who can sign in', async () => {
    target = await freshTarget();
    const created = await admin(target, province);
    expect(created, created.stderr).toMatchObject({ code: 0 });
    expect(created.stdout).toContain('created province 33');
    const made = await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33', '--display-name', '首位管理员'], {
      stdin: `${PASSWORD}\n`,
    });
    expect(made, made.stderr).toMatchObject({ code: 0 });
    expect(made.stdout + made.stderr).not.toContain(PASSWORD);
    const listed = await admin(target, ['org-units']);
    expect(listed.stdout).toMatch(/^1\tprovince\t33\t-\t测试省公司\tTest Province Co\.$/m);

    await target.look(async (db) => {
      const app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent' }, logger: false });
      try {
        const login = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'first.admin', password: PASSWORD },
        });
        expect(login.statusCode).toBe(200);
        expect(login.json()).toMatchObject({ role: 'administrator', displayName: '首位管理员' });
      } finally {
        await app.close();
      }
      const audit = await db.query<{ action: string; subject: string }>(
        "SELECT action, subject FROM audit_log WHERE chain_key = 'system' ORDER BY chain_no",
      );
      expect(audit.rows.slice(0, 2)).toEqual([
        { action: 'org_unit.create', subject: '33' },
        { action: 'operator.create', subject: 'first.admin' },
      ]);
      expect((await verifyAudit(db)).sound).toBe(true);
    });
  });

  it(
    "sets what a station's receipt prints: the hotline on the province, inherited below it; an address; refuses bad input and changes nothing",
    { timeout: 10 * RUN_TIMEOUT_MS },
    async () => {
      target = await freshTarget();
      expect((await admin(target, province)).code).toBe(0);
      const station = [
        'create-org-unit',
        '--kind',
        'city',
        '--code',
        '3301',
        '--name-zh',
        '测试市',
        '--name-en',
        'Test City',
        '--parent',
        '33',
      ];
      expect((await admin(target, station)).code).toBe(0);
      const hotline = await admin(target, ['station-info', '--unit', '33', '--hotline', '95504']);
      expect(hotline, hotline.stderr).toMatchObject({ code: 0 });
      expect(hotline.stdout).toContain('hotline: 95504');
      const address = await admin(target, [
        'station-info',
        '--unit',
        '3301',
        '--address-zh',
        '测试市人民路1号',
        '--address-en',
        '1 Renmin Road',
      ]);
      expect(address, address.stderr).toMatchObject({ code: 0 });
      expect(address.stdout).toContain('address (zh): 测试市人民路1号');
      expect(address.stdout).toContain('address (en): 1 Renmin Road');
      expect(address.stdout).toMatch(/hotline: 95504 \(set here or inherited/);

      const before = await target.look(
        async (db) => (await db.query('SELECT code, address_zh, address_en, hotline FROM org_unit ORDER BY code')).rows,
      );
      const badHotline = await admin(target, ['station-info', '--unit', '3301', '--hotline', 'call us']);
      expect([badHotline.code, badHotline.stderr]).toEqual([2, expect.stringContaining('--hotline')]);
      const twoLines = await admin(target, ['station-info', '--unit', '3301', '--address-en', '1 Renmin Road\nCity']);
      expect(twoLines.code).toBe(2);
      const unknown = await admin(target, ['station-info', '--unit', '9999', '--hotline', '95504']);
      expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('NOT_FOUND')]);
      const noUnit = await admin(target, ['station-info', '--hotline', '95504']);
      expect(noUnit.code).toBe(2);
      await target.look(async (db) => {
        expect((await db.query('SELECT code, address_zh, address_en, hotline FROM org_unit ORDER BY code')).rows).toEqual(before);
        const audit = await db.query<{ action: string; subject: string }>(
          "SELECT action, subject FROM audit_log WHERE action = 'org_unit.station_info' ORDER BY at, chain_no",
        );
        expect(audit.rows).toEqual([
          { action: 'org_unit.station_info', subject: '33' },
          { action: 'org_unit.station_info', subject: '3301' },
        ]);
        expect((await verifyAudit(db)).sound).toBe(true);
      });
      // "" clears a field.
      const cleared = await admin(target, ['station-info', '--unit', '3301', '--address-en', '']);
      expect(cleared.stdout).toContain('address (en): (not set)');
    },
  );

  it('refuses a taken user name, a short password, an unknown unit and a unit under the wrong parent, and changes nothing', async () => {
    target = await freshTarget();
    expect((await admin(target, province)).code).toBe(0);
    expect(
      (
        await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], {
          env: { FUELCARD_ADMIN_PASSWORD: PASSWORD },
        })
      ).code,
    ).toBe(0);

    const taken = await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], {
      stdin: 'another-password-000\n',
    });
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('ALREADY_EXISTS') });
    const short = await admin(target, ['create-admin', '--username', 'second.admin', '--org-unit', '33'], { stdin: 'short\n' });
    expect(short).toMatchObject({ code: 2, stderr: expect.stringContaining('10 to 200 characters') });
    const unknownUnit = await admin(target, ['create-admin', '--username', 'second.admin', '--org-unit', '99'], { stdin: `${PASSWORD}\n` });
    expect(unknownUnit).toMatchObject({ code: 1, stderr: expect.stringContaining('NOT_FOUND') });
    const wrongParent = await admin(target, [
      'create-org-unit',
      '--kind',
      'station',
      '--code',
      '3301S01',
      '--name-zh',
      '站',
      '--name-en',
      'Station',
      '--parent',
      '33',
    ]);
    expect(wrongParent).toMatchObject({ code: 1, stderr: expect.stringContaining('ORG_UNIT_PARENT_INVALID') });
    expect((await admin(target, ['create-admin', '--usernme', 'x'])).code).toBe(2);
    expect((await admin(target, ['drop-everything'])).code).toBe(2);

    await target.look(async (db) => {
      expect((await db.query<{ username: string }>('SELECT username FROM operator ORDER BY id')).rows).toEqual([
        { username: 'first.admin' },
      ]);
      expect((await db.query<{ code: string }>('SELECT code FROM org_unit ORDER BY id')).rows).toEqual([{ code: '33' }]);
    });
  });

  it.runIf(testEngine() === 'pglite')(
    'refuses to open an embedded database folder the server has open, and works once it is closed',
    async () => {
      target = await freshTarget();
      expect((await admin(target, province)).code).toBe(0);
      const server = await openDatabase({ dataDir: target.env.FUELCARD_DATA_DIR! });
      let refused: Run;
      try {
        refused = await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], { stdin: `${PASSWORD}\n` });
        expect((await server.query('SELECT count(*)::int AS n FROM operator')).rows).toEqual([{ n: 0 }]);
      } finally {
        await server.close();
      }
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('stop the server') });
      expect(
        (await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], { stdin: `${PASSWORD}\n` })).code,
      ).toBe(0);
    },
  );
});

/** A key file's worth of fresh keys, kind → 32 upper-case hex digits. */
const freshKeyFile = (kinds = ['MLK', 'MULK', 'MTK', 'MPK', 'MUGK', 'MPUK', 'MRPK']): Record<string, string> =>
  Object.fromEntries(kinds.map((kind) => [kind, randomBytes(16).toString('hex').toUpperCase()]));

/** What the key commands print for a key set: `version TAB kind TAB KCV xxxxxx`, one line a key. */
const kcvLines = (keyVersion: number, keys: Record<string, string>): string[] =>
  Object.entries(keys).map(([kind, hex]) => `${keyVersion}\t${kind}\tKCV ${keyCheckValue(fromHex(hex))}`);

/** No key, nor either half of one, in anything a command printed. */
function expectNoKeyIn(run: Run, keys: Record<string, string>): void {
  const printed = (run.stdout + run.stderr).toUpperCase();
  for (const hex of Object.values(keys)) {
    expect(printed).not.toContain(hex.slice(0, 16));
    expect(printed).not.toContain(hex.slice(16));
  }
}

/**
 * Demo card 1 (张伟, 800 yuan on the chip after two loads) personalised by a bureau with `file`'s
 * master keys; the card-management keys the server never holds are the bureau's own.
 */
function bureauCard(file: Record<string, string>): FuelCard {
  const bureauOwn = freshKeyFile(['MAMK', 'MAMTK', 'MUK', 'MIAK']);
  const masters = Object.fromEntries(
    Object.entries({ ...file, ...bureauOwn }).map(([kind, hex]) => [kind, fromHex(hex)]),
  ) as unknown as IssuerMasterKeys;
  const asn = buildAsn({ cardType: CARD_TYPE.USER, province: '32', serial: 1 });
  const card = issueFuelCard({
    masters,
    asn,
    startDate: '2024-01-01',
    expiryDate: '2034-12-31',
    pin: DEMO_PIN,
    dpkDiversification: 'ASN_ONCE',
  });
  card.powerOn();
  openApplication(card, pinToBcd(DEMO_PIN));
  for (const amountFen of [50_000, 30_000])
    issuerLoad(card, asn, { masters, amountFen, terminalId: fromHex('000000000001'), date: fromHex('20240102'), time: fromHex('030405') });
  card.powerOff();
  return card;
}

describe(`npm run admin: the issuer's master keys, on ${testEngine()}`, { timeout: 8 * RUN_TIMEOUT_MS }, () => {
  let target: Target | undefined;
  let files: string;
  const kek = randomBytes(32).toString('hex');
  const real = { FUELCARD_KEK: kek, FUELCARD_DEMO: '0' };
  beforeEach(() => {
    files = mkdtempSync(join(tmpdir(), 'fuelcard-keys-'));
  });
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
    rmSync(files, { recursive: true, force: true });
  });

  it("imports an installation's keys, which a real load then uses; generates and exports a second version; lists both by KCV under the right KEK only", async () => {
    target = await freshTarget();
    // Units, a kiosk, customers and cards as a real installation would have them, but no keys yet.
    await target.look(async (db) => {
      await migrate(db);
      await seedDemo(db, { kekHex: kek });
      await db.query('DELETE FROM issuer_key');
    });
    const keys = freshKeyFile();
    const keyFile = join(files, 'v1.json');
    writeFileSync(keyFile, JSON.stringify(keys), { mode: 0o600 });

    const imported = await admin(target, ['keys-import', '--key-version', '1', '--file', keyFile], { env: real });
    expect(imported, imported.stderr).toMatchObject({ code: 0 });
    expect(imported.stdout).toContain('imported issuer master keys, version 1');
    expect(imported.stdout.split('\n').filter((l) => l.startsWith('1\t'))).toEqual(kcvLines(1, keys));
    expectNoKeyIn(imported, keys);
    const again = await admin(target, ['keys-import', '--key-version', '1', '--file', keyFile], { env: real });
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('KEY_VERSION_TAKEN') });

    const exportFile = join(files, 'bureau-v2.json');
    const generated = await admin(target, ['keys-generate', '--key-version', '2', '--export', exportFile], { env: real });
    expect(generated, generated.stderr).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('holds the issuer master keys in clear'),
    });
    expect(statSync(exportFile).mode & 0o777).toBe(0o600);
    const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(exported)).toEqual(['MLK', 'MULK', 'MTK', 'MPK', 'MUGK', 'MPUK', 'MRPK', 'MAMTK']);
    expect(generated.stdout.split('\n').filter((l) => l.startsWith('2\t'))).toEqual(kcvLines(2, exported));
    expectNoKeyIn(generated, exported);

    const listed = await admin(target, ['keys-list'], { env: real });
    expect(listed, listed.stderr).toMatchObject({ code: 0 });
    expect(listed.stdout.trim().split('\n')).toEqual([...kcvLines(1, keys), ...kcvLines(2, exported)]);
    expectNoKeyIn(listed, { ...keys, ...exported });
    const wrongKek = await admin(target, ['keys-list'], { env: { ...real, FUELCARD_KEK: randomBytes(32).toString('hex') } });
    expect(wrongKek).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('KEY_STORE_CORRUPT') });
    expect(wrongKek.stderr).toContain('FUELCARD_KEK is not the key the stored keys were sealed under');

    await target.look(async (db) => {
      const app = withDeviceSigning(
        await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: kek }, logger: false }),
      );
      try {
        const kiosk = deviceHeader('demo-kiosk-1');
        const load = (card: FuelCard) =>
          app.inject({
            method: 'POST',
            url: '/api/v1/loads/initialise',
            headers: kiosk,
            payload: {
              operationId: randomUUID(),
              cardNo: toHex(buildAsn({ cardType: CARD_TYPE.USER, province: '32', serial: 1 })),
              amountFen: 10_000,
              sourceAccount: 'QUOTA',
              terminalId: KIOSK_TERMINAL_ID,
              card: initializeForLoad(card, 10_000),
            },
          });
        // A card personalised with the public test keys is no longer this installation's card.
        const demoCard = simCard(1, [50_000, 30_000]).card;
        openCard(demoCard, DEMO_PIN);
        expect((await load(demoCard)).json().error.code).toBe('MAC1_INVALID');

        const card = bureauCard(keys);
        openCard(card, DEMO_PIN);
        const started = await load(card);
        expect(started.statusCode, started.body).toBe(200);
        const tac = creditForLoad(card, started.json());
        const done = await app.inject({
          method: 'POST',
          url: '/api/v1/loads/complete',
          headers: kiosk,
          payload: { loadId: started.json().load.loadId, tac },
        });
        expect(done.json().load).toMatchObject({ state: 'posted', settledBy: 'tac' });
        expect(balanceOf(card)).toBe(90_000);
      } finally {
        await app.close();
      }
      const audit = await db.query<{ action: string; subject: string; detail: unknown }>(
        "SELECT action, subject, detail FROM audit_log WHERE action LIKE 'keys.%' ORDER BY chain_no",
      );
      expect(audit.rows.map((r) => [r.action, r.subject])).toEqual([
        ['keys.import', 'issuer keys v1'],
        ['keys.generate', 'issuer keys v2'],
      ]);
      expect(audit.rows[0]!.detail).toMatchObject({ keyVersion: 1, kinds: Object.keys(keys) });
      const printed = JSON.stringify(audit.rows).toUpperCase();
      for (const hex of [...Object.values(keys), ...Object.values(exported)]) expect(printed).not.toContain(hex.slice(0, 16));
      expect((await verifyAudit(db)).sound).toBe(true);
    });
  });

  it('refuses a file that is not JSON, one without MTK, bad hex and the public demo keys, storing nothing and printing no key', async () => {
    target = await freshTarget();
    const keys = freshKeyFile(['MLK', 'MULK', 'MTK']);
    const hex = (b: number) => toHex(new Uint8Array(16).fill(b));
    const cases: Array<[string, string, string]> = [
      ['not-json', `{ "MLK": "${keys.MLK}", "MULK": "${keys.MULK}" "MTK": "${keys.MTK}" }`, 'KEY_FILE_INVALID'],
      ['no-mtk', JSON.stringify({ MLK: keys.MLK, MULK: keys.MULK }), 'lacks MTK'],
      ['bad-hex', JSON.stringify({ ...keys, MTK: `${keys.MTK!.slice(0, 31)}Z` }), 'MTK is not 32 hex digits'],
      [
        'demo',
        JSON.stringify({ MLK: toHex(TEST_MASTER_KEYS.MLK), MULK: toHex(TEST_MASTER_KEYS.MULK), MTK: toHex(TEST_MASTER_KEYS.MTK) }),
        'public demo/test keys',
      ],
    ];
    for (const [name, text, reason] of cases) {
      const file = join(files, `${name}.json`);
      writeFileSync(file, text);
      const refused = await admin(target, ['keys-import', '--key-version', '1', '--file', file], { env: real });
      expect(refused, name).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(reason) });
      expectNoKeyIn(refused, keys);
    }
    expect(toHex(TEST_MASTER_KEYS.MLK)).toBe(hex(0x11));
    await target.look(async (db) => {
      await migrate(db);
      expect((await db.query('SELECT kind FROM issuer_key')).rows).toEqual([]);
      expect((await db.query("SELECT action FROM audit_log WHERE action LIKE 'keys.%'")).rows).toEqual([]);
    });
  });
});

describe(`npm run admin: the audit log against its signed checkpoints, on ${testEngine()}`, { timeout: 8 * RUN_TIMEOUT_MS }, () => {
  let target: Target | undefined;
  let auditDir: string;
  beforeEach(() => {
    auditDir = mkdtempSync(join(tmpdir(), 'fuelcard-audit-cli-'));
  });
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
    rmSync(auditDir, { recursive: true, force: true });
  });

  it('verifies a clean installation, then finds a chain cut short with its head rolled back and a checkpoint line altered, exiting 1 and printing no key', async () => {
    target = await freshTarget();
    const kek = randomBytes(32).toString('hex');
    const env = { FUELCARD_KEK: kek, FUELCARD_DEMO: '0', FUELCARD_AUDIT_DIR: auditDir };
    const kiosk = { deviceId: 'demo-kiosk-1', operatorId: null, orgUnitId: 1n };
    await target.look(async (db) => {
      await migrate(db);
      await seedDemo(db, { kekHex: kek });
      for (let i = 1; i <= 5; i++)
        await db.transaction((tx) => appendAudit(tx, kiosk, { action: 'test.entry', subject: `entry ${i}`, detail: { i } }));
    });
    const runs: Run[] = [];
    const run = async (args: string[], extra: Record<string, string> = {}): Promise<Run> => {
      const done = await admin(target!, args, { env: { ...env, ...extra } });
      runs.push(done);
      return done;
    };

    const checkpoint = await run(['audit-checkpoint']);
    expect(checkpoint, checkpoint.stderr).toMatchObject({
      code: 0,
      // The demo's chains: its stock-ins and requisitions of user and station cards (the administrator's nine, stock/demo.ts) and the kiosk's five.
      stdout: expect.stringMatching(/^checkpoint of 2 audit chains written to \S+\/checkpoints-\d{8}T\d{6}Z-[0-9a-f]{8}\.jsonl\n$/),
    });
    const clean = await run(['audit-verify']);
    expect(clean, clean.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(clean.stdout).toMatch(
      new RegExp(
        `^audit log: 14 rows in 2 chains; 1 checkpoint line in 1 file in ${auditDir} \\(the latest of [0-9T:.-]+Z\\)\\nsound: every row matches its hash, and every chain reaches each row a checkpoint saw\\n$`,
      ),
    );

    // As the database's owner: the trigger off, the kiosk's rows 4 and 5 deleted, its head put back on row 3.
    await target.look(async (db) => {
      await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_append_only;
        DELETE FROM audit_log WHERE chain_key = 'device:demo-kiosk-1' AND chain_no > 3;
        UPDATE audit_chain c SET last_no = 3, last_hash = l.hash, prev_hash = l.prev_hash FROM audit_log l WHERE c.chain_key = 'device:demo-kiosk-1' AND l.chain_key = c.chain_key AND l.chain_no = 3;
        ALTER TABLE audit_log ENABLE TRIGGER audit_append_only`);
      expect((await verifyAudit(db)).sound).toBe(true);
    });
    const cut = await run(['audit-verify']);
    expect(cut).toMatchObject({ code: 1 });
    expect(cut.stdout).toMatch(
      /^BROKEN at device:demo-kiosk-1#end: chain device:demo-kiosk-1 ends at row 3, but the checkpoint of \S+ \(checkpoints-\S+\.jsonl line 1\) saw its row 5: rows were deleted and the chain's head rolled back$/m,
    );

    const [file] = readdirSync(auditDir);
    writeFileSync(join(auditDir, file!), readFileSync(join(auditDir, file!), 'utf8').replace('"5"', '"3"'));
    const altered = await run(['audit-verify']);
    expect(altered).toMatchObject({ code: 1 });
    expect(altered.stdout).toContain(
      `BROKEN: checkpoint file ${file} line 1: its signature does not match (the line was altered, or signed under another audit key)`,
    );

    const otherKey = randomBytes(32).toString('hex');
    const wrongKey = await run(['audit-verify'], { FUELCARD_AUDIT_KEY: otherKey });
    expect(wrongKey.stdout).toContain('its signature does not match');
    const noKey = await run(['audit-verify'], { FUELCARD_KEK: '' });
    expect(noKey).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('no audit key: set FUELCARD_AUDIT_KEY') });

    const derived = auditKeyOf({ auditKeyHex: undefined, kekHex: kek })!.toString('hex');
    for (const printed of runs.map((r) => r.stdout + r.stderr))
      for (const secret of [kek, derived, otherKey]) expect(printed).not.toContain(secret);
  });
});
