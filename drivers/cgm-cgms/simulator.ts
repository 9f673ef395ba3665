import type { Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/log.js';
import type { SimLink, SimPeripheral, SimSecurity, SimService } from '../../src/transport/ble/types.js';
import type { CrcVariant } from '../shared/crc.js';
import { encodeFeature, encodeRunTime, encodeStatus, FEATURE_E2E_CRC } from './codec-feature.js';
import { encodeRecord } from './codec-measurement.js';
import { decodeSessionStartTime, encodeSessionStartTime, sessionStartUtcMs } from './codec-session.js';
import { decodeRacp, racpCountResponse, racpResponse, RACP_OP, RACP_OPERATOR, RACP_RESPONSE, FILTER_TIME_OFFSET } from './racp-cgm.js';
import { parseScenario, SensorModel, type StoredRecord } from './sensor-model.js';
import { handleSocp } from './sim-socp.js';
import { CGMS } from './uuids.js';

/**
 * A simulated CGMS sensor (a SimPeripheral for the simulated noble bindings). It measures on
 * the injected clock into its own 14-day store, notifies live records, and answers RACP and
 * SOCP like a sensor: stored records are streamed as CGM Measurement notifications, packed
 * several per notification up to the MTU, yielding to the event loop between notifications
 * (a yield, not a delay: a backfill of 14 days takes well under a second).
 */
export interface CgmSimOptions {
  clock: Clock;
  log: Logger;
  scenario?: string;
  address?: string;
  name?: string;
  /** Measurement interval in minutes (1-5 typical). Default 5; `-fast` scenarios default to 1. */
  intervalMin?: number;
  /** E2E-CRC the sensor sends and expects (Feature bit 12). Null: no CRC. */
  crc?: CrcVariant | null;
  /** Send annunciation octets Warning first (nRF5 SDK sensors). */
  warningFirst?: boolean;
  /** ATT MTU; a notification carries at most MTU − 3 bytes. Default 185. */
  mtu?: number;
  /** The sensor knows the session start time itself (with time zone +1 h). Default false: the hub must set it. */
  knowsStartTime?: boolean;
  /** Whether the Session Start Time may be written. Default true. */
  startTimeWritable?: boolean;
  /** Start a session at creation. Default true. */
  autoStart?: boolean;
  /** LE security the CGM Service asks for. Default encrypted (the CGMS spec requires Security Mode 1 level 2+). */
  security?: SimSecurity;
}

export interface CgmSimulator extends SimPeripheral {
  readonly model: SensorModel;
  setInRange(v: boolean): void;
  /** Stop and start a new session (new id space on the hub side). */
  restartSession(): void;
  /** Counters for tests. */
  readonly stats: { racpRequests: number; notifications: number; aborts: number };
  sessionStartMs(): number | null;
  /** Fault injection: garble the next `n` measurement notifications (bad Size byte). */
  corruptNext(n: number): void;
}

export function createCgmSimulator(o: CgmSimOptions): CgmSimulator {
  const scenario = parseScenario(o.scenario ?? 'normal');
  const crc = o.crc ?? null;
  const warningFirst = o.warningFirst ?? false;
  const maxPayload = Math.max(20, (o.mtu ?? 185) - 3);
  const log = o.log.child('sim:cgm');
  let link: SimLink | null = null;
  let inRange = true;
  let streaming: { abort: boolean } | null = null;
  let start: { utcMs: number | null; tz: number; dst: number } = { utcMs: null, tz: -128, dst: 255 };
  const stats = { racpRequests: 0, notifications: 0, aborts: 0 };
  let corrupt = 0;

  const model = new SensorModel({
    clock: o.clock,
    scenario,
    intervalMin: o.intervalMin ?? (scenario.speed > 1 ? 1 : 5),
    onRecord: (r) => {
      if (link && model.notifyEnabled) send(CGMS.MEASUREMENT, encode(r));
    },
  });

  const encode = (r: StoredRecord): Uint8Array => encodeRecord(
    { glucoseMgDl: r.glucoseMgDl, timeOffsetMin: r.offset, trendMgDlMin: r.trendMgDlMin, qualityPct: r.qualityPct, annunciation: r.annunciation },
    crc, warningFirst,
  );
  const send = (ch: string, data: Uint8Array): void => {
    if (!link) return;
    stats.notifications++;
    if (ch === CGMS.MEASUREMENT && corrupt > 0) {
      corrupt--;
      const bad = data.slice();
      bad[0] = 0x05;
      link.notify(CGMS.SERVICE, ch, bad);
      return;
    }
    link.notify(CGMS.SERVICE, ch, data);
  };
  const later = (fn: () => void): void => { setImmediate(fn); };

  function newSession(): void {
    model.startSession();
    start = o.knowsStartTime ? { utcMs: Math.floor(o.clock.now() / 1000) * 1000, tz: 4, dst: 0 } : { utcMs: null, tz: -128, dst: 255 };
  }

  async function stream(records: StoredRecord[]): Promise<void> {
    const s = { abort: false };
    streaming = s;
    let i = 0;
    while (i < records.length) {
      if (s.abort || !link) break;
      const parts: Uint8Array[] = [];
      let size = 0;
      for (; i < records.length; i++) {
        const rec = records[i];
        if (!rec) break;
        const b = encode(rec);
        if (size + b.length > maxPayload && parts.length > 0) break;
        parts.push(b);
        size += b.length;
      }
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of parts) { out.set(p, at); at += p.length; }
      send(CGMS.MEASUREMENT, out);
      await new Promise<void>((r) => setImmediate(r));
    }
    streaming = null;
    if (!link) return;
    if (s.abort) { stats.aborts++; send(CGMS.RACP, racpResponse(RACP_OP.ABORT, RACP_RESPONSE.SUCCESS)); return; }
    send(CGMS.RACP, racpResponse(RACP_OP.REPORT, RACP_RESPONSE.SUCCESS));
  }

  function onRacp(data: Uint8Array): number | void {
    const d = decodeRacp(data);
    const op = data[0] ?? 0;
    if (!d.ok || d.value.kind !== 'request') {
      later(() => send(CGMS.RACP, racpResponse(op, d.ok || d.reason !== 'opcode' ? RACP_RESPONSE.INVALID_OPERATOR : RACP_RESPONSE.OPCODE_NOT_SUPPORTED)));
      return;
    }
    const req = d.value;
    if (req.opcode === RACP_OP.ABORT) {
      if (streaming) { streaming.abort = true; return; }
      later(() => send(CGMS.RACP, racpResponse(RACP_OP.ABORT, RACP_RESPONSE.SUCCESS)));
      return;
    }
    if (streaming) return 0x80; // procedure already in progress
    stats.racpRequests++;
    if (req.filter !== null && req.filter !== FILTER_TIME_OFFSET) {
      later(() => send(CGMS.RACP, racpResponse(req.opcode, RACP_RESPONSE.OPERAND_NOT_SUPPORTED)));
      return;
    }
    const [a = 0, b = 0] = req.operands;
    let filter: ((off: number) => boolean) | null = null;
    if (req.operator === RACP_OPERATOR.ALL) filter = () => true;
    else if (req.operator === RACP_OPERATOR.GE) filter = (x) => x >= a;
    else if (req.operator === RACP_OPERATOR.LE) filter = (x) => x <= a;
    else if (req.operator === RACP_OPERATOR.RANGE) filter = (x) => x >= a && x <= b;
    let records = filter ? model.select(filter) : [];
    if (req.operator === RACP_OPERATOR.FIRST) records = model.records.slice(0, 1);
    if (req.operator === RACP_OPERATOR.LAST) records = model.records.slice(-1);
    if (req.operator === RACP_OPERATOR.NULL) {
      later(() => send(CGMS.RACP, racpResponse(req.opcode, RACP_RESPONSE.INVALID_OPERATOR)));
      return;
    }
    if (req.opcode === RACP_OP.REPORT_COUNT) { later(() => send(CGMS.RACP, racpCountResponse(records.length))); return; }
    if (req.opcode === RACP_OP.DELETE) {
      const gone = new Set(records);
      const keep = model.records.filter((r) => !gone.has(r));
      model.records.length = 0;
      model.records.push(...keep);
      later(() => send(CGMS.RACP, racpResponse(req.opcode, RACP_RESPONSE.SUCCESS)));
      return;
    }
    if (records.length === 0) { later(() => send(CGMS.RACP, racpResponse(req.opcode, RACP_RESPONSE.NO_RECORDS))); return; }
    later(() => { void stream(records); });
  }

  const services: SimService[] = [{
    uuid: CGMS.SERVICE,
    characteristics: [
      { uuid: CGMS.MEASUREMENT, properties: ['notify'] },
      { uuid: CGMS.FEATURE, properties: ['read'], onRead: () => encodeFeature(0x018b5e | (crc ? FEATURE_E2E_CRC : 0), 9, 5, crc) },
      { uuid: CGMS.STATUS, properties: ['read'], onRead: () => encodeStatus(model.currentOffset(), model.status(), crc) },
      {
        uuid: CGMS.SESSION_START, properties: ['read', 'write'],
        onRead: () => encodeSessionStartTime(start.utcMs, start.tz, start.dst, crc),
        onWrite: (data) => {
          if (o.startTimeWritable === false) return 0x03;
          const d = decodeSessionStartTime(data, { variant: crc ?? 'none', required: crc !== null });
          if (!d.ok) return d.reason === 'crc' ? 0x81 : 0xfd;
          start = { utcMs: sessionStartUtcMs(d.value)?.ms ?? null, tz: d.value.timeZone, dst: d.value.dst };
          log.debug('session start time written');
        },
      },
      { uuid: CGMS.RUN_TIME, properties: ['read'], onRead: () => encodeRunTime(Math.floor(model.currentOffset() / 60), crc) },
      { uuid: CGMS.RACP, properties: ['write', 'indicate'], onWrite: onRacp },
      {
        uuid: CGMS.SOCP, properties: ['write', 'indicate'],
        onWrite: (data) => handleSocp(data, { model, crc, reply: (b) => later(() => send(CGMS.SOCP, b)), newSession }),
      },
    ],
  }];

  if (o.autoStart !== false) newSession();

  return {
    address: o.address ?? 'C4:7A:11:02:33:9E',
    name: o.name ?? 'CareHub CGM sim',
    security: o.security ?? { level: 'encrypted' },
    rssi: () => -60,
    advertisedServices: [CGMS.SERVICE],
    services,
    inRange: () => inRange,
    attach(l) { link = l; },
    detach() { link = null; if (streaming) streaming.abort = true; },
    stop() { model.stop(); link = null; },
    model,
    stats,
    setInRange(v) { inRange = v; },
    restartSession() { model.stopSession(); newSession(); },
    sessionStartMs: () => start.utcMs,
    corruptNext(n) { corrupt = n; },
  };
}
