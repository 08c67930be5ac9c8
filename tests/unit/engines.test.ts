/**
 * Every package the lock file installs supports the Node versions package.json promises
 * (`engines.node`), so `npm ci` prints no EBADENGINE warning: a dependency that drops a Node
 * version is pinned back or replaced (package.json `overrides` says where).
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

type Lock = { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

describe('the installed packages and our Node versions', () => {
  it('every locked package supports the lowest Node version package.json allows', () => {
    const own = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    const lowest = semver.minVersion(own.engines.node)!.version;
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
    const unsupported = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.satisfies(lowest, (entry.engines as { node: string }).node))
      .map(([path, entry]) => `${path}@${entry.version ?? '?'} needs node ${(entry.engines as { node: string }).node}`);
    expect(unsupported).toEqual([]);
  });
});
