import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { SimLink, SimPeripheral, SimSecurity, SimService } from '../../src/transport/ble/types.js';
import { utcToLocalFields } from '../shared/local-time.js';
import { decodeRacp, racpCount, racpResponse, RacpOp, RacpOperator, RacpResponse } from '../shared/racp.js';
import { encodeContinuous, encodeFeatures, encodeSpotCheck, Feature, PLXS, type PlxDateTime, type SpotCheckInput } from './codec.js';
import { oxiSample, type OxiScenario } from './scenario.js';
import { DSS, MS } from './status.js';

export interface PlxsSimOptions {
  address: string;
  name?: string;
  /** LE security the device asks for (default none: many oximeters stream without pairing). */
  security?: SimSecurity;
  clock: Clock;
  scenario: OxiScenario;
  /** Continuous measurement interval (default 1000 ms). */
  continuousEveryMs?: number;
  /** A spot-check is taken (stored, and indicated when connected) this often; 0 = never (default 60 s). */
  spotCheckEveryMs?: number;
  /** Device clock not set: spot-checks carry the flag and a clock counting from 2000-01-01. */
  clockNotSet?: boolean;
  /** IANA zone the device clock is set to: spot-checks carry local wall time there (default 'UTC'). */
  timeZone?: string;
}

/**
 * A PLXS pulse oximeter: Features (read), Continuous (notify), Spot-check (indicate) with
 * storage and RACP (report/delete/count "all records", abort). Values follow the scenario.
 * Test controls: setFinger, setInRange, dropLink, takeSpotCheck, failNext.
 */
export class PlxsSimulator implements SimPeripheral {
  readonly address: string;
  readonly name: string;
  readonly security: SimSecurity;
  readonly advertisedServices = [PLXS.service];
  readonly services: SimService[];
  readonly stored: Uint8Array[] = [];
  private link: SimLink | null = null;
  private readonly timers: TimerHandle[] = [];
  private readonly t0: number;
  private finger: boolean | null = null;
  private range: boolean | null = null;
  /** Count of continuous notifications sent (tests). */
  sent = 0;

  constructor(private readonly o: PlxsSimOptions) {
    this.address = o.address.toUpperCase();
    this.security = o.security ?? { level: 'none' };
    this.name = o.name ?? 'SIM-PLX';
    this.t0 = o.clock.mono();
    const features = encodeFeatures({
      supported: Feature.measurementStatus | Feature.deviceSensorStatus | Feature.storage | Feature.timestamp | Feature.pai,
      measurementStatusSupport: MS.early | MS.storage | MS.questionable | MS.invalid,
      deviceSensorStatusSupport: DSS.malfunction | DSS.lowPerfusion | DSS.unconnected | DSS.disconnected,
    });
    this.services = [{
      uuid: PLXS.service,
      characteristics: [
        { uuid: PLXS.features, properties: ['read'], onRead: () => features },
        { uuid: PLXS.continuous, properties: ['notify'] },
        { uuid: PLXS.spotCheck, properties: ['indicate'] },
        { uuid: PLXS.racp, properties: ['write', 'indicate'], onWrite: (d) => this.onRacp(d) },
      ],
    }];
    this.timers.push(o.clock.setInterval(() => this.tickContinuous(), o.continuousEveryMs ?? 1000));
    const spotEvery = o.spotCheckEveryMs ?? 60_000;
    if (spotEvery > 0) this.timers.push(o.clock.setInterval(() => this.takeSpotCheck(), spotEvery));
    for (const t of this.timers) t.unref?.();
  }

  rssi(): number { return this.inRange() ? -58 : -100; }
  inRange(): boolean { return this.range ?? this.sample().inRange; }
  attach(link: SimLink): void { this.link = link; }
  detach(): void { this.link = null; }
  stop(): void { for (const t of this.timers.splice(0)) this.o.clock.clearInterval(t); }
  connected(): boolean { return this.link !== null; }

  // ---- test and rig controls ----
  setFinger(present: boolean | null): void { this.finger = present; }
  setInRange(v: boolean | null): void { this.range = v; }
  dropLink(reason = 'remote user terminated (0x13)'): void { this.link?.disconnect(reason); }

  /** Take a spot-check now: store it, and indicate it when connected. */
  takeSpotCheck(over: Partial<SpotCheckInput> = {}): Uint8Array {
    const s = this.sample();
    const frame = encodeSpotCheck({
      spo2: s.spo2, pr: s.pr, timestamp: this.deviceTime(), clockNotSet: this.o.clockNotSet ?? false,
      measurementStatus: 0, deviceSensorStatus: 0, pai: s.pai, ...over,
    });
    this.stored.push(frame);
    if (this.stored.length > 200) this.stored.shift();
    this.link?.notify(PLXS.service, PLXS.spotCheck, frame);
    return frame;
  }

  /** Send an arbitrary continuous frame (tests: malformed input). */
  sendRaw(characteristic: string, frame: Uint8Array): void { this.link?.notify(PLXS.service, characteristic, frame); }

  private sample(): ReturnType<typeof oxiSample> {
    const s = oxiSample(this.o.scenario, this.o.clock.mono() - this.t0);
    if (this.finger !== null) s.finger = this.finger;
    return s;
  }

  private tickContinuous(): void {
    if (!this.link) return;
    const s = this.sample();
    const frame = s.finger
      ? encodeContinuous({ spo2: s.spo2, pr: s.pr, measurementStatus: 0, deviceSensorStatus: 0, pai: s.pai })
      : encodeContinuous({ spo2: 'nan', pr: 'nan', measurementStatus: MS.invalid, deviceSensorStatus: DSS.unconnected, pai: 'nan' });
    this.sent++;
    this.link.notify(PLXS.service, PLXS.continuous, frame);
  }

  /**
   * The device clock, as a real oximeter keeps it: local wall time in its zone (set from a phone's
   * Current Time Service or by hand). Not set: counting from 2000-01-01 00:00 since power-up.
   */
  private deviceTime(): PlxDateTime {
    if (this.o.clockNotSet) return utcToLocalFields(Date.UTC(2000, 0, 1) + (this.o.clock.mono() - this.t0), 'UTC');
    return utcToLocalFields(this.o.clock.now(), this.o.timeZone ?? 'UTC');
  }

  private onRacp(data: Uint8Array): number | void {
    const d = decodeRacp(data);
    const reply = (bytes: Uint8Array): void => { queueMicrotask(() => this.link?.notify(PLXS.service, PLXS.racp, bytes)); };
    if (!d.ok) { reply(racpResponse(data[0] ?? 0, d.reason === 'reserved' ? RacpResponse.invalidOperator : RacpResponse.opNotSupported)); return; }
    const { opcode, operator, operand } = d.value;
    if (opcode === RacpOp.abort) { reply(racpResponse(opcode, operator === 0 ? RacpResponse.success : RacpResponse.invalidOperator)); return; }
    if (opcode !== RacpOp.report && opcode !== RacpOp.delete && opcode !== RacpOp.reportCount) { reply(racpResponse(opcode, RacpResponse.opNotSupported)); return; }
    if (operator === RacpOperator.null) { reply(racpResponse(opcode, RacpResponse.invalidOperator)); return; }
    if (operator !== RacpOperator.all) { reply(racpResponse(opcode, RacpResponse.operatorNotSupported)); return; }
    if (operand.length > 0 || d.value.filterType !== undefined) { reply(racpResponse(opcode, RacpResponse.invalidOperand)); return; }
    if (opcode === RacpOp.reportCount) { reply(racpCount(this.stored.length)); return; }
    if (opcode === RacpOp.delete) { this.stored.length = 0; reply(racpResponse(opcode, RacpResponse.success)); return; }
    const records = [...this.stored];
    queueMicrotask(() => {
      for (const r of records) {
        const c = Uint8Array.from(r);
        // mark as "data from measurement storage" when the record carries a measurement status
        if ((c[0] ?? 0) & 0x02) { const at = 5 + ((c[0] ?? 0) & 0x01 ? 7 : 0); c[at + 1] = (c[at + 1] ?? 0) | (MS.storage >> 8); }
        this.link?.notify(PLXS.service, PLXS.spotCheck, c);
      }
      this.link?.notify(PLXS.service, PLXS.racp, racpResponse(opcode, records.length ? RacpResponse.success : RacpResponse.noRecords));
    });
  }
}
