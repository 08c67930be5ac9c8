/**
 * `npm run admin`, run as its own process the way an installer runs it, on a fresh PGlite folder
 * or a fresh PostgreSQL schema (never migrated before: the command migrates first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { verifyAudit } from '../audit/log.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { openEmptyTestDatabase, testEngine } from '../testing/db.ts';

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
    const made = await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33', '--display-name', '首位管理员'], { stdin: `${PASSWORD}\n` });
    expect(made, made.stderr).toMatchObject({ code: 0 });
    expect(made.stdout + made.stderr).not.toContain(PASSWORD);
    const listed = await admin(target, ['org-units']);
    expect(listed.stdout).toMatch(/^1\tprovince\t33\t-\t测试省公司\tTest Province Co\.$/m);

    await target.look(async (db) => {
      const app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent' }, logger: false });
      try {
        const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'first.admin', password: PASSWORD } });
        expect(login.statusCode).toBe(200);
        expect(login.json()).toMatchObject({ role: 'administrator', displayName: '首位管理员' });
      } finally {
        await app.close();
      }
      const audit = await db.query<{ action: string; subject: string }>("SELECT action, subject FROM audit_log WHERE chain_key = 'system' ORDER BY chain_no");
      expect(audit.rows.slice(0, 2)).toEqual([{ action: 'org_unit.create', subject: '33' }, { action: 'operator.create', subject: 'first.admin' }]);
      expect((await verifyAudit(db)).sound).toBe(true);
    });
  });

  it('refuses a taken user name, a short password, an unknown unit and a unit under the wrong parent, and changes nothing', async () => {
    target = await freshTarget();
    expect((await admin(target, province)).code).toBe(0);
    expect((await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], { env: { FUELCARD_ADMIN_PASSWORD: PASSWORD } })).code).toBe(0);

    const taken = await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], { stdin: 'another-password-000\n' });
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('ALREADY_EXISTS') });
    const short = await admin(target, ['create-admin', '--username', 'second.admin', '--org-unit', '33'], { stdin: 'short\n' });
    expect(short).toMatchObject({ code: 2, stderr: expect.stringContaining('10 to 200 characters') });
    const unknownUnit = await admin(target, ['create-admin', '--username', 'second.admin', '--org-unit', '99'], { stdin: `${PASSWORD}\n` });
    expect(unknownUnit).toMatchObject({ code: 1, stderr: expect.stringContaining('NOT_FOUND') });
    const wrongParent = await admin(target, ['create-org-unit', '--kind', 'station', '--code', '3301S01', '--name-zh', '站', '--name-en', 'Station', '--parent', '33']);
    expect(wrongParent).toMatchObject({ code: 1, stderr: expect.stringContaining('ORG_UNIT_PARENT_INVALID') });
    expect((await admin(target, ['create-admin', '--usernme', 'x'])).code).toBe(2);
    expect((await admin(target, ['drop-everything'])).code).toBe(2);

    await target.look(async (db) => {
      expect((await db.query<{ username: string }>('SELECT username FROM operator ORDER BY id')).rows).toEqual([{ username: 'first.admin' }]);
      expect((await db.query<{ code: string }>('SELECT code FROM org_unit ORDER BY id')).rows).toEqual([{ code: '33' }]);
    });
  });

  it.runIf(testEngine() === 'pglite')('refuses to open an embedded database folder the server has open, and works once it is closed', async () => {
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
    expect((await admin(target, ['create-admin', '--username', 'first.admin', '--org-unit', '33'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
  });
});
