import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/log.js';
import { Cmd, ETX, buildCommand, buildResponse, hex2 } from './commands.js';
import { dataText, type MedibusFrame } from './codec.js';
import { MedibusFramer } from './framer.js';
import { NivPatientModel, SETTINGS, type Monitor, type ModelOptions, type ScenarioName } from './patient-model.js';
import { RealtimeDecoder, encodeCycle, encodePhase, toRaw } from './realtime.js';
import { fixed, type RealtimeStreamConfig } from './records.js';

export const SIM_IDENT = "8001'carehub NIV sim'01.00:06.00";
/** A vendor code the hub does not map, sent on purpose (unknown-code handling). */
export const SIM_UNKNOWN_CODE = 0x5f;

const SAMPLE_US = 8000; // 125 Hz
const RT_STREAMS: RealtimeStreamConfig[] = [
  { code: 0x00, intervalUs: SAMPLE_US, min: -20, max: 100, maxbin: 0xfff },
  { code: 0x01, intervalUs: SAMPLE_US, min: -300, max: 300, maxbin: 0xfff },
  { code: 0x03, intervalUs: SAMPLE_US, min: -500, max: 3000, maxbin: 0xfff },
];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAI', 'JUN', 'JUL', 'AUG', 'SEP', 'OKT', 'NOV', 'DEZ'];

export interface SimDeviceOptions {
  scenario: ScenarioName;
  clock: Clock;
  log: Logger;
  model?: ModelOptions;
  /** Commands this device does not support (answered with NAK), e.g. [0x2b] for no codepage 2. */
  unsupported?: number[];
}

export interface SimStats {
  commands: number;
  naksSent: number;
  initialised: boolean;
  /** What the host answered to our own device-id request. */
  hostIdent: string | null;
  /** Answers the host gave to our own commands (ICC/NOP/device id). */
  hostAnswers: number;
  realtimeCycles: number;
}

/**
 * A MEDIBUS ventilator, transport-agnostic: bytes in through `input`, bytes out through the
 * writer given to `attach`. Answers the slow-channel requests from an NIV patient model,
 * streams configured realtime channels at 125 Hz (interleaved with slow answers), asks the
 * host for its identification and sends NOPs itself, NAKs what it cannot parse, and drops
 * the communication when the host has been quiet for more than 3 s.
 */
export class MedibusSimDevice {
  private write: (b: Uint8Array) => void = () => {};
  private readonly framer: MedibusFramer;
  private readonly rtIn: RealtimeDecoder;
  private readonly model: NivPatientModel;
  private timer: TimerHandle | null = null;
  private readonly t0: number;
  private lastHostRx: number;
  private lastOwnCmd = 0;
  private asked = false;
  private muted = false;
  private standbyOn = false;
  private configured: { stream: number; cfg: RealtimeStreamConfig; mult: number }[] = [];
  private enabledMask = 0;
  private sampleN = 0;
  private sentSamples = 0;
  private lastExp = true;
  private slowQueue: number[] = [];
  readonly stats: SimStats = { commands: 0, naksSent: 0, initialised: false, hostIdent: null, hostAnswers: 0, realtimeCycles: 0 };

  constructor(private readonly o: SimDeviceOptions) {
    this.model = new NivPatientModel(o.scenario, o.model);
    this.framer = new MedibusFramer({
      frame: (f) => this.onFrame(f),
      realtime: (b) => this.rtIn.push(b),
      reject: (reason) => { if (reason === 'checksum') this.nak(); },
    });
    this.rtIn = new RealtimeDecoder({
      sample: () => {},
      enable: (group, mask) => {
        const shift = (group - 1) * 4;
        this.enabledMask = (this.enabledMask & ~(0xf << shift)) | ((mask & 0xf) << shift);
      },
    });
    this.t0 = o.clock.mono();
    this.lastHostRx = this.t0;
  }

  attach(write: (b: Uint8Array) => void): void { this.write = write; }

  start(): void {
    if (this.timer) return;
    this.timer = this.o.clock.setInterval(() => this.tick(), 40);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) this.o.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** The device falls silent (and deaf) while muted. */
  mute(on: boolean): void {
    this.muted = on;
    if (on) { this.slowQueue = []; this.uninit(); }
  }

  /**
   * Standby: the device keeps talking (answers every request, keeps the line alive) but measures
   * nothing, so measured-data requests are answered without values (rig: ventilator data stale
   * while the link is up).
   */
  standby(on: boolean): void {
    this.standbyOn = on;
  }

  input(chunk: Uint8Array): void {
    if (this.muted) return;
    this.lastHostRx = this.o.clock.mono();
    this.framer.push(chunk);
  }

  /** Seconds of simulated patient time. */
  private t(): number { return (this.o.clock.mono() - this.t0) / 1000; }

  private uninit(): void {
    this.stats.initialised = false;
    this.configured = [];
    this.enabledMask = 0;
    this.asked = false;
  }

  private onFrame(f: MedibusFrame): void {
    if (f.direction === 'response') {
      if (f.code === Cmd.DeviceId) this.stats.hostIdent = dataText(f);
      this.stats.hostAnswers++;
      return;
    }
    this.stats.commands++;
    if (f.code === Cmd.Icc) {
      this.uninit();
      this.stats.initialised = true;
      this.send(buildResponse(Cmd.Icc));
      return;
    }
    if (!this.stats.initialised) return; // no communication before ICC
    const body = this.o.unsupported?.includes(f.code) ? null : this.answer(f);
    if (body === null) this.nak();
    else this.send(buildResponse(f.code, body));
  }

  private answer(f: MedibusFrame): string | null {
    const now = this.t();
    switch (f.code) {
      case Cmd.Nop: case Cmd.ConfigureDataResponse: case Cmd.TimeChanged: return '';
      case Cmd.Stop: this.uninit(); return '';
      case Cmd.DeviceId: return SIM_IDENT;
      case Cmd.MeasuredCp1: return this.standbyOn ? '' : this.cp1(this.model.monitor(now), this.model.fault(now));
      case Cmd.MeasuredCp2: {
        if (this.standbyOn) return '';
        const m = this.model.monitor(now);
        return rec4(0x21, m.vte, 0) + rec4(0x22, m.vti, 0);
      }
      case Cmd.Settings:
        return [
          [0x01, SETTINGS.fio2, 0], [0x05, SETTINGS.tiS, 1], [0x0a, SETTINGS.rate, 0], [0x0b, SETTINGS.epap, 1],
          [0x0d, SETTINGS.epap, 1], [0x0e, SETTINGS.ipap, 1], [0x11, SETTINGS.apneaS, 0],
          [0x12, SETTINGS.ipap - SETTINGS.epap, 1], [0x29, 3, 1],
        ].map(([c, v, d]) => hex2(c ?? 0) + fixed((v ?? 0).toFixed(d), 5)).join('');
      case Cmd.AlarmsCp1:
        return this.model.alarms(now).map((a) => String.fromCharCode(0x30 + a.priority) + hex2(a.code) + a.text.padEnd(12).slice(0, 12)).join('');
      case Cmd.AlarmsCp2: case Cmd.AlarmsCp3:
      case Cmd.LowLimitsCp1: case Cmd.HighLimitsCp1: case Cmd.LowLimitsCp2: case Cmd.HighLimitsCp2:
        return '';
      case Cmd.TextMessages:
        return text(0x0e, 'BIPAP') + text(0x20, 'adults');
      case Cmd.DateTime: {
        const d = new Date(this.o.clock.now());
        const p = (n: number): string => String(n).padStart(2, '0');
        return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()] ?? 'JAN'}-${p(d.getUTCFullYear() % 100)}`;
      }
      case Cmd.RealtimeConfig:
        return RT_STREAMS.map((s) => hex2(s.code) + fixed(String(s.intervalUs), 8) + fixed(String(s.min), 5) + fixed(String(s.max), 5) + 'FFF').join('');
      case Cmd.ConfigureRealtime: return this.configure(dataText(f));
      default: return null;
    }
  }

  private cp1(m: Monitor, fault: boolean): string {
    const na = (v: number, d: number): number | null => (fault && this.o.scenario === 'disconnection' ? null : round(v, d));
    return [
      rec4(0x7d, m.ppeak, 1), rec4(0x73, m.pmean, 1), rec4(0x78, m.peep, 1), rec4(0x71, m.pmin, 1),
      rec4(0x88, na(m.vt, 0), 0), rec4(0xb8, m.mv, 1), rec4(0xd6, m.rr, 0), rec4(0xb5, m.rrSpont, 0),
      rec4(0xb2, Math.min(9999, m.leak * 1000), 0), rec4(0xb3, m.leakRel, 0), rec4(0xf0, m.fio2, 0),
      rec4(0x07, 40, 0), rec4(0x08, 10, 0), rec4(SIM_UNKNOWN_CODE, 42, 0),
    ].join('');
  }

  /** 0x54: per stream 2 hex code + 2 hex multiplier. */
  private configure(args: string): string | null {
    if (args.length % 4 !== 0 || args.length / 4 > 12) return null;
    const out: typeof this.configured = [];
    for (let i = 0; i < args.length; i += 4) {
      const code = parseInt(args.slice(i, i + 2), 16);
      const mult = parseInt(args.slice(i + 2, i + 4), 16);
      const cfg = RT_STREAMS.find((s) => s.code === code);
      if (!cfg || !Number.isFinite(mult) || mult < 1) return null;
      out.push({ stream: i / 4 + 1, cfg, mult });
    }
    this.configured = out;
    this.enabledMask = 0;
    return '';
  }

  private nak(): void {
    this.stats.naksSent++;
    this.send(buildResponse(Cmd.Nak));
  }

  private send(frame: Uint8Array): void {
    if (this.muted) return;
    if (this.streaming()) { for (const b of frame) this.slowQueue.push(b); return; }
    this.write(frame);
  }

  private streaming(): boolean {
    return this.stats.initialised && this.enabledMask !== 0 && this.configured.length > 0;
  }

  private tick(): void {
    if (this.muted) return;
    const mono = this.o.clock.mono();
    if (this.stats.initialised && mono - this.lastHostRx > 3000) this.uninit(); // 3-second rule
    const due = Math.floor(((mono - this.t0) * 1000) / SAMPLE_US);
    let n = Math.min(due - this.sampleN, 100);
    if (due - this.sampleN > 100) this.sampleN = due - 100;
    if (!this.streaming()) { this.sampleN = due; n = 0; }
    const out: number[] = [];
    const perCycle = n > 0 ? Math.ceil(this.slowQueue.length / n) : 0;
    for (let k = 0; k < n; k++, this.sampleN++) {
      const w = this.model.wave((this.sampleN * SAMPLE_US) / 1e6);
      if (w.expiration !== this.lastExp) { this.lastExp = w.expiration; out.push(...encodePhase(w.expiration)); }
      const values = new Map<number, number>();
      for (const c of this.configured) {
        if (!(this.enabledMask & (1 << (c.stream - 1))) || this.sampleN % c.mult !== 0) continue;
        const v = c.cfg.code === 0x00 ? w.paw : c.cfg.code === 0x01 ? w.flow : w.volume;
        values.set(c.stream, toRaw(v, c.cfg));
      }
      if (values.size > 0) { out.push(...encodeCycle(values)); this.sentSamples++; this.stats.realtimeCycles++; }
      for (let j = 0; j < perCycle && this.slowQueue.length; j++) out.push(this.slowQueue.shift() ?? 0);
    }
    if (this.slowQueue.length) { out.push(...this.slowQueue); this.slowQueue = []; }
    if (this.stats.initialised) this.deviceCommands(mono, out);
    if (out.length) this.write(Uint8Array.from(out));
  }

  /** The device's own commands: ask the host who it is once, and a NOP every 10 s. */
  private deviceCommands(mono: number, out: number[]): void {
    if (!this.asked) { this.asked = true; this.lastOwnCmd = mono; out.push(...buildCommand(Cmd.DeviceId)); return; }
    if (mono - this.lastOwnCmd >= 10_000) { this.lastOwnCmd = mono; out.push(...buildCommand(Cmd.Nop)); }
  }
}

function round(v: number, d: number): number { const k = 10 ** d; return Math.round(v * k) / k; }
function rec4(code: number, v: number | null, d: number): string {
  return hex2(code) + (v === null ? '----' : fixed(v.toFixed(d), 4));
}
function text(code: number, s: string): string {
  return hex2(code) + String.fromCharCode(0x30 + s.length) + s + String.fromCharCode(ETX);
}
