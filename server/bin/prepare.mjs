/**
 * What `npm start` and `npm test` do before anything else on a fresh clone, in plain Node with
 * no dependencies (nothing is installed yet when this runs): install from the lock file when
 * node_modules is missing or older than the lock, build the app when a source is newer than the
 * build, and find (or, on Debian as root, install) Chromium for the end-to-end tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Newest modification time of any file under the given paths. */
function newestMtimeMs(paths) {
  let newest = 0;
  const stack = paths.map((p) => join(ROOT, p));
  while (stack.length > 0) {
    const path = stack.pop();
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'node_modules') stack.push(join(path, name));
    } else if (stat.mtimeMs > newest) {
      newest = stat.mtimeMs;
    }
  }
  return newest;
}

export function ensureInstalled() {
  const stamp = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(stamp) && mtimeMs(stamp) >= mtimeMs(join(ROOT, 'package-lock.json'))) return;
  console.log('Installing dependencies from package-lock.json (npm ci) ...');
  const status = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (status !== 0) throw new Error('npm ci failed');
}

// The server is compiled too (dist-server/), so every server source counts.
const BUILD_INPUTS = ['src', 'sw', 'public', 'ccid', 'server', 'vite.config.ts', 'package-lock.json'];
const BUILD_STAMP = join(ROOT, 'dist', '.build-stamp');

export function ensureBuilt({ force = false } = {}) {
  if (!force && existsSync(BUILD_STAMP) && mtimeMs(BUILD_STAMP) >= newestMtimeMs(BUILD_INPUTS)) return;
  console.log('Building the app ...');
  const status = run('npm', ['run', '-s', 'build']);
  if (status !== 0) throw new Error('build failed');
  writeFileSync(BUILD_STAMP, new Date().toISOString());
}

/** Returns the Chromium executable, installing Debian's package when possible; null otherwise. */
export function ensureChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  for (const path of candidates) if (existsSync(path)) return path;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('Chromium not found: installing Debian package chromium ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env }) !== 0) {
      run('apt-get', ['update'], { env });
      run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env });
    }
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  return null;
}
