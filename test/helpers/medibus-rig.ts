import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { SerialLink, SerialOpener } from '../../src/transport/serial/types.js';
import { MedibusFramer } from '../../drivers/ventilator-medibus/framer.js';
import type { MedibusFrame } from '../../drivers/ventilator-medibus/codec.js';
import { MedibusSession, type MedibusSessionOptions } from '../../drivers/ventilator-medibus/session.js';
import { MedibusSimDevice, type SimDeviceOptions } from '../../drivers/ventilator-medibus/sim-device.js';
import { fakeDriverContext, type FakeDriverContext } from './fake-driver-context.js';
import { memoryLinkPair } from './pty.js';

/**
 * A MEDIBUS session against the simulated device over an in-memory null-modem cable, on a
 * FakeClock: deterministic and fast. `pull()` cuts the cable; the port stays gone until
 * `plugIn()`. Host → device frames are recorded in `hostFrames`.
 */
export interface MedibusRig {
  clock: FakeClock;
  ctx: FakeDriverContext;
  session: MedibusSession;
  device: MedibusSimDevice;
  hostFrames: MedibusFrame[];
  opens: number;
  pull(): void;
  plugIn(): void;
}

export function medibusRig(o: {
  scenario?: SimDeviceOptions['scenario'];
  sim?: Partial<SimDeviceOptions>;
  session?: MedibusSessionOptions;
  waveform?: boolean;
} = {}): MedibusRig {
  const clock = new FakeClock();
  const log = silentLogger();
  const device = new MedibusSimDevice({ scenario: o.scenario ?? 'normal', clock, log, ...o.sim });
  const ctx = fakeDriverContext({
    clock,
    serialPath: 'mem://vent-1',
    device: { id: 'vent-1', kind: 'ventilator', transport: 'serial', protocol: 'medibus', options: { waveform: o.waveform ?? false, waveformHz: 25 } as never },
  });
  const hostFrames: MedibusFrame[] = [];
  const spy = new MedibusFramer({ frame: (f) => hostFrames.push(f), realtime: () => {}, reject: () => {} });
  let plugged = true;
  let host: (SerialLink & { cut(): void }) | null = null;
  const rig: MedibusRig = {
    clock, ctx, device, hostFrames, opens: 0,
    session: undefined as unknown as MedibusSession,
    pull() { plugged = false; host?.cut(); },
    plugIn() { plugged = true; },
  };
  const open: SerialOpener = async () => {
    if (!plugged) return { ok: false, reason: 'ENOENT: no such file or directory' };
    const pair = memoryLinkPair();
    host = pair.host;
    pair.device.onData((b) => { spy.push(b); device.input(b); });
    device.attach((b) => { void pair.device.write(b); });
    rig.opens++;
    return { ok: true, link: pair.host };
  };
  rig.session = new MedibusSession(ctx, { minBackoffMs: 200, maxBackoffMs: 1000, ...o.session, open });
  device.start();
  return rig;
}
