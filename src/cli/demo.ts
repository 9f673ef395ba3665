import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../core/log.js';
import { packageRoot } from '../core/package-root.js';
import { SystemClock } from '../core/system-clock.js';
import { startEmbeddedBroker } from '../demo/embedded-broker.js';
import { TerminalView } from '../demo/terminal-view.js';
import { Hub } from '../hub/hub.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';
import { exitSoon, untilStopped } from './lifecycle.js';


/**
 * `carehub demo`: embedded broker, every simulated device through the real drivers, the real
 * pipeline, store, alarms and uplink, a live terminal view and the local page.
 */
export async function demoCommand(o: { duration?: number; scenario: string; json?: boolean }): Promise<number> {
  const shipped = join(packageRoot(), 'config', 'demo.yaml');
  const loaded = loadConfigFile(shipped, {});
  if (!loaded.ok) {
    process.stderr.write(`carehub: the shipped demo config is invalid: ${JSON.stringify(loaded.problems)}\n`);
    return EXIT_FAILURE;
  }
  if (!/^[a-z][a-z0-9-]*$/.test(o.scenario)) {
    process.stderr.write(`carehub: not a scenario name: ${o.scenario}\n`);
    return EXIT_USAGE;
  }
  const dir = mkdtempSync(join(tmpdir(), 'carehub-demo-'));
  // the console's configuration page and pairing wizard edit a copy that goes with the demo
  const configFile = join(dir, 'carehub.yaml');
  copyFileSync(shipped, configFile);
  const broker = await startEmbeddedBroker();
  const config = demoConfig(loaded.config, dir, broker.url, o.scenario);
  const log = createLogger({ level: process.env.CAREHUB_LOG_LEVEL === undefined ? 'warn' : (process.env.CAREHUB_LOG_LEVEL as 'info') });
  const view = new TerminalView(process.stdout, { json: Boolean(o.json), colour: Boolean(process.stdout.isTTY), everyMs: 2000 });
  const clock = new SystemClock(true);

  // Watch what reaches the broker, as the regional backend would.
  const watcher = connect(broker.url, { protocolVersion: 4, clientId: 'carehub-demo-watcher' });
  const delivered = new Set<string>();
  watcher.on('message', (topic, payload) => {
    if (!topic.endsWith('/readings')) return;
    try {
      const batch = JSON.parse(payload.toString()) as { readings?: Array<{ id: string }> };
      for (const r of batch.readings ?? []) delivered.add(r.id);
    } catch {
      // not a batch
    }
  });
  watcher.subscribe(`${config.uplink.topicPrefix}/#`, { qos: 1 });

  let hub: Hub | undefined;
  let code = EXIT_OK;
  try {
    view.line(`carehub demo: hub ${config.hub.id}, ${config.devices.length} simulated devices (${config.devices.map((d) => `${d.id}=${d.protocol ?? d.kind}:${d.simulate ?? ''}`).join(', ')})`);
    view.line(`embedded MQTT broker on 127.0.0.1:${broker.port}   watch: mosquitto_sub -p ${broker.port} -t 'carehub/#' -v`);
    hub = await Hub.start({ config, configFile, log, clock, onReading: (r) => view.reading(r), onAlarmEvent: (ev) => view.alarm(ev) });
    if (hub.pageUrl) {
      view.line(`console: ${hub.pageUrl}`);
      view.line('  (demo: the console asks for no login; it listens on loopback only)');
    }
    view.line(o.duration ? `running for ${o.duration} s (Ctrl-C stops)` : 'Ctrl-C stops');
    await untilStopped(o.duration, log);
  } catch (err) {
    process.stderr.write(`carehub demo failed: ${(err as Error).message}\n`);
    code = EXIT_FAILURE;
  } finally {
    await hub?.stop();
    await watcher.endAsync().catch(() => undefined);
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const raised = view.alarmEvents.filter((e) => e.event === 'raised').length;
  const cleared = view.alarmEvents.filter((e) => e.event === 'cleared').length;
  view.line(`demo ended: ${view.readings} readings accepted, ${delivered.size} delivered to the broker, ${raised} alarms raised, ${cleared} cleared`);
  exitSoon(code, log);
  return code;
}

function demoConfig(base: Config, dir: string, url: string, scenario: string): Config {
  const c = structuredClone(base) as { -readonly [K in keyof Config]: Config[K] };
  return {
    ...c,
    storage: { ...c.storage, path: join(dir, 'carehub.db') },
    uplink: { ...c.uplink, mqtt: { ...c.uplink.mqtt, url, protocolVersion: 4 } },
    devices: c.devices.map((d) => (d.id === 'oxi-1' ? { ...d, simulate: scenario } : d)),
    local: { ...c.local, controlSocket: join(dir, 'control.sock'), pagePort: 0, pageBind: '127.0.0.1', consoleLogin: false },
  };
}
