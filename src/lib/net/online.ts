/**
 * Whether the server can be reached, which is what "online" means to a kiosk: navigator.onLine
 * only knows about the local link (a station LAN with its uplink down still says true), so we
 * probe /healthz at start, periodically, and whenever the browser reports a change. The
 * 'offline' event is believed at once; 'online' only once a probe succeeds.
 */
import { readable } from 'svelte/store';

const PROBE_INTERVAL_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

export async function probeServer(fetchImpl: typeof fetch = fetch): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  try {
    const response = await fetchImpl('/healthz', { cache: 'no-store', signal: controller.signal });
    return response.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const online = readable(typeof navigator === 'undefined' ? true : navigator.onLine, (set) => {
  let stopped = false;
  const probe = async (): Promise<void> => {
    const reachable = navigator.onLine && (await probeServer());
    if (!stopped) set(reachable);
  };
  const goneOffline = (): void => set(false);
  const maybeOnline = (): void => void probe();
  window.addEventListener('offline', goneOffline);
  window.addEventListener('online', maybeOnline);
  const interval = setInterval(maybeOnline, PROBE_INTERVAL_MS);
  void probe();
  return () => {
    stopped = true;
    clearInterval(interval);
    window.removeEventListener('offline', goneOffline);
    window.removeEventListener('online', maybeOnline);
  };
});
