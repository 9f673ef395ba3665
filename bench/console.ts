import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { configSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/core/log.js';
import { SystemClock } from '../src/core/system-clock.js';
import { Hub } from '../src/hub/hub.js';
import { benchAlarmLatency } from './alarms.js';

const RATE_PER_S = 50;
const DURATION_MS = 10_000;

/**
 * The console under load: a real hub (four simulated devices, its console on loopback without
 * login) answers GET /api/status at 50 requests/s for 10 s; the status API's p99, and the alarm
 * latency (bench/alarms.ts) measured in the same process meanwhile.
 */
export async function benchConsole(): Promise<{ console_status_p99_ms: number; console_alarm_latency_p99_ms: number; console_requests: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-bench-console-'));
  const config = configSchema.parse({
    hub: { id: 'bench-console' },
    storage: { path: join(dir, 'carehub.db'), maxBytes: '64MB' },
    uplink: { mqtt: { url: 'mqtt://127.0.0.1:1' } },
    devices: [
      { id: 'oxi-1', kind: 'oximeter', transport: 'ble', protocol: 'plxs', simulate: 'normal' },
      { id: 'oxi-2', kind: 'oximeter', transport: 'ble', protocol: 'berrymed', simulate: 'normal' },
      { id: 'cgm-1', kind: 'cgm', transport: 'ble', protocol: 'cgms', simulate: 'normal' },
      { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus', simulate: 'normal' },
    ],
    local: { pagePort: 0, controlSocket: join(dir, 'control.sock'), sound: false, console: false, consoleLogin: false },
  });
  const hub = await Hub.start({ config, log: silentLogger(), clock: new SystemClock() });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const times: number[] = [];
  try {
    const url = `${hub.pageUrl ?? ''}api/status`;
    const one = (): Promise<void> => new Promise((resolve, reject) => {
      const t0 = performance.now();
      get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => { if (res.statusCode === 200) times.push(performance.now() - t0); resolve(); });
      }).on('error', reject);
    });
    const load = async (): Promise<void> => {
      const start = performance.now();
      const pending: Array<Promise<void>> = [];
      for (let i = 0; performance.now() - start < DURATION_MS; i++) {
        const due = start + (i * 1000) / RATE_PER_S;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(one());
      }
      await Promise.all(pending);
    };
    const { alarm_latency_p99_ms } = await benchAlarmLatency(load);
    times.sort((a, b) => a - b);
    const p99 = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0;
    return { console_status_p99_ms: Math.round(p99 * 100) / 100, console_alarm_latency_p99_ms: alarm_latency_p99_ms, console_requests: times.length };
  } finally {
    agent.destroy();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) console.log(JSON.stringify(await benchConsole()));
