import { describe, expect, it } from 'vitest';
import { openTestDatabase, testEngine } from '../testing/db.ts';
import { seedDemo } from './seed.ts';

describe(`demo data on ${testEngine()}`, () => {
  it('is created in an empty database, marked as demo, and not created twice', async () => {
    const db = await openTestDatabase();
    try {
      expect(await seedDemo(db)).toEqual({ seeded: true });
      expect(await seedDemo(db)).toEqual({ seeded: false });
      const meta = await db.query<{ value: string }>("SELECT value FROM app_meta WHERE key = 'demo'");
      expect(meta.rows[0]?.value).toBe('true');
      const kiosks = await db.query<{ name: string }>("SELECT name FROM device WHERE kind = 'kiosk'");
      expect(kiosks.rows.length).toBe(1);
      expect(kiosks.rows[0]!.name).toMatch(/演示/);
      const units = await db.query<{ n: bigint }>('SELECT count(*)::bigint AS n FROM org_unit');
      expect(units.rows[0]!.n).toBeGreaterThanOrEqual(4n);
    } finally {
      await db.close();
    }
  });
});
