import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAlarms } from '../../src/alarms/defaults.js';
import { FAULT_CLEAR_MS } from '../../src/alarms/engine-fault.js';
import { AlarmEngine } from '../../src/alarms/engine.js';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { metricSpec } from '../../src/core/metrics/index.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Watchdog } from '../../src/health/watchdog.js';
import { hubHealthChecks } from '../../src/hub/health-checks.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Store } from '../../src/store/store.js';

/**
 * Hazard "alarm-engine exception" (docs/SAFETY.md): a programming error inside the evaluation of
 * one metric must not lose the reading, silence the other metrics, or pass unnoticed; a tick that
 * keeps throwing must stop the systemd watchdog pings so the service is restarted.
 * Real AlarmEngine (shipped rules), Pipeline and SQLite Store; the fault is injected through the
 * engine's own metric-info option, which the engine consults while evaluating.
 */
describe('alarm engine exceptions', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  function rig(): { clock: FakeClock; engine: AlarmEngine; pipeline: Pipeline; store: Store; events: AlarmEvent[]; broken: Set<string> } {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-engine-fault-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const broken = new Set<string>();
    const events: AlarmEvent[] = [];
    const store = Store.open({ path: join(dir, 'c.db'), maxBytes: 64_000_000, retainSentHours: 1, log: silentLogger(), clock: new SystemClock(true), onTechnical: () => {} });
    const engine = new AlarmEngine({
      rules: resolveAlarms(undefined), hubId: 'hub-t', clock, log: silentLogger(), annunciators: [],
      metric: (name) => {
        if (broken.has(name)) throw new Error(`no metric info for ${name}`);
        const s = metricSpec(name);
        return s ? { intervalS: s.intervalS, label: s.label, unit: s.unit } : undefined;
      },
      onEvent: (ev) => events.push(ev),
      onActive: () => {},
    });
    engine.start();
    const pipeline = new Pipeline({ clock, log: silentLogger(), alarms: engine, sink: store });
    return { clock, engine, pipeline, store, events, broken };
  }

  const raised = (events: AlarmEvent[], condition: string): AlarmEvent[] => events.filter((e) => e.event === 'raised' && e.condition === condition);

  it('a reading whose evaluation throws is still stored, raises alarm_engine_fault (high), and other metrics still alarm', async () => {
    const r = rig();
    r.broken.add('spo2');
    await r.pipeline.submit('oxi-1', 'oximeter', [{ metric: 'spo2', value: 80 }, { metric: 'pulse_rate', value: 190 }]);
    expect(r.store.depth().total).toBe(2);
    const fault = raised(r.events, 'alarm_engine_fault');
    expect(fault).toHaveLength(1);
    expect(fault[0]!.priority).toBe('high');
    expect(fault[0]!.text).toContain('no metric info for spo2');
    // the pulse rule of the same batch was evaluated: its alarm comes after its condition delay
    for (let i = 0; i < 30; i++) { r.clock.advance(1000); await r.pipeline.submit('oxi-1', 'oximeter', [{ metric: 'pulse_rate', value: 190 }]); }
    expect(raised(r.events, 'pulse_rate_high').length).toBe(1);
    r.engine.stop();
    r.store.close();
  });

  it('a tick that keeps throwing stops the watchdog pings; the fault clears after a clean minute', async () => {
    const r = rig();
    const checks = hubHealthChecks(r.clock, r.engine, r.store);
    const watchdog = new Watchdog({ clock: r.clock, log: silentLogger(), checks, env: {} });
    await r.pipeline.submit('oxi-1', 'oximeter', [{ metric: 'spo2', value: 97 }]);
    r.clock.advance(2000);
    expect(watchdog.beat()).toBe(true);

    r.broken.add('spo2'); // every tick now throws while evaluating the spo2 source
    r.clock.advance(6000);
    expect(watchdog.beat()).toBe(false);
    expect(r.engine.active().find((a) => a.condition === 'alarm_engine_fault')?.priority).toBe('high');

    r.broken.delete('spo2');
    r.clock.advance(2000);
    expect(watchdog.beat()).toBe(true);
    expect(r.engine.active().some((a) => a.condition === 'alarm_engine_fault')).toBe(true); // not yet: needs a clean minute
    r.clock.advance(FAULT_CLEAR_MS + 1000);
    expect(r.engine.active().some((a) => a.condition === 'alarm_engine_fault')).toBe(false);
    expect(r.engine.faultCount).toBeGreaterThanOrEqual(6);
    r.engine.stop();
    r.store.close();
  });
});
