import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DeviceDatabase } from '../device-db/database.ts';
import { isIdentity, loadIdentity, normaliseServerUrl } from './device.ts';

let dbCount = 0;
const identity = { deviceId: 'demo-kiosk-1', secret: 'x'.repeat(43), terminalId: '320100000001', enrolledAtMs: 1 };

describe('the device identity', () => {
  it('takes a server address as an http(s) origin and refuses anything else', () => {
    expect(normaliseServerUrl('https://cards.example.com/app/')).toBe('https://cards.example.com');
    expect(normaliseServerUrl(' http://10.0.0.5:8080 ')).toBe('http://10.0.0.5:8080');
    expect(normaliseServerUrl('')).toBe('');
    for (const bad of ['cards.example.com', 'ftp://x.example', 'javascript:alert(1)', 'http://'])
      expect(normaliseServerUrl(bad), bad).toBeNull();
  });

  it('refuses a stored identity that is not one, and reads an older one as belonging to the page’s own server', async () => {
    expect(isIdentity({ ...identity, secret: 'short' })).toBe(false);
    expect(isIdentity({ ...identity, terminalId: 'not-hex' })).toBe(false);
    const db = new DeviceDatabase(`device-test-${++dbCount}`);
    await db.settings.put({ key: 'device.identity', value: identity });
    expect(await loadIdentity(db)).toEqual({ ...identity, serverUrl: '' });
    await db.settings.put({ key: 'device.identity', value: { ...identity, deviceId: 'Not Valid' } });
    expect(await loadIdentity(db)).toBeNull();
  });
});
