import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSimulatedCentral } from '../../../src/transport/ble/noble-central.js';
import type { BleCentral } from '../../../src/transport/ble/types.js';
import { CgmsSession } from '../../../drivers/cgm-cgms/session.js';
import { createCgmSimulator, type CgmSimOptions, type CgmSimulator } from '../../../drivers/cgm-cgms/simulator.js';
import { advance, fakeDriverContext, flush, type FakeDriverContext } from '../../helpers/fake-driver-context.js';
import type { DeviceConfig } from '../../../src/config/schema.js';

export const ADDRESS = 'C4:7A:11:02:33:9E';

export interface Rig {
  clock: FakeClock;
  sim: CgmSimulator;
  central: BleCentral;
  ctx: FakeDriverContext;
  session: CgmsSession;
  /** Start a new driver session object over the same persisted state (a hub restart). */
  restartHub(): Promise<void>;
  stop(): Promise<void>;
}

export async function rig(o: Partial<CgmSimOptions> & { options?: Partial<DeviceConfig['options']>; synced?: boolean } = {}): Promise<Rig> {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 10, 0, 0), o.synced ?? true);
  const log = silentLogger();
  const sim = createCgmSimulator({ clock, log, address: ADDRESS, ...o });
  const { central } = createSimulatedCentral([sim], { log, clock });
  const ctx = fakeDriverContext({
    clock, ble: central,
    device: { id: 'cgm-1', kind: 'cgm', transport: 'ble', address: ADDRESS, options: o.options as DeviceConfig['options'] },
  });
  const r: Rig = {
    clock, sim, central, ctx,
    session: new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000 }),
    async restartHub() {
      await r.session.stop();
      r.session = new CgmsSession(ctx, { backoffMinMs: 500, backoffMaxMs: 2000 });
      await r.session.start();
    },
    async stop() { await r.session.stop(); sim.stop(); await central.close(); },
  };
  await r.session.start();
  return r;
}

/** Advance in steps until `cond` holds (or fail after `maxMs` of fake time). */
export async function until(r: Rig, cond: () => boolean, maxMs = 120_000, stepMs = 250): Promise<void> {
  for (let t = 0; t < maxMs; t += stepMs) {
    if (cond()) return;
    await advance(r.clock, stepMs, stepMs);
    await flush(5);
  }
  if (!cond()) throw new Error('condition not reached in fake time');
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
