import { FakeClock } from '../../../src/core/clock.js';
import type { BleCentral } from '../../../src/transport/ble/types.js';
import { CgmsSession } from '../../../drivers/cgm-cgms/session.js';
import { createCgmSimulator, type CgmSimOptions, type CgmSimulator } from '../../../drivers/cgm-cgms/simulator.js';
import { fakeDriverContext, type FakeDriverContext } from '../../helpers/fake-driver-context.js';
import type { BleBench } from '../shared/ble-bench.js';
import type { DeviceConfig } from '../../../src/config/schema.js';
import type { Measurement } from '../../../src/core/reading.js';

export const ADDRESS = 'C4:7A:11:02:33:9E';

/**
 * A CGMS driver session against the simulated sensor, on a BLE bench (test/drivers/shared/ble-bench.ts):
 * noble's simulated HCI bindings or noble's D-Bus bindings against the mock bluez5. The sensor asks
 * for an encrypted link (its default); the bench serves it bonded, as after `carehub pair`.
 */
export interface Rig {
  bench: BleBench;
  clock: FakeClock;
  sim: CgmSimulator;
  central: BleCentral;
  ctx: FakeDriverContext;
  /** What resolved submits made durable, by `metric|key` (a re-read with other content throws). */
  stored: Map<string, Measurement>;
  session: CgmsSession;
  /** Start a new driver session object over the same persisted state (a hub restart). */
  restartHub(): Promise<void>;
  stop(): Promise<void>;
}

export interface RigOptions extends Partial<CgmSimOptions> {
  options?: Partial<DeviceConfig['options']>;
  synced?: boolean;
  /** Runs inside ctx.submit; return a never-settling promise to model a hub that dies mid-store. */
  onSubmit?: (ms: Measurement[]) => Promise<void> | void;
}

export async function rig(bench: BleBench, o: RigOptions = {}): Promise<Rig> {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), o.synced ?? true);
  const log = bench.log;
  const sim = createCgmSimulator({ clock, log, address: ADDRESS, ...o });
  let h;
  try { h = await bench.central([sim], clock); } catch (e) { sim.stop(); throw e; }
  const central = h.central;
  const stored = new Map<string, Measurement>();
  const ctx = fakeDriverContext({
    clock, log, ble: central,
    onSubmit: async (ms) => {
      if (o.onSubmit) await o.onSubmit(ms);
      for (const m of ms) {
        const id = `${m.metric}|${m.key ?? ''}`;
        const had = stored.get(id);
        if (had && (had.value !== m.value || had.t !== m.t)) throw new Error(`same id ${id}, different content`);
        stored.set(id, m);
      }
    },
    device: { id: 'cgm-1', kind: 'cgm', transport: 'ble', address: ADDRESS, options: o.options as DeviceConfig['options'] },
  });
  const close = h.close;
  const r: Rig = {
    bench, clock, sim, central, ctx, stored,
    session: new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000 }),
    async restartHub() {
      await r.session.stop();
      r.session = new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000 });
      await r.session.start();
    },
    async stop() { await r.session.stop(); sim.stop(); await close(); },
  };
  await r.session.start();
  return r;
}

/** Advance in steps until `cond` holds (or fail after `maxMs` of fake time). */
export async function until(r: Rig, cond: () => boolean, maxMs = 120_000, stepMs = 250): Promise<void> {
  for (let t = 0; t < maxMs; t += stepMs) {
    if (cond()) return;
    await r.bench.advance(r.clock, stepMs, stepMs); // (over D-Bus each step ends with the bus quiet)
    if (r.bench.kind === 'hci-sim') await r.bench.settle();
  }
  if (!cond()) throw new Error(`condition not reached in ${maxMs} ms of fake time (${r.bench.kind}: link ${r.ctx.link()}, cursor ${cursorOf(r.ctx)}, sensor's last record ${r.sim.model.records.at(-1)?.offset}, ${r.ctx.rejections.length} rejections)`);
}

export function glucoseKeys(ctx: FakeDriverContext): string[] {
  return ctx.metric('glucose').map((m) => m.key ?? '');
}

export function offsetsOf(keys: string[]): number[] {
  return keys.map((k) => Number(/off:(\d+)$/.exec(k)?.[1] ?? NaN));
}

export function cursorOf(ctx: FakeDriverContext): number | null {
  const raw = ctx.stateStore.get('cgms.session');
  return raw ? (JSON.parse(raw) as { cursor: number | null }).cursor : null;
}

/** Stored glucose keys (`session:..|off:..`), sorted by session then offset. */
export function storedGlucoseKeys(r: Rig): string[] {
  return [...r.stored.values()].filter((m) => m.metric === 'glucose').map((m) => m.key ?? '')
    .sort((a, b) => a.localeCompare(b) || offsetsOf([a])[0]! - offsetsOf([b])[0]!);
}

/** Offsets of the sensor's own store. */
export function sensorOffsets(r: Rig): number[] {
  return r.sim.model.records.map((x) => x.offset);
}

export function storedOffsets(r: Rig, sessionId?: string): number[] {
  return [...r.stored.values()]
    .filter((m) => m.metric === 'glucose' && (!sessionId || (m.key ?? '').startsWith(`session:${sessionId}|`)))
    .map((m) => offsetsOf([m.key ?? ''])[0] ?? -1)
    .sort((a, b) => a - b);
}

export function sessionIdOf(r: Rig): string | null {
  const raw = r.ctx.stateStore.get('cgms.session');
  return raw ? (JSON.parse(raw) as { id: string }).id : null;
}
