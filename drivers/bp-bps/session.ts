import type { Measurement, ReadingFlag } from '../../src/core/reading.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import { superviseBleDevice, type BleLinkTuning } from '../shared/ble-device.js';
import { formatWallTime } from '../shared/ble-date-time.js';
import { toHex } from '../shared/codec.js';
import { localToUtcMs } from '../shared/local-time.js';
import { SPOT_LOST_AFTER_MS, SpotHelpers } from '../shared/spot-measurements.js';
import type { DriverContext, DriverSession } from '../types.js';
import { BPS, BpStatus, decodeBpFeature, decodeBpMeasurement, toMmHg, type BpMeasurement } from './codec.js';

/**
 * Blood pressure monitor over the Blood Pressure Service. On every (re)connect: read the
 * Feature, set the device clock (Current Time, synced hub only), enable Blood Pressure
 * Measurement indications. The monitor then indicates every measurement in its memory and each
 * new one. Intermediate Cuff Pressure (the cuff inflating) is not subscribed: it is no measurement.
 *
 * Key (→ reading id): `bp:<device time>|<sys>/<dia>/<map>|<pulse>|<user>`: a measurement
 * indicated again (after a lost confirmation, a reconnect, a hub restart) gets the same id.
 * Without a time stamp: `bp-rx:<receive time>|<values>` (re-sends cannot be recognised).
 */
export function createBpsSession(ctx: DriverContext, o: BleLinkTuning = {}): DriverSession {
  const log = ctx.log.child('session');
  const helpers = new SpotHelpers(ctx, log);
  let supervisor: { stop(): Promise<void> } | null = null;

  const toMeasurements = (m: BpMeasurement): Measurement[] => {
    const sys = toMmHg(m.systolic, m.unit);
    const dia = toMmHg(m.diastolic, m.unit);
    const map = toMmHg(m.map, m.unit);
    const pulse = m.pulse?.value ?? null;
    const values = `${sys}/${dia}/${map}|${pulse}|${m.userId ?? '-'}`;
    const rx = ctx.clock.now();
    const base: Omit<Measurement, 'metric' | 'value'> = m.timestamp
      ? { t: localToUtcMs(m.timestamp, ctx.timeZone), deviceTime: true, key: `bp:${formatWallTime(m.timestamp)}|${values}` }
      : { t: rx, key: `bp-rx:${rx}|${values}` };
    const flags: ReadingFlag[] = [];
    if (m.timestamp && helpers.isHistory(base.t ?? rx)) flags.push('stored');
    const s = m.status ?? 0;
    if (s & (BpStatus.bodyMovement | BpStatus.cuffLoose | BpStatus.position)) flags.push('questionable');
    if (flags.length) base.flags = flags;
    const out: Measurement[] = [];
    if (sys !== null) out.push({ ...base, metric: 'bp_systolic', value: sys });
    if (dia !== null) out.push({ ...base, metric: 'bp_diastolic', value: dia });
    if (map !== null) out.push({ ...base, metric: 'bp_mean', value: map });
    if (pulse !== null) out.push({ ...base, metric: 'bp_pulse_rate', value: pulse });
    return out;
  };

  const onMeasurement = (data: Uint8Array): void => {
    const d = decodeBpMeasurement(data);
    if (!d.ok) { ctx.reject({ reason: d.reason, at: d.at, hex: toHex(data), where: 'bp-measurement' }); return; }
    if (!helpers.isPatient(d.value.userId)) return;
    const ms = toMeasurements(d.value);
    if (ms.length) ctx.submit(ms).catch(() => undefined); // the context logs failing submits once; ids make a re-send harmless
  };

  async function run(conn: BleConnection): Promise<void> {
    if (conn.has(BPS.service, BPS.feature)) {
      const raw = await conn.read(BPS.service, BPS.feature);
      const f = decodeBpFeature(raw);
      if (!f.ok) ctx.reject({ reason: f.reason, at: f.at, hex: toHex(raw), where: 'bp-feature' });
      else log.debug({ features: f.value }, 'blood pressure feature');
    }
    await helpers.setClock(conn);
    await conn.subscribe(BPS.service, BPS.measurement, onMeasurement);
  }

  return {
    async start() { supervisor = superviseBleDevice(ctx, log, run, { lostAfterMs: SPOT_LOST_AFTER_MS, ...o }); },
    async stop() { await supervisor?.stop(); supervisor = null; },
  };
}
