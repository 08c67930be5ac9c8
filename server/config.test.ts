import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration from the environment', () => {
  it('has defaults that run the product with the embedded database in demo mode', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data$/);
    expect(config.demo).toBe(true);
  });

  it('turns demo data off by default on PostgreSQL, so production never gets test keys by accident', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@localhost/db' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', FUELCARD_DEMO: '1' }).demo).toBe(true);
  });

  it('treats an empty variable as not set', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });

  it('refuses a bad value naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ FUELCARD_DEMO: 'maybe' })).toThrow(/FUELCARD_DEMO/);
  });

  it('reads the limits on money at the counter, and refuses an approval threshold above the per-receipt limit', () => {
    expect(loadConfig({})).toMatchObject({ cashReceiptMaxFen: 10_000_000, approvalAboveFen: 2_000_000 });
    expect(loadConfig({ FUELCARD_CASH_RECEIPT_MAX_FEN: '300000', FUELCARD_APPROVAL_ABOVE_FEN: '0' })).toMatchObject({
      cashReceiptMaxFen: 300_000,
      approvalAboveFen: 0,
    });
    expect(() => loadConfig({ FUELCARD_CASH_RECEIPT_MAX_FEN: '100', FUELCARD_APPROVAL_ABOVE_FEN: '200' })).toThrow(
      /FUELCARD_APPROVAL_ABOVE_FEN/,
    );
    expect(() => loadConfig({ FUELCARD_CASH_RECEIPT_MAX_FEN: '4294967296' })).toThrow(/FUELCARD_CASH_RECEIPT_MAX_FEN/);
  });

  it('reads how many demo devices one address may ask for, 30 unless set, and refuses nonsense', () => {
    expect(loadConfig({}).demoDevicesPerAddressMax).toBe(30);
    expect(loadConfig({ FUELCARD_DEMO_DEVICES_PER_ADDRESS: '500' }).demoDevicesPerAddressMax).toBe(500);
    for (const bad of ['0', '-1', 'many', '2.5'])
      expect(() => loadConfig({ FUELCARD_DEMO_DEVICES_PER_ADDRESS: bad })).toThrow(/FUELCARD_DEMO_DEVICES_PER_ADDRESS/);
  });

  it('takes the key-encryption key and the audit key out of the environment once read, so a child process does not inherit them', () => {
    const kek = 'ab'.repeat(32);
    const auditKey = 'cd'.repeat(32);
    Object.assign(process.env, { FUELCARD_KEK: kek, FUELCARD_AUDIT_KEY: auditKey, FUELCARD_DATA_DIR: '/srv/fuelcard' });
    try {
      const config = loadConfig(process.env);
      expect(config).toMatchObject({ kekHex: kek, auditKeyHex: auditKey, auditDir: join('/srv/fuelcard', 'audit') });
      expect(process.env.FUELCARD_KEK).toBeUndefined();
      expect(process.env.FUELCARD_AUDIT_KEY).toBeUndefined();
      // A child started the default way gets process.env.
      const child = spawnSync(
        process.execPath,
        [
          '-e',
          'process.stdout.write(JSON.stringify([process.env.FUELCARD_KEK ?? null, process.env.FUELCARD_AUDIT_KEY ?? null, process.env.FUELCARD_DATA_DIR]))',
        ],
        { encoding: 'utf8' },
      );
      expect(JSON.parse(child.stdout)).toEqual([null, null, '/srv/fuelcard']);
    } finally {
      for (const name of ['FUELCARD_KEK', 'FUELCARD_AUDIT_KEY', 'FUELCARD_DATA_DIR']) delete process.env[name];
    }
  });

  it('takes the keys out even when the configuration is refused', () => {
    const env: Record<string, string | undefined> = { FUELCARD_KEK: 'ab'.repeat(32), PORT: 'eighty' };
    expect(() => loadConfig(env)).toThrow(/PORT/);
    expect(env).toEqual({ PORT: 'eighty' });
  });

  it('refuses an audit key equal to the key-encryption key, and never names a key in a refusal', () => {
    const kek = 'ab'.repeat(32);
    expect(() => loadConfig({ FUELCARD_KEK: kek, FUELCARD_AUDIT_KEY: kek.toUpperCase() })).toThrow(
      /FUELCARD_AUDIT_KEY: must differ from FUELCARD_KEK/,
    );
    const refused = (() => {
      try {
        loadConfig({ FUELCARD_KEK: `${kek.slice(0, 63)}z`, FUELCARD_AUDIT_KEY: kek });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(refused).toBe('invalid configuration: FUELCARD_KEK: must be 64 hex digits');
  });
});
