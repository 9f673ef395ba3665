import type { Measurement } from '../../src/core/reading.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import { superviseBleDevice, type BleLinkTuning } from '../shared/ble-device.js';
import { formatWallTime } from '../shared/ble-date-time.js';
import { toHex } from '../shared/codec.js';
import { localToUtcMs } from '../shared/local-time.js';
import { SPOT_LOST_AFTER_MS, SpotHelpers } from '../shared/spot-measurements.js';
import type { DriverContext, DriverSession } from '../types.js';
import { decodeWeightFeature, decodeWeightMeasurement, WSS, type WeightMeasurement } from './codec.js';

/**
 * Weight scale over the Weight Scale Service. On every (re)connect: read the Feature, set the
 * device clock (Current Time, synced hub only), enable Weight Measurement indications; the scale
 * indicates the weighings in its memory, then each new one. "Measurement unsuccessful" (0xFFFF)
 * gives no reading.
 *
 * Key: `w:<device time>|<raw weight>|<unit>|<user>` (BMI and height share the weighing's key);
 * without a time stamp `w-rx:<receive time>|…`.
 */
export function createWssSession(ctx: DriverContext, o: BleLinkTuning = {}): DriverSession {
  const log = ctx.log.child('session');
  const helpers = new SpotHelpers(ctx, log);
  let supervisor: { stop(): Promise<void> } | null = null;

  const toMeasurements = (m: WeightMeasurement): Measurement[] => {
    if (m.kg === null) { log.debug('weighing unsuccessful'); return []; }
    const values = `${m.raw}|${m.imperial ? 'lb' : 'kg'}|${m.userId ?? '-'}`;
    const rx = ctx.clock.now();
    const base: Omit<Measurement, 'metric' | 'value'> = m.timestamp
      ? { t: localToUtcMs(m.timestamp, ctx.timeZone), deviceTime: true, key: `w:${formatWallTime(m.timestamp)}|${values}` }
      : { t: rx, key: `w-rx:${rx}|${values}` };
    if (m.timestamp && helpers.isHistory(base.t ?? rx)) base.flags = ['stored'];
    const out: Measurement[] = [{ ...base, metric: 'body_weight', value: m.kg }];
    if (m.bmi !== null && m.bmi > 0) out.push({ ...base, metric: 'bmi', value: m.bmi });
    if (m.heightM !== null && m.heightM > 0) out.push({ ...base, metric: 'body_height', value: m.heightM });
    return out;
  };

  const onMeasurement = (data: Uint8Array): void => {
    const d = decodeWeightMeasurement(data);
    if (!d.ok) { ctx.reject({ reason: d.reason, at: d.at, hex: toHex(data), where: 'weight-measurement' }); return; }
    if (!helpers.isPatient(d.value.userId)) return;
    const ms = toMeasurements(d.value);
    if (ms.length) ctx.submit(ms).catch(() => undefined); // the context logs failing submits once; ids make a re-send harmless
  };

  async function run(conn: BleConnection): Promise<void> {
    if (conn.has(WSS.service, WSS.feature)) {
      const raw = await conn.read(WSS.service, WSS.feature);
      const f = decodeWeightFeature(raw);
      if (!f.ok) ctx.reject({ reason: f.reason, at: f.at, hex: toHex(raw), where: 'weight-feature' });
      else log.debug({ features: f.value.raw }, 'weight scale feature');
    }
    await helpers.setClock(conn);
    await conn.subscribe(WSS.service, WSS.measurement, onMeasurement);
  }

  return {
    async start() { supervisor = superviseBleDevice(ctx, log, run, { lostAfterMs: SPOT_LOST_AFTER_MS, ...o }); },
    async stop() { await supervisor?.stop(); supervisor = null; },
  };
}
