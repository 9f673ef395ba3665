import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/log.js';
import { readingToJson, type ReadingJson } from '../../src/core/reading.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { startLocal } from '../../src/hub/start-local.js';
import { StopList } from '../../src/hub/stop-list.js';

/** The four simulated devices of the issue: oximeters with pleth, a CGM (with backfill) and a ventilator with waveforms. */
export const SIM_DEVICES = [
  { id: 'oxi-plxs', kind: 'oximeter', transport: 'ble', protocol: 'plxs', simulate: 'normal', options: { waveform: true } },
  { id: 'oxi-berry', kind: 'oximeter', transport: 'ble', protocol: 'berrymed', simulate: 'normal', options: { waveform: true } },
  { id: 'cgm-1', kind: 'cgm', transport: 'ble', protocol: 'cgms', simulate: 'normal-fast' },
  { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus', simulate: 'normal', options: { waveform: true } },
] as const;

export function simConfig(dir: string, uplink: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    hub: { id: 'hub-sim' },
    storage: { path: join(dir, 'hub.db') },
    uplink: { mqtt: { url: 'mqtt://127.0.0.1:1' }, ...uplink },
    devices: SIM_DEVICES,
    local: { console: false, sound: false, controlSocket: join(dir, 'c.sock'), pagePort: 0 },
  });
}

/**
 * Runs the hub's local part (real drivers, simulators, pipeline and store) with the four simulated
 * devices until `enough` says the readings suffice or `maxMs` passes; returns the readings as
 * the uplink would publish them (contract §3 JSON).
 */
export async function simulatedReadings(enough: (rs: readonly ReadingJson[]) => boolean, maxMs: number): Promise<ReadingJson[]> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-fhir-'));
  const out: ReadingJson[] = [];
  const stops = new StopList(silentLogger());
  try {
    await startLocal({ config: simConfig(dir), log: silentLogger(), clock: new SystemClock(), onReading: (r) => out.push(readingToJson(r)) }, stops);
    const until = Date.now() + maxMs;
    while (Date.now() < until && !enough(out)) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await stops.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
