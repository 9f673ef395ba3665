import type { Measurement } from '../../src/core/reading.js';
import { superviseBleDevice } from '../shared/ble-device.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import { toHex } from '../shared/codec.js';
import type { DriverContext, DriverSession } from '../types.js';
import { BERRYMED, BerryFramer, decodeFrame, type BerryFrame } from './codec.js';
import { StreamReducer } from './reducer.js';

export interface BerrymedSessionOptions { backoffMinMs?: number; backoffMaxMs?: number; lostAfterMs?: number }

/**
 * BerryMed session: subscribe to the transparent-UART notify characteristic, find frames,
 * map finger-out and probe-unplugged to technical conditions (on transition), and reduce the
 * stream to options.readingRateHz readings plus, with options.waveform, a pleth waveform.
 */
export function createBerrymedSession(ctx: DriverContext, o: BerrymedSessionOptions = {}): DriverSession {
  const log = ctx.log.child('session');
  const opts = ctx.device.options;
  let supervisor: { stop(): Promise<void> } | null = null;
  const tech = new Map<string, boolean>();
  const reducer = newReducer();

  function newReducer(): StreamReducer {
    return new StreamReducer({ readingRateHz: opts.readingRateHz || 1, waveform: opts.waveform, waveformHz: opts.waveformHz || 25 });
  }
  const submit = (ms: Measurement[]): void => {
    if (ms.length === 0) return;
    ctx.submit(ms).catch(() => undefined); // the context logs failing submits once; the store holds and alarms
  };
  const setTech = (code: string, active: boolean, text: string): void => {
    if ((tech.get(code) ?? false) === active) return;
    tech.set(code, active);
    log.info({ code, active }, 'device technical condition');
    ctx.technical({ code, active, text: active ? text : `${text}: resolved` });
  };
  const onFrame = (raw: Uint8Array): void => {
    const d = decodeFrame(raw);
    if (!d.ok) { ctx.reject({ reason: d.reason, at: d.at, hex: toHex(raw), where: 'berrymed' }); return; }
    const f: BerryFrame = d.value;
    setTech('sensor_disconnected', f.probeUnplugged, 'Oximeter probe unplugged');
    setTech('sensor_off_finger', !f.probeUnplugged && f.fingerOut, 'Oximeter sensor not on the finger');
    submit(reducer.push(f, ctx.clock.mono(), ctx.clock.now()));
  };

  async function run(conn: BleConnection): Promise<void> {
    const framer = new BerryFramer();
    let skipped = 0;
    conn.onDisconnect(() => submit(reducer.flush()));
    await conn.subscribe(BERRYMED.service, BERRYMED.notify, (chunk) => {
      framer.push(chunk, onFrame);
      if (framer.skipped !== skipped) {
        ctx.reject({ reason: 'framing', at: 0, hex: toHex(chunk), where: 'berrymed-framer' });
        skipped = framer.skipped;
      }
    });
  }

  return {
    async start() {
      supervisor = superviseBleDevice(ctx, log, run, o);
    },
    async stop() { await supervisor?.stop(); supervisor = null; },
  };
}
