import type { AlarmEvent } from '../alarms/types.js';
import { metricSpec } from '../core/metrics/index.js';
import type { Reading } from '../core/reading.js';
import { LANE_HIGHRATE } from '../core/reading.js';

const MAX_PER_LINE = 8;
const COLOURS = { high: '\x1b[41;97m', medium: '\x1b[43;30m', low: '\x1b[46;30m', reset: '\x1b[0m', dim: '\x1b[2m' } as const;

/**
 * The demo's live view: one line per device every couple of seconds with its latest clinical
 * values, and every alarm event at once. Waveforms are counted, not printed.
 */
export class TerminalView {
  private latest = new Map<string, Map<string, Reading>>();
  private lastPrinted = new Map<string, number>();
  private waveforms = 0;
  readings = 0;
  alarmEvents: AlarmEvent[] = [];

  constructor(private readonly out: NodeJS.WritableStream, private readonly opts: { json: boolean; colour: boolean; everyMs: number }) {}

  reading(r: Reading): void {
    this.readings++;
    if (this.opts.json) {
      if (r.lane !== LANE_HIGHRATE) this.out.write(`${JSON.stringify({ type: 'reading', device: r.device, metric: r.metric, value: r.value, unit: r.unit, t: new Date(r.t).toISOString(), flags: r.flags })}\n`);
      return;
    }
    if (r.lane === LANE_HIGHRATE) { this.waveforms++; return; }
    if (r.flags.includes('setting')) return; // settings are stored and forwarded, not shown live
    let m = this.latest.get(r.device);
    if (!m) { m = new Map(); this.latest.set(r.device, m); }
    m.set(r.metric, r);
    const now = Date.now();
    if (now - (this.lastPrinted.get(r.device) ?? 0) < this.opts.everyMs) return;
    this.lastPrinted.set(r.device, now);
    const parts = [...m.values()].slice(0, MAX_PER_LINE).map((x) => `${metricSpec(x.metric)?.label ?? x.metric} ${fmt(x.value)} ${x.unit}${x.flags.length ? ` [${x.flags.join(',')}]` : ''}`);
    const time = new Date(r.t).toISOString().slice(11, 19);
    this.out.write(`${this.c('dim')}${time}${this.c('reset')}  ${r.device.padEnd(7)} ${parts.join('   ')}\n`);
  }

  alarm(ev: AlarmEvent): void {
    this.alarmEvents.push(ev);
    if (this.opts.json) {
      this.out.write(`${JSON.stringify({ type: 'alarm', ...ev })}\n`);
      return;
    }
    const tag = `${this.c(ev.priority)} ${ev.priority.toUpperCase()} ${this.c('reset')}`;
    this.out.write(`${new Date(ev.t).toISOString().slice(11, 19)}  ALARM ${ev.event.padEnd(12)} ${tag} ${ev.condition} ${ev.device ?? ''}: ${ev.text}\n`);
  }

  line(s: string): void {
    if (this.opts.json) this.out.write(`${JSON.stringify({ type: 'info', text: s })}\n`);
    else this.out.write(`${s}\n`);
  }

  private c(k: keyof typeof COLOURS): string {
    return this.opts.colour ? COLOURS[k] : '';
  }
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}
