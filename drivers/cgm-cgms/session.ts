import type { Logger } from '../../src/core/log.js';
import { superviseBleDevice } from '../shared/ble-device.js';
import type { BleConnection } from '../../src/transport/ble/types.js';
import { toHex, type Decoded } from '../shared/codec.js';
import type { DriverContext, DriverSession } from '../types.js';
import { backfill, type BackfillIo, type BackfillOptions } from './backfill.js';
import { decodeFeature, decodeStatus } from './codec-feature.js';
import { decodeMeasurement, type MeasurementOptions } from './codec-measurement.js';
import { decodeSessionStartTime, encodeSessionStartTime } from './codec-session.js';
import type { E2eOptions } from './e2e.js';
import { Indications } from './indications.js';
import { RecordSink } from './records.js';
import { loadSession, resolveSession, saveSession } from './session-state.js';
import { SocpClient } from './socp-client.js';
import { CGMS } from './uuids.js';

export interface CgmsSessionOptions extends BackfillOptions {
  backoffMinMs?: number;
  backoffMaxMs?: number;
  lostAfterMs?: number;
}

/**
 * The CGMS driver over the BleCentral port. After every (re)connect (the supervisor calls
 * `run`): subscribe to measurements, RACP and SOCP; read CGM Feature (E2E-CRC), Status and
 * Session Start Time; decide the sensor session (setting the start time from the hub clock
 * when the sensor does not know it); set the communication interval if configured; backfill
 * over RACP; then take live records until the link drops.
 */
export class CgmsSession implements DriverSession {
  private readonly log: Logger;
  private readonly sink: RecordSink;
  private sup: { stop(): Promise<void> } | null = null;
  private conn: BleConnection | null = null;
  private socpClient: SocpClient | null = null;
  private backfilling = false;
  private stopped = false;
  private warnedWrite = false;
  private racp: Indications | null = null;
  private activity: () => void = () => undefined;

  constructor(private readonly ctx: DriverContext, private readonly o: CgmsSessionOptions = {}) {
    this.log = ctx.log.child('session');
    this.sink = new RecordSink(ctx);
    this.sink.onSubmitFailed = (e) => {
      this.log.debug({ err: e.message }, 'submit failed; will read the records again');
      void this.conn?.disconnect().catch(() => undefined);
    };
  }

  async start(): Promise<void> {
    if (!this.ctx.ble) throw new Error(`device ${this.ctx.device.id}: CGMS needs a BLE central`);
    this.stopped = false;
    this.sup = superviseBleDevice(this.ctx, this.log, (c) => this.run(c), this.o);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.sup?.stop();
    this.sup = null;
    // Submits in flight are not awaited: they are either stored (and the cursor moves) or the
    // records are read again by the next session; ids are deterministic.
  }

  /** The control point of the connected sensor (null while not connected or not supported). */
  socp(): SocpClient | null { return this.socpClient; }

  private rejectFrame(where: string, d: Decoded<unknown>, b: Uint8Array): void {
    if (d.ok) return;
    this.ctx.reject({ reason: d.reason, at: d.at, hex: toHex(b), where });
  }

  private async run(conn: BleConnection): Promise<void> {
    const { ctx } = this;
    const opts = ctx.device.options;
    const variant = opts.crc ?? 'mcrf4xx';
    this.conn = conn;
    this.socpClient = null;
    this.sink.session = null;
    const racp = new Indications(ctx.clock, 'RACP');
    const socpInd = new Indications(ctx.clock, 'SOCP');
    this.racp = racp;
    conn.onDisconnect((reason) => {
      const e = new Error(`link dropped: ${reason}`);
      racp.failAll(e);
      socpInd.failAll(e);
      if (this.conn === conn) { this.conn = null; this.socpClient = null; }
    });

    // CGM Feature: the E2E-CRC field is always there; checked when bit 12 says it is used.
    const fb = await conn.read(CGMS.SERVICE, CGMS.FEATURE);
    const feature = decodeFeature(fb, { variant, required: false });
    if (!feature.ok) { this.rejectFrame('cgm-feature', feature, fb); throw new Error(`CGM Feature rejected (${feature.reason})`); }
    const e2e: E2eOptions = { variant, required: feature.value.crcSupported && variant !== 'none' };
    const mo: MeasurementOptions = { e2e, warningFirst: opts.quirks.includes('warning-first') };

    await conn.subscribe(CGMS.SERVICE, CGMS.MEASUREMENT, (b) => {
      this.activity();
      const d = decodeMeasurement(b, mo);
      if (!d.ok) {
        this.rejectFrame('cgm-measurement', d, b);
        this.sink.freeze();
        if (!this.backfilling) void this.catchUp(conn);
        return;
      }
      if (!this.sink.push(d.value, this.backfilling)) {
        this.log.info('time offset went backwards: the sensor started a new session; reconnecting');
        void conn.disconnect().catch(() => undefined);
      }
    });
    await conn.subscribe(CGMS.SERVICE, CGMS.RACP, (b) => { this.activity(); racp.deliver(b); });
    if (conn.has(CGMS.SERVICE, CGMS.SOCP)) {
      await conn.subscribe(CGMS.SERVICE, CGMS.SOCP, (b) => socpInd.deliver(b));
      this.socpClient = new SocpClient(conn, socpInd, e2e);
    }

    const status = await this.readOptional(conn, CGMS.STATUS, 'cgm-status', (b) => decodeStatus(b, e2e));
    const start = await this.readOptional(conn, CGMS.SESSION_START, 'cgm-session-start-time', (b) => decodeSessionStartTime(b, e2e));
    const prev = loadSession(ctx.state);
    const res = resolveSession(prev, start, status?.timeOffsetMin ?? null, ctx.clock.now());
    if (res.writeStartMs !== null) await this.writeStart(conn, res.writeStartMs, e2e);
    if (res.isNew || !prev) {
      saveSession(ctx.state, res.session);
      this.log.info({ session: res.session.id, deviceTime: res.session.deviceTime }, 'sensor session');
    }
    this.sink.setSession(res.session);
    if (status) this.sink.applyConditions(status.status);

    if (opts.intervalMin !== undefined && this.socpClient) {
      try { await this.socpClient.setInterval(opts.intervalMin); } catch (e) {
        this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not set the communication interval');
      }
    }

    this.backfilling = true;
    try {
      const r = await backfill(this.backfillIo(conn, racp), this.sink, status?.timeOffsetMin ?? null, this.o);
      this.log.debug({ result: r }, 'backfill');
    } finally {
      this.backfilling = false;
    }
  }

  private backfillIo(conn: BleConnection, racp: Indications): BackfillIo {
    return {
      clock: this.ctx.clock, log: this.log, racp,
      writeRacp: (b) => conn.write(CGMS.SERVICE, CGMS.RACP, b),
      onActivity: (fn) => { this.activity = fn; },
    };
  }

  /** After a rejected live frame: read what may be missing again, without dropping the link. */
  private async catchUp(conn: BleConnection): Promise<void> {
    const racp = this.racp;
    if (this.backfilling || this.stopped || !racp || this.conn !== conn) return;
    this.backfilling = true;
    try {
      await backfill(this.backfillIo(conn, racp), this.sink, this.sink.cursor() ?? -1, this.o);
    } catch (e) {
      this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'catch-up failed; reconnecting');
      void conn.disconnect().catch(() => undefined);
    } finally {
      this.backfilling = false;
    }
  }

  private async readOptional<T>(conn: BleConnection, ch: string, where: string, dec: (b: Uint8Array) => Decoded<T>): Promise<T | null> {
    if (!conn.has(CGMS.SERVICE, ch)) return null;
    const b = await conn.read(CGMS.SERVICE, ch);
    const d = dec(b);
    if (!d.ok) { this.rejectFrame(where, d, b); return null; }
    return d.value;
  }

  private async writeStart(conn: BleConnection, ms: number, e2e: E2eOptions): Promise<void> {
    if (!conn.has(CGMS.SERVICE, CGMS.SESSION_START) || !this.ctx.clock.synced()) return;
    const crc = e2e.required && e2e.variant !== 'none' ? e2e.variant : null;
    try {
      await conn.write(CGMS.SERVICE, CGMS.SESSION_START, encodeSessionStartTime(ms, 0, 0, crc));
    } catch (e) {
      if (!this.warnedWrite) this.log.info({ err: e instanceof Error ? e.message : String(e) }, 'sensor refused the session start time; keeping the hub estimate');
      this.warnedWrite = true;
    }
  }
}

