import type { DriverContext, DriverSession, LinkFact, LinkState } from '../types.js';
import type { TimerHandle } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/log.js';
import type { Measurement } from '../../src/core/reading.js';
import { SerialSupervisor } from '../../src/transport/serial/supervisor.js';
import type { SerialLink, SerialOpener, SerialSettings } from '../../src/transport/serial/types.js';
import { Cmd, HOST_ID, NAK, buildCommand, buildResponse, commandName } from './commands.js';
import { dataText, describeFrame, type MedibusFrame } from './codec.js';
import { DeviceAlarmTracker } from './device-alarms.js';
import { MedibusFramer } from './framer.js';
import { MODES, hexCode, mapRecords, type Page } from './mapping.js';
import { PollSchedule } from './poller.js';
import { RealtimeDecoder, encodeEnable } from './realtime.js';
import {
  parseAlarms, parseDataRecords, parseDateTime, parseDeviceIdent, parseRealtimeConfig, parseTextMessages,
  type DataRecord, type DeviceIdent,
} from './records.js';
import { WaveformBatcher, chooseStreams, configureArgs, type WaveStream } from './waveforms.js';

export interface MedibusSessionOptions {
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  /** The MEDIBUS 3-second rule: no data for longer than this → link lost. */
  silenceMs?: number;
  /** Send NOP when we have sent nothing for this long. */
  nopAfterMs?: number;
  /** Re-send ICC this often while the device does not answer. */
  reinitMs?: number;
  tickMs?: number;
  waveformBatchMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  open?: SerialOpener;
}

type Phase = 'closed' | 'init' | 'ident' | 'rtconfig' | 'rtconfigure' | 'polling';

export interface MedibusStatus {
  phase: Phase;
  link: LinkState;
  ident: DeviceIdent | null;
  mode: string | null;
  deviceTime: string | null;
  unmapped: Record<string, { count: number; raw: string }>;
  counters: { requests: number; timeouts: number; naks: number; rejects: number; deviceCommands: number; reconnects: number };
  activeDeviceAlarms: string[];
}

/**
 * One MEDIBUS ventilator over a serial link: initialise (ICC, identification, realtime
 * setup), poll the slow data round-robin with one request outstanding, answer the device's
 * own commands, keep the line alive, and apply the 3-second rule. Port loss and device
 * silence are link states and technical conditions, never exceptions.
 */
export class MedibusSession implements DriverSession {
  private readonly log: Logger;
  private readonly o: Required<Omit<MedibusSessionOptions, 'open'>>;
  private readonly sup: SerialSupervisor;
  private link: SerialLink | null = null;
  private readonly framer: MedibusFramer;
  private readonly rt: RealtimeDecoder;
  private readonly schedule = new PollSchedule();
  private readonly alarms: DeviceAlarmTracker;
  private batcher: WaveformBatcher | null = null;
  private streams: WaveStream[] = [];
  private phase: Phase = 'closed';
  private linkState: LinkState | null = null;
  private pending: { code: number; args: string; at: number; tries: number } | null = null;
  private queue: number[] = [];
  private nextCycleAt = 0;
  private lastRx = 0;
  private lastTx = 0;
  private lastIcc = -Infinity;
  private openedAt = 0;
  private timer: TimerHandle | null = null;
  private silent = false;
  private portGone = false;
  private ident: DeviceIdent | null = null;
  private mode: string | null = null;
  private deviceTime: string | null = null;
  private readonly unmapped = new Map<string, { count: number; raw: string }>();
  private readonly counters = { requests: 0, timeouts: 0, naks: 0, rejects: 0, deviceCommands: 0 };

  constructor(private readonly ctx: DriverContext, opts: MedibusSessionOptions = {}) {
    this.log = ctx.log.child(`driver:${ctx.device.id}:session`);
    this.o = {
      pollIntervalMs: 1000, requestTimeoutMs: 1000, silenceMs: 3000, nopAfterMs: 1500, reinitMs: 4000,
      tickMs: 100, waveformBatchMs: 1000, minBackoffMs: 500, maxBackoffMs: 10_000, ...stripUndefined(opts),
    };
    this.framer = new MedibusFramer({
      frame: (f) => this.onFrame(f),
      realtime: (b) => { this.lastRx = this.ctx.clock.mono(); this.rt.push(b); },
      reject: (reason, at, hex) => { this.counters.rejects++; this.ctx.reject({ reason, at, hex, where: 'medibus' }); },
    });
    this.rt = new RealtimeDecoder({ sample: (s, raw) => this.batcher?.sample(s, raw, this.ctx.clock.now()) });
    this.alarms = new DeviceAlarmTracker((a) => this.ctx.deviceAlarm(a));
    const dev = ctx.device.options;
    const settings: SerialSettings = { baud: dev.baud, parity: dev.parity, dataBits: dev.dataBits, stopBits: dev.stopBits };
    const path = ctx.serialPath ?? ctx.device.path ?? '';
    this.sup = new SerialSupervisor({
      path, settings, clock: ctx.clock, log: this.log,
      minBackoffMs: this.o.minBackoffMs, maxBackoffMs: this.o.maxBackoffMs,
      ...(opts.open ? { open: opts.open } : {}),
      onOpen: (l) => this.onOpen(l),
      onGone: (reason) => this.onGone(reason),
    });
  }

  async start(): Promise<void> {
    this.setLink('connecting', { fact: 'reaching', detail: 'opening the serial port' });
    this.sup.start();
    this.timer = this.ctx.clock.setInterval(() => this.tick(), this.o.tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) this.ctx.clock.clearInterval(this.timer);
    this.timer = null;
    if (this.link?.isOpen && this.phase !== 'closed') {
      // Say STOP, but never let a stuck line hold up shutdown.
      await Promise.race([this.link.write(buildCommand(Cmd.Stop)), new Promise((r) => setTimeout(r, 500).unref())]);
    }
    this.phase = 'closed';
    await this.sup.stop();
    this.link = null;
  }

  status(): MedibusStatus {
    return {
      phase: this.phase, link: this.linkState ?? 'connecting', ident: this.ident, mode: this.mode,
      deviceTime: this.deviceTime, unmapped: Object.fromEntries(this.unmapped),
      counters: { ...this.counters, reconnects: this.sup.reconnects },
      activeDeviceAlarms: this.alarms.list().map((a) => a.code),
    };
  }

  // ---- link -------------------------------------------------------------------------------

  private onOpen(l: SerialLink): void {
    this.link = l;
    this.framer.reset();
    l.onData((b) => this.framer.push(b));
    const now = this.ctx.clock.mono();
    this.openedAt = now;
    this.lastRx = now;
    this.lastIcc = -Infinity;
    this.silent = false; // a new line: the 3-second rule starts again (the link owner keeps any alarm)
    this.enterInit();
    if (this.portGone) {
      this.portGone = false;
      this.ctx.technical({ code: 'serial_port_gone', active: false, text: 'Ventilator serial port is back' });
    }
    this.setLink('connecting', { fact: 'reaching', detail: 'port open, waiting for the ventilator to answer' });
  }

  private onGone(reason: string): void {
    this.link = null;
    this.phase = 'closed';
    this.pending = null;
    this.batcher?.clear();
    void reason; // logged by the supervisor (a path, never patient data)
    if (!this.portGone) {
      this.portGone = true;
      this.ctx.technical({ code: 'serial_port_gone', active: true, text: 'Ventilator serial port disappeared (cable or adapter unplugged?)' });
    }
    this.setLink('lost', { fact: 'lost', detail: 'serial port gone' });
  }

  /** Reports a link fact to the hub's link owner once per change of this session's view. */
  private setLink(s: LinkState, f: LinkFact): void {
    if (this.linkState === s) return;
    this.linkState = s;
    this.ctx.linkFact(f);
    if (s === 'connected') this.log.info({ device: this.ident?.name }, 'ventilator connected');
    else if (s === 'lost') this.log.warn('ventilator link lost');
  }

  private enterInit(): void {
    this.phase = 'init';
    this.pending = null;
    this.queue = [];
    this.batcher?.clear();
    this.batcher = null;
  }

  // ---- timing -----------------------------------------------------------------------------

  private tick(): void {
    const l = this.link;
    if (!l || this.phase === 'closed') return;
    const now = this.ctx.clock.mono();
    if (now - this.lastRx > this.o.silenceMs && !this.silent && now - this.openedAt > this.o.silenceMs) this.onSilence();
    if (this.pending && now - this.pending.at > this.o.requestTimeoutMs) this.onTimeout();
    if (this.pending) return;
    if (this.phase === 'init') {
      if (now - this.lastIcc >= this.o.reinitMs) { this.lastIcc = now; this.request(Cmd.Icc); }
      return;
    }
    if (this.phase === 'polling') {
      if (this.queue.length === 0 && now >= this.nextCycleAt) {
        this.nextCycleAt = now + this.o.pollIntervalMs;
        this.queue = this.schedule.next();
      }
      const next = this.queue.shift();
      if (next !== undefined) { this.request(next); return; }
    }
    if (now - this.lastTx >= this.o.nopAfterMs) this.request(Cmd.Nop);
  }

  private onSilence(): void {
    this.silent = true;
    this.setLink('lost', { fact: 'lost', detail: `no answer on the serial line for ${Math.round(this.o.silenceMs / 1000)} s` });
    this.enterInit();
  }

  private onTimeout(): void {
    const p = this.pending;
    if (!p) return;
    this.counters.timeouts++;
    this.pending = null;
    if (p.code === Cmd.Icc) return; // re-sent every reinitMs by the init phase
    if (p.tries < 2) { this.request(p.code, p.args, p.tries + 1); return; }
    this.schedule.failed(p.code);
    if (this.phase !== 'polling' && this.phase !== 'init') this.enterInit();
  }

  private request(code: number, args = '', tries = 1): void {
    this.pending = { code, args, at: this.ctx.clock.mono(), tries };
    this.counters.requests++;
    this.send(buildCommand(code, args));
  }

  private send(b: Uint8Array): void {
    const l = this.link;
    if (!l) return;
    this.lastTx = this.ctx.clock.mono();
    void l.write(b);
  }

  // ---- frames -----------------------------------------------------------------------------

  private onFrame(f: MedibusFrame): void {
    this.lastRx = this.ctx.clock.mono();
    if (f.direction === 'command') { this.answerDevice(f); return; }
    const p = this.pending;
    if (!p) return;
    if (f.code === NAK) {
      this.counters.naks++;
      this.pending = null;
      if (p.tries < 2) this.request(p.code, p.args, p.tries + 1);
      else this.schedule.failed(p.code);
      return;
    }
    if (f.code !== p.code) { this.log.debug({ frame: describeFrame(f) }, 'unexpected response'); return; }
    this.pending = null;
    this.schedule.answered(p.code);
    this.onResponse(f);
  }

  /** MEDIBUS is symmetric: the device may send ICC, NOP, identification requests, STOP... */
  private answerDevice(f: MedibusFrame): void {
    this.counters.deviceCommands++;
    switch (f.code) {
      case Cmd.Icc: case Cmd.Nop: case Cmd.TimeChanged: this.send(buildResponse(f.code)); break;
      case Cmd.DeviceId: this.send(buildResponse(Cmd.DeviceId, HOST_ID)); break;
      case Cmd.Stop: this.send(buildResponse(Cmd.Stop)); this.log.info('device stopped communication'); this.enterInit(); return;
      case Cmd.RealtimeConfigChanged:
        this.send(buildResponse(f.code));
        if (this.ctx.device.options.waveform && this.phase === 'polling') this.queue.unshift(Cmd.RealtimeConfig);
        break;
      default: this.send(buildResponse(NAK)); break;
    }
    if (f.code === Cmd.TimeChanged) this.schedule.soon(Cmd.DateTime);
  }

  private onResponse(f: MedibusFrame): void {
    const text = dataText(f);
    switch (f.code) {
      case Cmd.Icc: this.phase = 'ident'; this.request(Cmd.DeviceId); return;
      case Cmd.DeviceId: return this.onIdent(text);
      case Cmd.RealtimeConfig: return this.onRealtimeConfig(text);
      case Cmd.ConfigureRealtime:
        this.send(encodeEnable(this.streams.map((s) => s.stream)));
        this.phase = 'polling';
        return;
      case Cmd.MeasuredCp1: return this.onData('cp1', parseDataRecords(text, 4), f);
      case Cmd.MeasuredCp2: return this.onData('cp2', parseDataRecords(text, 4), f);
      case Cmd.Settings: return this.onData('settings', parseDataRecords(text, 5), f);
      case Cmd.AlarmsCp1: case Cmd.AlarmsCp2: {
        const r = parseAlarms(text);
        if (!r.ok) return this.badPayload(f, r.reason, r.at);
        this.alarms.update(f.code === Cmd.AlarmsCp1 ? 'cp1' : 'cp2', r.value);
        return;
      }
      case Cmd.TextMessages: return this.onTexts(text, f);
      case Cmd.DateTime: {
        const r = parseDateTime(text);
        if (!r.ok) return this.badPayload(f, r.reason, r.at);
        this.deviceTime = r.value;
        return;
      }
      default: return;
    }
  }

  private onIdent(text: string): void {
    const r = parseDeviceIdent(text);
    this.ident = r.ok ? r.value : { id: '', name: text.trim(), revision: '' };
    if (r.ok && this.ctx.state.get('medibus:ident') !== text) this.ctx.state.set('medibus:ident', text);
    this.silent = false;
    this.setLink('connected', { fact: 'answered' });
    this.schedule.restart();
    this.nextCycleAt = 0;
    if (this.ctx.device.options.waveform) { this.phase = 'rtconfig'; this.request(Cmd.RealtimeConfig); }
    else this.phase = 'polling';
  }

  private onRealtimeConfig(text: string): void {
    const r = parseRealtimeConfig(text);
    const chosen = r.ok ? chooseStreams(r.value, this.ctx.device.options.waveformHz) : [];
    if (!r.ok) this.log.warn({ reason: r.reason }, 'realtime configuration unreadable; no waveforms');
    this.streams = chosen;
    this.batcher = new WaveformBatcher(chosen, this.o.waveformBatchMs, (m) => this.submit([m]));
    if (chosen.length === 0) { this.phase = 'polling'; return; }
    this.phase = 'rtconfigure';
    this.request(Cmd.ConfigureRealtime, configureArgs(chosen));
  }

  private onData(page: Page, r: ReturnType<typeof parseDataRecords>, f: MedibusFrame): void {
    if (!r.ok) return this.badPayload(f, r.reason, r.at);
    const { mapped, unmapped } = mapRecords(page, r.value);
    for (const u of unmapped) this.noteUnmapped(page, u);
    const t = this.ctx.clock.now();
    const setting = page === 'settings';
    this.submit(mapped.map((m) => (setting ? { metric: m.metric, value: m.value, t, flags: ['setting'] } : { metric: m.metric, value: m.value, t })));
  }

  private onTexts(text: string, f: MedibusFrame): void {
    const r = parseTextMessages(text);
    if (!r.ok) return this.badPayload(f, r.reason, r.at);
    const m = r.value.find((x) => MODES.has(x.code));
    if (!m) return;
    const name = MODES.get(m.code) ?? hexCode(m.code);
    if (name !== this.mode) {
      this.mode = name;
      this.log.info({ mode: name }, 'ventilation mode');
      this.ctx.state.set('medibus:mode', name);
    }
    this.submit([{ metric: 'vent_mode', value: m.code, t: this.ctx.clock.now(), flags: ['setting'] }]);
  }

  private noteUnmapped(page: Page, r: DataRecord): void {
    const key = `${page}:${hexCode(r.code)}`;
    const u = this.unmapped.get(key);
    if (u) { u.count++; u.raw = r.raw; return; }
    this.unmapped.set(key, { count: 1, raw: r.raw });
    this.log.info({ code: key }, 'unmapped MEDIBUS code (kept raw, see status)');
    this.ctx.state.set('medibus:unmapped', [...this.unmapped.keys()].join(','));
  }

  private badPayload(f: MedibusFrame, reason: string, at: number): void {
    this.counters.rejects++;
    this.ctx.reject({ reason, at: at + 2, where: `medibus:${commandName(f.code)}`, hex: Buffer.from(f.data).toString('hex').slice(0, 128) });
  }

  private submit(ms: Measurement[]): void {
    if (ms.length === 0) return;
    this.ctx.submit(ms).catch(() => undefined); // the context logs failing submits once; the store holds and alarms
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'open')) as Partial<T>;
}
