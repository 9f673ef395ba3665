import type { Measurement, ReadingFlag } from '../../src/core/reading.js';
import { superviseBleDevice } from '../shared/ble-device.js';
import { withTimeout } from '../../src/transport/ble/timeout.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import { toHex } from '../shared/codec.js';
import { localToUtcMs } from '../shared/local-time.js';
import { decodeRacp, describeRacp, encodeRacp, RacpOp, RacpOperator } from '../shared/racp.js';
import type { DriverContext, DriverSession } from '../types.js';
import { decodeContinuous, decodeFeatures, decodeSpotCheck, Feature, formatDateTime, PLXS, type PlxSpotCheck } from './codec.js';
import { flagsFor, MS, TECHNICAL } from './status.js';

export interface PlxsSessionOptions {
  backoffMinMs?: number;
  backoffMaxMs?: number;
  lostAfterMs?: number;
  /** How long to wait for the RACP "report all records" procedure to finish (default 30 s). */
  racpTimeoutMs?: number;
}

/**
 * PLXS session: on every (re)connect read Features, subscribe to Continuous (notify) and
 * Spot-check (indicate), then fetch stored spot-checks with RACP "report all records".
 *
 * Keys (→ deterministic reading ids):
 * - Continuous: the device sends no counter or time, so `t` is the hub receive time and the
 *   key is `c:<t>:<monotonic slot>`. At most one continuous reading per period
 *   (1 / options.readingRateHz, on the monotonic clock) is forwarded; the rest are redundant.
 *   A wall clock that steps backwards can neither drop a reading nor reuse a key.
 * - Spot-check with a timestamp: `s:<device timestamp>`; a stored record re-read after a
 *   reconnect gets the same key, so the backend de-duplicates it. Without one: `s-rx:<rx>`.
 *   The timestamp is the device's local wall time; `t` reads it in ctx.timeZone (hub.timezone).
 */
export function createPlxsSession(ctx: DriverContext, o: PlxsSessionOptions = {}): DriverSession {
  const log = ctx.log.child('session');
  const periodMs = Math.round(1000 / (ctx.device.options.readingRateHz || 1));
  const techState = new Map<string, boolean>();
  let lastSlot = -1;
  let supervisor: { stop(): Promise<void> } | null = null;

  const submit = (ms: Measurement[]): void => {
    if (ms.length === 0) return;
    ctx.submit(ms).catch(() => undefined); // the context logs failing submits once; the store holds and alarms
  };
  const rejectFrame = (where: string, data: Uint8Array, r: { reason: string; at: number }): void => {
    ctx.reject({ reason: r.reason, at: r.at, hex: toHex(data), where });
  };
  const applyTechnical = (dss: number | null): void => {
    if (dss === null) return;
    for (const t of TECHNICAL) {
      const active = (dss & t.bits) !== 0;
      if ((techState.get(t.code) ?? false) === active) continue;
      techState.set(t.code, active);
      log.info({ code: t.code, active }, 'device technical condition');
      ctx.technical({ code: t.code, active, text: active ? t.text : `${t.text}: resolved` });
    }
  };
  const measurements = (v: { spo2: number | null; pr: number | null; pai: number | null }, base: Omit<Measurement, 'metric' | 'value'>): Measurement[] => {
    const out: Measurement[] = [];
    if (v.spo2 !== null) out.push({ ...base, metric: 'spo2', value: v.spo2 });
    if (v.pr !== null) out.push({ ...base, metric: 'pulse_rate', value: v.pr });
    if (v.pai !== null) out.push({ ...base, metric: 'perfusion_index', value: v.pai });
    return out;
  };

  const onContinuous = (data: Uint8Array): void => {
    const d = decodeContinuous(data);
    if (!d.ok) { rejectFrame('plx-continuous', data, d); return; }
    const m = d.value;
    applyTechnical(m.deviceSensorStatus);
    // Rate limiting runs on the monotonic clock: a wall clock stepping backwards must neither
    // drop readings nor give two readings one key. Key = wall time + monotonic slot.
    const slot = Math.floor(ctx.clock.mono() / periodMs) * periodMs;
    if (slot === lastSlot) return;
    lastSlot = slot;
    const t = ctx.clock.now();
    const flags = flagsFor(m.measurementStatus, m.deviceSensorStatus);
    submit(measurements({ spo2: m.spo2.value, pr: m.pr.value, pai: m.pai?.value ?? null }, { t, key: `c:${t}:${slot}`, ...(flags.length ? { flags } : {}) }));
  };

  const onSpotCheck = (data: Uint8Array): void => {
    const d = decodeSpotCheck(data);
    if (!d.ok) { rejectFrame('plx-spot-check', data, d); return; }
    const m: PlxSpotCheck = d.value;
    const stored = ((m.measurementStatus ?? 0) & MS.storage) !== 0;
    if (!stored) applyTechnical(m.deviceSensorStatus);
    const flags: ReadingFlag[] = flagsFor(m.measurementStatus, m.deviceSensorStatus);
    if (m.clockNotSet) flags.push('device-clock-not-set');
    const rx = ctx.clock.now();
    let base: Omit<Measurement, 'metric' | 'value'>;
    if (m.timestamp) {
      const ts = m.timestamp;
      // Local wall time of the device (no zone on the air): read in the hub's zone. The key stays
      // the device's own fields, so a re-read record keeps its id whatever the zone rules say.
      const key = `s:${formatDateTime(ts)}`;
      base = m.clockNotSet ? { t: rx, key } : { t: localToUtcMs(ts, ctx.timeZone), deviceTime: true, key };
    } else base = { t: rx, key: `s-rx:${rx}` };
    if (flags.length) base.flags = flags;
    submit(measurements({ spo2: m.spo2.value, pr: m.pr.value, pai: m.pai?.value ?? null }, base));
  };

  async function fetchStored(conn: BleConnection): Promise<void> {
    let done!: (code: number) => void;
    const finished = new Promise<number>((r) => { done = r; });
    await conn.subscribe(PLXS.service, PLXS.racp, (data) => {
      const d = decodeRacp(data);
      if (!d.ok) { rejectFrame('racp', data, d); return; }
      log.debug(describeRacp(d.value));
      if (d.value.opcode === RacpOp.responseCode && d.value.requestOpcode === RacpOp.report) done(d.value.responseCode ?? 0);
    });
    await conn.write(PLXS.service, PLXS.racp, encodeRacp(RacpOp.report, RacpOperator.all));
    const code = await withTimeout(finished, o.racpTimeoutMs ?? 30_000, ctx.clock, 'RACP report stored records');
    log.info({ response: code }, 'stored spot-checks fetched');
  }

  async function run(conn: BleConnection): Promise<void> {
    let features = 0xffff;
    if (conn.has(PLXS.service, PLXS.features)) {
      const raw = await conn.read(PLXS.service, PLXS.features);
      const f = decodeFeatures(raw);
      if (f.ok) features = f.value.supported;
      else rejectFrame('plx-features', raw, f);
    }
    if (conn.has(PLXS.service, PLXS.continuous)) await conn.subscribe(PLXS.service, PLXS.continuous, onContinuous);
    if (conn.has(PLXS.service, PLXS.spotCheck)) await conn.subscribe(PLXS.service, PLXS.spotCheck, onSpotCheck);
    if (conn.has(PLXS.service, PLXS.racp) && features & Feature.storage) await fetchStored(conn);
  }

  return {
    async start() {
      supervisor = superviseBleDevice(ctx, log, run, o);
    },
    async stop() {
      await supervisor?.stop();
      supervisor = null;
    },
  };
}
