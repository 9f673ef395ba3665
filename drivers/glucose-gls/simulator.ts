import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { SimLink, SimPeripheral, SimSecurity, SimService } from '../../src/transport/ble/types.js';
import { CTS } from '../shared/current-time.js';
import { decodeBleTime } from '../shared/current-time-decode.js';
import { utcToLocalFields } from '../shared/local-time.js';
import { decodeRacp, racpCount, racpResponse, RacpOp, RacpOperator, RacpResponse } from '../shared/racp.js';
import { FILTER_SEQUENCE } from './backfill.js';
import { encodeGlucoseContext, encodeGlucoseMeasurement, GLS, GlsFeature } from './codec.js';
import { glucoseSample, type GlucoseScenario } from './scenario.js';

export interface GlsSimOptions {
  address: string;
  name?: string;
  clock: Clock;
  scenario: GlucoseScenario;
  security?: SimSecurity;
  /** The patient tests this often (0 = only when the test calls measure()). */
  measureEveryMs: number;
  /** Records kept (oldest dropped); default 500, as meters keep a few hundred. */
  memory?: number;
  timeZone?: string;
  /** First sequence number (tests of the u16 range). */
  firstSequence?: number;
}

interface Rec { seq: number; frame: Uint8Array; context: Uint8Array | null }

/**
 * A GLS blood glucose meter: Feature, Measurement (notify), Context (notify, every test before a
 * meal carries one), RACP (report / delete / count with operator all or ≥ sequence number, abort),
 * Current Time. A test taken while connected is notified at once; all are kept for RACP.
 * Test controls: measure, corruptNext (the next RACP procedure sends one malformed record),
 * dropAfter (drop the link after n records of the next procedure), dropLink.
 */
export class GlsSimulator implements SimPeripheral {
  readonly address: string;
  readonly name: string;
  readonly security: SimSecurity;
  readonly advertisedServices = [GLS.service];
  readonly services: SimService[];
  readonly records: Rec[] = [];
  /** Requests written to RACP (tests). */
  readonly racpRequests: Uint8Array[] = [];
  private link: SimLink | null = null;
  private seq: number;
  private n = 0;
  private corrupt = false;
  private dropAt: number | null = null;
  private readonly timer: TimerHandle | null;
  private offsetMs = 0;
  clockWrites = 0;

  constructor(private readonly o: GlsSimOptions) {
    this.address = o.address.toUpperCase();
    this.name = o.name ?? 'SIM-GLS';
    this.security = o.security ?? { level: 'none' };
    this.seq = o.firstSequence ?? 1;
    const feature = Uint8Array.from([(GlsFeature.lowBattery | GlsFeature.malfunction | GlsFeature.sampleSize | GlsFeature.resultHighLow | GlsFeature.timeFault) & 0xff, 0]);
    this.services = [
      {
        uuid: GLS.service,
        characteristics: [
          { uuid: GLS.feature, properties: ['read'], onRead: () => feature },
          { uuid: GLS.measurement, properties: ['notify'] },
          { uuid: GLS.context, properties: ['notify'] },
          { uuid: GLS.racp, properties: ['write', 'indicate'], onWrite: (d) => this.onRacp(d) },
        ],
      },
      { uuid: CTS.service, characteristics: [{ uuid: CTS.currentTime, properties: ['read', 'write', 'notify'], onWrite: (d) => this.setClock(d) }] },
    ];
    this.timer = o.measureEveryMs > 0 ? o.clock.setInterval(() => this.measure(), o.measureEveryMs) : null;
    this.timer?.unref?.();
  }

  rssi(): number { return -62; }
  inRange(): boolean { return true; }
  attach(link: SimLink): void { this.link = link; }
  detach(): void { this.link = null; }
  stop(): void { if (this.timer) this.o.clock.clearInterval(this.timer); }
  dropLink(reason = 'remote user terminated (0x13)'): void { this.link?.disconnect(reason); }
  corruptNext(): void { this.corrupt = true; }
  dropAfter(n: number): void { this.dropAt = n; }

  /** The patient tests now: the record is kept and notified while connected. */
  measure(): Rec {
    const i = this.n++;
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    const baseTime = utcToLocalFields(this.o.clock.now() + this.offsetMs, this.o.timeZone ?? 'UTC');
    const withContext = i % 2 === 0;
    const rec: Rec = {
      seq,
      frame: encodeGlucoseMeasurement({ sequence: seq, baseTime, timeOffsetMin: 0, mgdl: glucoseSample(this.o.scenario, i), type: 2, location: 1, status: 0, contextFollows: withContext }),
      context: withContext ? encodeGlucoseContext({ sequence: seq, meal: 1 }) : null,
    };
    this.records.push(rec);
    if (this.records.length > (this.o.memory ?? 500)) this.records.shift();
    this.send(rec);
    return rec;
  }

  private send(r: Rec): void {
    this.link?.notify(GLS.service, GLS.measurement, r.frame);
    if (r.context) this.link?.notify(GLS.service, GLS.context, r.context);
  }

  private setClock(d: Uint8Array): number | void {
    const t = decodeBleTime(d);
    if (!t) return 0x80;
    const zone = utcToLocalFields(this.o.clock.now(), this.o.timeZone ?? 'UTC');
    this.offsetMs = Date.UTC(t.year, t.month - 1, t.day, t.hours, t.minutes, t.seconds) - Date.UTC(zone.year, zone.month - 1, zone.day, zone.hours, zone.minutes, zone.seconds);
    this.clockWrites++;
  }

  private onRacp(data: Uint8Array): number | void {
    this.racpRequests.push(Uint8Array.from(data));
    const reply = (b: Uint8Array): void => { queueMicrotask(() => this.link?.notify(GLS.service, GLS.racp, b)); };
    const d = decodeRacp(data);
    if (!d.ok) { reply(racpResponse(data[0] ?? 0, RacpResponse.invalidOperator)); return; }
    const { opcode, operator, filterType, filterMin } = d.value;
    if (opcode === RacpOp.abort) { reply(racpResponse(opcode, RacpResponse.success)); return; }
    if (opcode !== RacpOp.report && opcode !== RacpOp.delete && opcode !== RacpOp.reportCount) { reply(racpResponse(opcode, RacpResponse.opNotSupported)); return; }
    let selected: Rec[];
    if (operator === RacpOperator.all) selected = [...this.records];
    else if (operator === RacpOperator.greaterOrEqual && filterType === FILTER_SEQUENCE && filterMin !== undefined) selected = this.records.filter((r) => r.seq >= filterMin);
    else if (operator === RacpOperator.greaterOrEqual) { reply(racpResponse(opcode, RacpResponse.operandNotSupported)); return; }
    else { reply(racpResponse(opcode, RacpResponse.operatorNotSupported)); return; }
    if (opcode === RacpOp.reportCount) { reply(racpCount(selected.length)); return; }
    if (opcode === RacpOp.delete) { for (const r of selected) this.records.splice(this.records.indexOf(r), 1); reply(racpResponse(opcode, RacpResponse.success)); return; }
    const corrupt = this.corrupt;
    const dropAt = this.dropAt;
    this.corrupt = false;
    this.dropAt = null;
    queueMicrotask(() => {
      let sent = 0;
      for (const r of selected) {
        if (dropAt !== null && sent === dropAt) { this.dropLink('simulated link loss during RACP'); return; }
        if (corrupt && sent === 0) this.link?.notify(GLS.service, GLS.measurement, r.frame.subarray(0, r.frame.length - 1));
        else this.send(r);
        sent++;
      }
      this.link?.notify(GLS.service, GLS.racp, racpResponse(opcode, selected.length ? RacpResponse.success : RacpResponse.noRecords));
    });
  }
}
