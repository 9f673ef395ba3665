import type { ReceivedAlarmEvent, ReceivedReading } from './backend.js';
import type { Expectation } from './scenario-schema.js';
import type { StoredReading } from './stored.js';

/** What the rig observed, for judging expectations after the run. */
export interface Observed {
  /** Wall ms when the hub was first started: time 0 of the timeline and of every `within`. */
  t0: number;
  readings: readonly ReceivedReading[];
  alarmEvents: readonly ReceivedAlarmEvent[];
  stored: readonly StoredReading[];
}

export interface ExpectationResult {
  ok: boolean;
  /** The expectation in one line, e.g. `alarm-raised spo2_low (oxi-1) within 40 s`. */
  label: string;
  /** What was seen. */
  detail: string;
}

const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function evaluate(e: Expectation, o: Observed): ExpectationResult {
  if (e['alarm-raised']) return alarmCheck('raised', e['alarm-raised'], o);
  if (e['alarm-cleared']) return alarmCheck('cleared', e['alarm-cleared'], o);
  if (e['no-reading-lost']) return noReadingLost(o);
  if (e['delivered-exactly-once-per-id']) return exactlyOnce(e['delivered-exactly-once-per-id'] === true ? { duplicates: 'allow' } : e['delivered-exactly-once-per-id'], o);
  if (e['in-order-per-device']) return inOrder(o);
  if (e['min-readings']) return minReadings(e['min-readings'], o);
  return { ok: false, label: 'unknown expectation', detail: 'not evaluated' };
}

function alarmCheck(event: 'raised' | 'cleared', x: { condition: string; device?: string | undefined; priority?: string | undefined; within: number; after: number }, o: Observed): ExpectationResult {
  const what = `${x.condition}${x.device ? ` (${x.device})` : ''}${x.priority ? ` priority ${x.priority}` : ''}`;
  const label = `alarm-${event} ${what} within ${x.within} s${x.after ? ` after ${x.after} s` : ''}`;
  const matching = o.alarmEvents
    .filter((ev) => ev.event === event && ev.condition === x.condition && (x.device === undefined || ev.device === x.device) && (x.priority === undefined || ev.priority === x.priority))
    .map((ev) => ({ ev, rel: Date.parse(ev.t) - o.t0 }))
    .sort((a, b) => a.rel - b.rel);
  const from = x.after * 1000;
  const to = from + x.within * 1000;
  const hit = matching.find((m) => m.rel >= from && m.rel <= to);
  if (hit) return { ok: true, label, detail: `${event} at ${s1(hit.rel)} (${hit.ev.priority ?? '?'}), reached the broker at ${s1(hit.ev.arrivedMs - o.t0)}` };
  const others = matching.map((m) => s1(m.rel)).slice(0, 5);
  return { ok: false, label, detail: `not ${event} between ${x.after} s and ${x.after + x.within} s${others.length ? `; ${event} at ${others.join(', ')}` : `; no ${event} event for ${x.condition} reached the broker`}` };
}

function noReadingLost(o: Observed): ExpectationResult {
  const label = 'no-reading-lost';
  const got = new Set(o.readings.map((r) => r.id));
  const missing = o.stored.filter((s) => !got.has(s.uid));
  if (o.stored.length === 0) return { ok: false, label, detail: 'the hub stored no readings at all' };
  if (missing.length === 0) return { ok: true, label, detail: `all ${o.stored.length} stored readings reached the broker` };
  const unsent = missing.filter((m) => !m.sent).length;
  return { ok: false, label, detail: `${missing.length} of ${o.stored.length} stored readings never reached the broker (${unsent} still unsent in the hub; first ${missing[0]?.uid ?? '?'} of ${missing[0]?.device ?? '?'})` };
}

function exactlyOnce(x: { from?: number | undefined; to?: number | undefined; duplicates: 'allow' | 'fail' }, o: Observed): ExpectationResult {
  const win = x.from !== undefined || x.to !== undefined ? ` measured ${x.from ?? 0}–${x.to ?? '∞'} s` : '';
  const label = `delivered-exactly-once-per-id${win}${x.duplicates === 'fail' ? ' (duplicates fail)' : ''}`;
  const inWindow = (tMs: number): boolean => {
    const rel = tMs - o.t0;
    return (x.from === undefined || rel >= x.from * 1000) && (x.to === undefined || rel <= x.to * 1000);
  };
  const stored = o.stored.filter((s) => inWindow(s.tMs));
  const received = o.readings.filter((r) => inWindow(Date.parse(r.t)));
  const byId = new Map<string, ReceivedReading[]>();
  for (const r of received) {
    const list = byId.get(r.id);
    if (list) list.push(r); else byId.set(r.id, [r]);
  }
  const missing = stored.filter((s) => !byId.has(s.uid));
  let duplicates = 0;
  const conflicting: string[] = [];
  for (const [id, list] of byId) {
    duplicates += list.length - 1;
    const first = list[0];
    if (first && list.some((r) => r.t !== first.t || r.value !== first.value || r.device !== first.device || r.metric !== first.metric)) conflicting.push(id);
  }
  const problems: string[] = [];
  if (stored.length === 0) problems.push('no stored reading in the window');
  if (missing.length) problems.push(`${plural(missing.length, 'id')} never delivered (first ${missing[0]?.uid ?? '?'})`);
  if (conflicting.length) problems.push(`${plural(conflicting.length, 'id')} delivered with different content (first ${conflicting[0] ?? '?'})`);
  if (duplicates && x.duplicates === 'fail') problems.push(`${plural(duplicates, 'duplicate delivery', 'duplicate deliveries')}`);
  const summary = `${stored.length} stored, ${byId.size} distinct ids delivered, ${plural(duplicates, 'redelivery', 'redeliveries')}`;
  return problems.length ? { ok: false, label, detail: `${problems.join('; ')} (${summary})` } : { ok: true, label, detail: summary };
}

function inOrder(o: Observed): ExpectationResult {
  const label = 'in-order-per-device';
  const seen = new Set<string>();
  const last = new Map<string, { t: number; iso: string }>();
  const problems: string[] = [];
  for (const r of o.readings) {
    if (seen.has(r.id)) continue; // a redelivery is judged by its first arrival
    seen.add(r.id);
    const key = `${r.device}/${r.metric}`;
    const t = Date.parse(r.t);
    const prev = last.get(key);
    if (prev && t < prev.t) problems.push(`${key}: ${r.t} arrived after ${prev.iso}`);
    last.set(key, { t, iso: r.t });
  }
  if (seen.size === 0) return { ok: false, label, detail: 'no readings reached the broker' };
  if (problems.length === 0) return { ok: true, label, detail: `${seen.size} readings of ${last.size} device/metric streams, each in measurement order` };
  return { ok: false, label, detail: `${plural(problems.length, 'reading')} out of order; first: ${problems[0] ?? ''}` };
}

function minReadings(x: { device: string; metric?: string | undefined; count: number }, o: Observed): ExpectationResult {
  const label = `min-readings ${x.device}${x.metric ? `/${x.metric}` : ''} ≥ ${x.count}`;
  const ids = new Set(o.readings.filter((r) => r.device === x.device && (x.metric === undefined || r.metric === x.metric)).map((r) => r.id));
  return { ok: ids.size >= x.count, label, detail: `${ids.size} distinct readings reached the broker` };
}
