import type { Measurement, ReadingFlag } from '../../src/core/reading.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import { superviseBleDevice, type BleLinkTuning } from '../shared/ble-device.js';
import { addMinutes, formatWallTime } from '../shared/ble-date-time.js';
import { toHex } from '../shared/codec.js';
import { SPOT_LOST_AFTER_MS, SpotHelpers } from '../shared/spot-measurements.js';
import { localToUtcMs } from '../shared/local-time.js';
import type { DriverContext, DriverSession } from '../types.js';
import { GlsBackfill } from './backfill.js';
import { decodeGlucoseContext, decodeGlucoseFeature, decodeGlucoseMeasurement, GLS, GlsStatus, LOCATION_CONTROL, mmolL, TYPE_CONTROL, type GlucoseMeasurement } from './codec.js';

export interface GlsSessionOptions extends BleLinkTuning {
  /** RACP inactivity limit (default 10 s). */
  inactivityMs?: number;
}

const QUESTIONABLE = GlsStatus.sensorMalfunction | GlsStatus.sampleInsufficient | GlsStatus.stripInsertion | GlsStatus.stripType | GlsStatus.readInterrupted | GlsStatus.deviceFault;
/** Glucose Measurement type → metric (capillary samples only; other sample types are not the patient's finger-stick). */
const METRIC_BY_TYPE: Readonly<Record<number, string>> = { 1: 'capillary_glucose_wb', 2: 'capillary_glucose' };

/**
 * Blood glucose meter over the Glucose Service. On every (re)connect: read the Feature, set the
 * meter's clock (Current Time, synced hub only), subscribe Measurement, Context and RACP, then
 * backfill by sequence number (backfill.ts). Control-solution tests are not patient data.
 *
 * Key: `g:<sequence>|<base time>`; `t` = base time + time offset, the meter's wall time read in
 * hub.timezone. A meter whose time is unknown: `t` = receive time, flag `device-clock-not-set`.
 */
export function createGlsSession(ctx: DriverContext, o: GlsSessionOptions = {}): DriverSession {
  const log = ctx.log.child('session');
  const helpers = new SpotHelpers(ctx, log);
  let supervisor: { stop(): Promise<void> } | null = null;
  let skippedTypes = 0;

  const toMeasurement = (m: GlucoseMeasurement): Measurement | null => {
    const value = mmolL(m);
    if (value === null || m.type === null) return null;
    if (m.type === TYPE_CONTROL || m.location === LOCATION_CONTROL) { log.debug({ seq: m.sequence }, 'control-solution test: not patient data'); return null; }
    const metric = METRIC_BY_TYPE[m.type];
    if (!metric) { if (skippedTypes++ === 0) log.warn({ type: m.type }, 'glucose sample type is not capillary blood; not taken'); return null; }
    const flags: ReadingFlag[] = [];
    const s = m.status ?? 0;
    if (s & (GlsStatus.resultHigh | GlsStatus.resultLow)) flags.push('out-of-device-range');
    if (s & (GlsStatus.tempHigh | GlsStatus.tempLow)) flags.push('temperature');
    if (s & QUESTIONABLE) flags.push('questionable');
    if (s & GlsStatus.timeFault) flags.push('time-suspect');
    const key = `g:${m.sequence}|${m.baseTime ? formatWallTime(m.baseTime) : '-'}`;
    let when: Pick<Measurement, 't' | 'deviceTime'>;
    if (m.baseTime) {
      when = { t: localToUtcMs(addMinutes(m.baseTime, m.timeOffsetMin ?? 0), ctx.timeZone), deviceTime: true };
      if (helpers.isHistory(when.t ?? 0)) flags.push('stored');
    }
    else { when = { t: ctx.clock.now() }; flags.push('device-clock-not-set'); }
    return { metric, value, key, ...when, ...(flags.length ? { flags } : {}) };
  };

  async function run(conn: BleConnection): Promise<void> {
    const bf = new GlsBackfill({
      clock: ctx.clock, log, state: ctx.state, inactivityMs: o.inactivityMs ?? 10_000,
      writeRacp: (b) => conn.write(GLS.service, GLS.racp, b),
    });
    conn.onDisconnect((reason) => bf.racp.failAll(new Error(`link dropped: ${reason}`)));
    if (conn.has(GLS.service, GLS.feature)) {
      const raw = await conn.read(GLS.service, GLS.feature);
      const f = decodeGlucoseFeature(raw);
      if (!f.ok) ctx.reject({ reason: f.reason, at: f.at, hex: toHex(raw), where: 'glucose-feature' });
      else log.debug({ features: f.value }, 'glucose feature');
    }
    await helpers.setClock(conn);
    await conn.subscribe(GLS.service, GLS.measurement, (data) => {
      const d = decodeGlucoseMeasurement(data);
      if (!d.ok) { ctx.reject({ reason: d.reason, at: d.at, hex: toHex(data), where: 'glucose-measurement' }); bf.taint(); return; }
      const m = toMeasurement(d.value);
      const stored = m ? ctx.submit([m]) : Promise.resolve();
      stored.catch(() => undefined); // the context logs failing submits once; the backfill keeps its cursor
      bf.record(d.value.sequence, stored);
    });
    if (conn.has(GLS.service, GLS.context)) {
      await conn.subscribe(GLS.service, GLS.context, (data) => {
        const d = decodeGlucoseContext(data);
        if (!d.ok) ctx.reject({ reason: d.reason, at: d.at, hex: toHex(data), where: 'glucose-context' });
      });
    }
    await conn.subscribe(GLS.service, GLS.racp, (b) => { bf.racp.deliver(b); });
    const r = await bf.run();
    log.info({ result: r, cursor: bf.cursor() }, 'glucose records fetched');
  }

  return {
    async start() { supervisor = superviseBleDevice(ctx, log, run, { lostAfterMs: SPOT_LOST_AFTER_MS, ...o }); },
    async stop() { await supervisor?.stop(); supervisor = null; },
  };
}
