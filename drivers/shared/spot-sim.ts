import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { SimCharacteristic, SimLink, SimPeripheral, SimSecurity, SimService } from '../../src/transport/ble/types.js';
import { decodeBleTime } from './current-time-decode.js';
import { CTS, encodeCurrentTime } from './current-time.js';
import type { DateTimeFields } from './date-time.js';
import { utcToLocalFields } from './local-time.js';

/**
 * What the simulated blood pressure monitor and weight scale share: the patient takes a
 * measurement every `measureEveryMs`; it is indicated at once while a collector listens, else kept
 * in the device's memory (at most `memory` records, oldest dropped) and indicated, oldest first,
 * when a collector next enables indications on the measurement characteristic, then forgotten
 * (the profiles' "stored measurements" behaviour). The device keeps its own local wall clock,
 * settable through the Current Time Service (0x1805/0x2A2B) when `cts` is on.
 */
export interface SpotSimOptions {
  address: string;
  name: string;
  clock: Clock;
  security?: SimSecurity;
  /** The patient measures this often (0 = only when the test calls measure()). */
  measureEveryMs: number;
  memory?: number;
  /** Expose a writable Current Time characteristic (default true). */
  cts?: boolean;
  /** IANA zone the device clock shows (default 'UTC'). */
  timeZone?: string;
  /** The clock was never set: it counts from 2000-01-01 00:00 at power-up until a collector sets it. */
  clockUnset?: boolean;
  /** Measurements already in memory at power-up: `count` of them, `everyMs` apart, the last `everyMs` ago. */
  history?: { count: number; everyMs: number };
  /** First measurement this long after power-up (default measureEveryMs). */
  firstMeasureAfterMs?: number;
}

export interface SpotProfile {
  service: string;
  measurement: string;
  /** Characteristics besides the measurement (feature, ...). */
  extra: SimCharacteristic[];
  /** Encode measurement number `n`, taken at device wall time `at`. */
  frame(n: number, at: DateTimeFields): Uint8Array;
}

export class SpotDeviceSim implements SimPeripheral {
  readonly address: string;
  readonly name: string;
  readonly security: SimSecurity;
  readonly advertisedServices: string[];
  readonly services: SimService[];
  readonly memory: Uint8Array[] = [];
  /** Every frame indicated to a collector (tests). */
  readonly sent: Uint8Array[] = [];
  private link: SimLink | null = null;
  private listening = false;
  private range = true;
  private n = 0;
  private timer: TimerHandle | null;
  /** Device clock = hub wall clock + offset (ms); null = unset, counting from 2000-01-01 since t0. */
  private clockOffsetMs: number | null;
  private readonly t0: number;
  /** Current Time writes received (tests). */
  clockWrites = 0;

  constructor(private readonly o: SpotSimOptions, private readonly p: SpotProfile) {
    this.address = o.address.toUpperCase();
    this.name = o.name;
    this.security = o.security ?? { level: 'none' };
    this.advertisedServices = [p.service];
    this.t0 = o.clock.mono();
    this.clockOffsetMs = o.clockUnset ? null : 0;
    const measurement: SimCharacteristic = {
      uuid: p.measurement, properties: ['indicate'],
      onSubscribe: (on) => { this.listening = on; if (on) this.flush(); },
    };
    this.services = [{ uuid: p.service, characteristics: [...p.extra, measurement] }];
    if (o.cts !== false) {
      this.services.push({ uuid: CTS.service, characteristics: [{
        uuid: CTS.currentTime, properties: ['read', 'write', 'notify'],
        onRead: () => encodeCurrentTime(this.deviceNowUtcFields(), 'UTC'),
        onWrite: (d) => this.setClock(d),
      }] });
    }
    for (let k = o.history?.count ?? 0; k > 0; k--) {
      this.memory.push(this.p.frame(this.n++, this.deviceWallTime(-k * (o.history?.everyMs ?? 0))));
    }
    this.timer = null;
    if (o.measureEveryMs > 0) {
      const first = o.clock.setTimeout(() => {
        this.measure();
        this.timer = o.clock.setInterval(() => this.measure(), o.measureEveryMs);
        this.timer.unref?.();
      }, o.firstMeasureAfterMs ?? o.measureEveryMs);
      first.unref?.();
      this.first = first;
    }
  }

  private first: TimerHandle | null = null;

  rssi(): number { return this.range ? -60 : -100; }
  inRange(): boolean { return this.range; }
  attach(link: SimLink): void { this.link = link; this.listening = false; }
  detach(): void { this.link = null; this.listening = false; }
  stop(): void {
    if (this.first) this.o.clock.clearTimeout(this.first);
    if (this.timer) this.o.clock.clearInterval(this.timer);
  }
  setInRange(v: boolean): void { this.range = v; }
  dropLink(reason = 'remote user terminated (0x13)'): void { this.link?.disconnect(reason); }
  clockIsSet(): boolean { return this.clockOffsetMs !== null; }

  /** The patient takes a measurement now. */
  measure(): Uint8Array {
    const f = this.p.frame(this.n++, this.deviceWallTime());
    this.memory.push(f);
    if (this.memory.length > (this.o.memory ?? 100)) this.memory.shift();
    this.flush();
    return f;
  }

  /** Indicate everything in memory while a collector listens, then forget it. */
  private flush(): void {
    if (!this.link || !this.listening) return;
    for (const f of this.memory.splice(0)) { this.sent.push(f); this.link.notify(this.p.service, this.p.measurement, f); }
  }

  /** The device's wall-clock fields now (or `deltaMs` from now): its own clock, in its zone. */
  deviceWallTime(deltaMs = 0): DateTimeFields {
    if (this.clockOffsetMs === null) return utcToLocalFields(Date.UTC(2000, 0, 1) + (this.o.clock.mono() - this.t0) + deltaMs, 'UTC');
    return utcToLocalFields(this.o.clock.now() + this.clockOffsetMs + deltaMs, this.o.timeZone ?? 'UTC');
  }

  private deviceNowUtcFields(): number {
    const f = this.deviceWallTime();
    return Date.UTC(f.year, f.month - 1, f.day, f.hours, f.minutes, f.seconds);
  }

  private setClock(d: Uint8Array): number | void {
    const t = decodeBleTime(d);
    if (t === null) return 0x80; // application error: not a valid Current Time
    // The written wall time is the device's local time; keep it as an offset from the hub clock.
    const wallAsUtc = Date.UTC(t.year, t.month - 1, t.day, t.hours, t.minutes, t.seconds);
    const zoneNow = utcToLocalFields(this.o.clock.now(), this.o.timeZone ?? 'UTC');
    const zoneAsUtc = Date.UTC(zoneNow.year, zoneNow.month - 1, zoneNow.day, zoneNow.hours, zoneNow.minutes, zoneNow.seconds);
    this.clockOffsetMs = wallAsUtc - zoneAsUtc;
    this.clockWrites++;
  }
}
