import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAlarms } from '../../src/alarms/defaults.js';
import { AlarmEngine } from '../../src/alarms/engine.js';
import { TECHNICAL_CATALOGUE, technicalPriority } from '../../src/alarms/technical-catalogue.js';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatedCentral } from '../../src/transport/ble/noble-central.js';
import type { BleCentral } from '../../src/transport/ble/types.js';
import { PlxsSimulator } from '../../drivers/oximeter-plxs/simulator.js';
import { CGM_CONDITIONS } from '../../drivers/cgm-cgms/annunciations.js';
import { advance, fakeDriverContext, flush } from '../helpers/fake-driver-context.js';

const log = silentLogger();
const ROOT = join(import.meta.dirname, '..', '..');
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

/** A real alarm engine with the shipped rules; the events it emits. */
function engine(clock: FakeClock): { engine: AlarmEngine; events: AlarmEvent[] } {
  const events: AlarmEvent[] = [];
  const e = new AlarmEngine({ rules: resolveAlarms(undefined), hubId: 'hub-test', clock, log, annunciators: [], onEvent: (ev) => events.push(ev), onActive: () => undefined });
  e.start();
  cleanup.push(async () => e.stop());
  return { engine: e, events };
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('the technical-priority table is the one source of priorities', () => {
  it('ble_adapter_unavailable from the real central reaches the engine at high', async () => {
    const clock = new FakeClock();
    const { engine: e, events } = engine(clock);
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const { central, bindings } = createSimulatedCentral([sim], { log, clock, technical: (c) => e.technical(c) });
    cleanup.push(async () => { sim.stop(); await central.close(); });
    await flush();
    bindings.setAdapterState('poweredOff');
    await flush();
    expect(events.map((ev) => `${ev.event}:${ev.condition}:${ev.priority}`)).toEqual(['raised:ble_adapter_unavailable:high']);
    bindings.setAdapterState('poweredOn');
    await flush();
    expect(e.active().some((a) => a.condition === 'ble_adapter_unavailable')).toBe(false);
  });

  it('ble_adapter_stuck from the real central reaches the engine at high', async () => {
    const clock = new FakeClock();
    const { engine: e } = engine(clock);
    const sim = new PlxsSimulator({ address: '00:1C:05:FF:4E:21', clock, scenario: 'normal', spotCheckEveryMs: 0 });
    const { central } = createSimulatedCentral([sim], { log, clock, stuckAfterMs: 60_000, technical: (c) => e.technical(c) });
    cleanup.push(async () => { sim.stop(); await central.close(); });
    await flush();
    sim.setInRange(false);
    const c: BleCentral = central;
    let trying = true;
    const loop = (async () => { while (trying) { await c.connect('00:1C:05:FF:4E:21', 5000).then((x) => x.disconnect(), () => undefined); await new Promise((r) => setImmediate(r)); } })();
    await advance(clock, 4.5 * 60_000, 1000);
    expect(e.active().find((a) => a.condition === 'ble_adapter_stuck')?.priority).toBe('high');
    trying = false;
    await advance(clock, 10_000, 1000);
    await loop;
  });

  it('the driver context adds the device kind: ventilator conditions are high, the same codes of an oximeter medium', () => {
    const vent = fakeDriverContext({ device: { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus' } });
    const oxi = fakeDriverContext({ device: { id: 'oxi-1', kind: 'oximeter' } });
    for (const ctx of [vent, oxi]) {
      ctx.technical({ code: 'serial_port_gone', active: true, text: 'port gone' });
      ctx.linkFact({ fact: 'lost', detail: 'test' });
    }
    expect([vent.active('serial_port_gone')?.priority, vent.active('link_lost')?.priority]).toEqual(['high', 'high']);
    expect([oxi.active('serial_port_gone')?.priority, oxi.active('link_lost')?.priority]).toEqual(['medium', 'medium']);
  });

  it('stale_data takes the kind of its metric: ventilator metrics high, SpO2 medium', () => {
    expect(technicalPriority({ code: 'stale_data', metric: 'paw_peak' }, {})).toBe('high');
    expect(technicalPriority({ code: 'stale_data', metric: 'spo2' }, {})).toBe('medium');
    expect(technicalPriority({ code: 'stale_data', metric: 'glucose' }, {})).toBe('medium');
    expect(technicalPriority({ code: 'stale_data', metric: 'paw_peak' }, { stale_data: 'low' })).toBe('low'); // config override
  });

  it('every code the hub and its drivers raise is in the table, with the lead\'s priorities; no reporter sets a priority', () => {
    // FHIR codings (`code: 'phd'`) are not technical conditions: the FHIR encoders are left out
    const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'drivers'))]
      .filter((f) => !f.includes(`${join('src', 'alarms', 'config-schema')}`) && !/[\\/]fhir-[a-z-]+\.ts$/.test(f));
    const raised = new Set<string>();
    const withPriority: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/code: '([a-z_]+)'/g)) if (m[1] !== 'custom') raised.add(m[1]!);
      for (const line of text.split('\n')) if (/code: '[a-z_]+'.*priority:/.test(line)) withPriority.push(`${f}: ${line.trim()}`);
      for (const m of text.matchAll(/setTech\('([a-z_]+)'/g)) raised.add(m[1]!);
    }
    for (const c of CGM_CONDITIONS) raised.add(c.code);
    expect(withPriority).toEqual([]);
    expect([...raised].filter((c) => !(c in TECHNICAL_CATALOGUE)).sort()).toEqual([]);
    const table: Record<string, string> = {
      ble_adapter_unavailable: 'high', ble_adapter_stuck: 'high', config_invalid: 'high', storage_full: 'high', storage_error: 'high',
      storage_replaced: 'high', storage_corrupt_recovered: 'high', storage_evicting: 'low', uplink_unavailable: 'medium', uplink_down: 'low',
      schedule_unavailable: 'low', local_page_unavailable: 'low', clock_unsynced: 'low', annunciator_failed: 'medium',
      control_socket_unavailable: 'medium', alarm_engine_fault: 'high',
    };
    for (const [code, p] of Object.entries(table)) expect(technicalPriority({ code }, {}), code).toBe(p);
    for (const code of ['link_lost', 'stale_data', 'serial_port_gone']) {
      expect(technicalPriority({ code, kind: 'ventilator' }, {}), code).toBe('high');
      expect(technicalPriority({ code, kind: 'oximeter' }, {}), code).toBe('medium');
      expect(technicalPriority({ code, kind: 'cgm' }, {}), code).toBe('medium');
    }
  });
});
