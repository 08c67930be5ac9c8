/**
 * A group of simulated kiosks for the load benchmark (ledger.bench.ts), in a process of its own:
 * real kiosks are other machines, and a kiosk's work (the simulated card's DES, the HTTP client)
 * running in the server's process would be counted as the server's. Each kiosk has its own
 * simulated card and does INITIALIZE FOR LOAD → /loads/initialise → CREDIT FOR LOAD →
 * /loads/complete over HTTP, one load after another.
 *
 * Protocol with the parent (IPC): it sends `{ address, kiosks, loadsPerKiosk, secret }`; this
 * process opens the cards, makes one warm-up load per kiosk and answers `ready`; on `go` it runs
 * and answers `{ latenciesMs, cpuMs }`, or `{ error }`.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { creditForLoad, initializeForLoad, openCard, simCard } from '../../server/testing/sim.ts';
import { signAsDevice } from '../../server/testing/device-signing.ts';

export type KioskSpec = { serial: number; deviceId: string; terminalId: string };
export type GroupStart = { address: string; kiosks: KioskSpec[]; loadsPerKiosk: number; secret: string };
export type GroupReport = { latenciesMs: number[]; cpuMs: number } | { error: string };

const AMOUNT_FEN = 100;

/**
 * node:http with keep-alive rather than fetch: this process stands for 16 machines, and fetch's
 * web streams cost it about a third more CPU per load, which the server's process then lacks.
 */
const agent = new Agent({ keepAlive: true });

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function oneLoad(address: string, secret: string, k: KioskSpec & ReturnType<typeof simCard>): Promise<number> {
  const start = performance.now();
  // Each request signed as the kiosk signs it (node:crypto here, a kiosk's own work in this process).
  const signed = (path: string, body: string) => ({
    authorization: signAsDevice({ deviceId: k.deviceId, secret, method: 'POST', url: path, body, timestampMs: Date.now() }),
    'content-type': 'application/json',
  });
  const body = JSON.stringify({
    operationId: randomUUID(),
    cardNo: k.cardNo,
    amountFen: AMOUNT_FEN,
    sourceAccount: 'QUOTA',
    terminalId: k.terminalId,
    card: initializeForLoad(k.card, AMOUNT_FEN, k.terminalId),
  });
  const init = await post(`${address}/api/v1/loads/initialise`, signed('/api/v1/loads/initialise', body), body);
  if (init.status !== 200) throw new Error(`initialise answered ${init.status}: ${init.text}`);
  const started = JSON.parse(init.text) as { load: { loadId: string }; date: string; time: string; mac2: string };
  const tac = creditForLoad(k.card, started);
  const completion = JSON.stringify({ loadId: started.load.loadId, tac });
  const done = await post(`${address}/api/v1/loads/complete`, signed('/api/v1/loads/complete', completion), completion);
  if (done.status !== 200) throw new Error(`complete answered ${done.status}: ${done.text}`);
  return performance.now() - start;
}

async function runGroup(start: GroupStart, go: Promise<void>): Promise<GroupReport> {
  const kiosks = start.kiosks.map((spec) => ({ ...spec, ...simCard(spec.serial) }));
  for (const k of kiosks) openCard(k.card, k.pin);
  for (const k of kiosks) await oneLoad(start.address, start.secret, k); // warm-up
  process.send!({ ready: true });
  await go;
  const cpuBefore = process.cpuUsage();
  const latenciesMs: number[] = [];
  await Promise.all(
    kiosks.map(async (k) => {
      for (let i = 0; i < start.loadsPerKiosk; i++) latenciesMs.push(await oneLoad(start.address, start.secret, k));
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { latenciesMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

if (process.send) {
  let release: () => void = () => {};
  const go = new Promise<void>((resolve) => (release = resolve));
  process.on('message', (message: { start?: GroupStart; go?: boolean }) => {
    if (message.go) release();
    if (!message.start) return;
    runGroup(message.start, go).then(
      (report) => process.send!(report, () => process.exit(0)),
      (error: unknown) => process.send!({ error: (error as Error).message } satisfies GroupReport, () => process.exit(1)),
    );
  });
}
