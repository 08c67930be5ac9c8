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
    expect(loadConfig({ FUELCARD_CASH_RECEIPT_MAX_FEN: '300000', FUELCARD_APPROVAL_ABOVE_FEN: '0' })).toMatchObject({ cashReceiptMaxFen: 300_000, approvalAboveFen: 0 });
    expect(() => loadConfig({ FUELCARD_CASH_RECEIPT_MAX_FEN: '100', FUELCARD_APPROVAL_ABOVE_FEN: '200' })).toThrow(/FUELCARD_APPROVAL_ABOVE_FEN/);
    expect(() => loadConfig({ FUELCARD_CASH_RECEIPT_MAX_FEN: '4294967296' })).toThrow(/FUELCARD_CASH_RECEIPT_MAX_FEN/);
  });
});
