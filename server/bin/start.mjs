/**
 * `npm start`: on a fresh clone, installs (npm ci), builds (the app and the compiled server), then
 * runs the server, which migrates, seeds demo data into an empty database and prints its address.
 * Signals are passed on so that Ctrl-C shuts the server down gracefully.
 */
import { spawn } from 'node:child_process';
import { ROOT, ensureBuilt, ensureInstalled } from './prepare.mjs';

try {
  ensureInstalled();
  ensureBuilt();
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
}

// The compiled server (server/bin/build-server.mjs): no TypeScript loader at run time.
const child = spawn(process.execPath, ['--enable-source-maps', 'dist-server/main.mjs'], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
