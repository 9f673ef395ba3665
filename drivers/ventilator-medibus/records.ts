import { ok, reject, type Decoded } from '../shared/codec.js';
import { checkDateTime } from '../shared/date-time.js';

/**
 * Parsers of slow-channel response payloads (the ASCII between code and checksum).
 * Pure, typed rejects with offsets relative to the payload start.
 */

export interface DataRecord {
  code: number;
  /** null for `----` (not available) or a field that is not a number. */
  value: number | null;
  /** The field as sent, e.g. ` 5.0`. */
  raw: string;
}

export interface AlarmRecord {
  /** MEDIBUS priority (the character minus '0'). */
  priority: number;
  code: number;
  text: string;
}

export interface TextRecord {
  code: number;
  text: string;
}

export interface DeviceIdent {
  id: string;
  name: string;
  revision: string;
}

export interface RealtimeStreamConfig {
  code: number;
  /** Sample interval in microseconds. */
  intervalUs: number;
  min: number;
  max: number;
  maxbin: number;
}

function hexCode(s: string): number | null {
  if (!/^[0-9A-Fa-f]{2}$/.test(s)) return null;
  return parseInt(s, 16);
}

export function parseValue(raw: string): number | null {
  const t = raw.trim();
  if (t === '' || /^-+$/.test(t)) return null;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Measured data and alarm limits (value width 4) or device settings (width 5). */
export function parseDataRecords(data: string, width: 4 | 5): Decoded<DataRecord[]> {
  const step = 2 + width;
  if (data.length % step !== 0) return reject('length', data.length - (data.length % step));
  const out: DataRecord[] = [];
  for (let i = 0; i < data.length; i += step) {
    const code = hexCode(data.slice(i, i + 2));
    if (code === null) return reject('format', i);
    const raw = data.slice(i + 2, i + step);
    out.push({ code, value: parseValue(raw), raw });
  }
  return ok(out);
}

/** Current alarms: priority char, code (2 hex), phrase (12 chars). */
export function parseAlarms(data: string): Decoded<AlarmRecord[]> {
  if (data.length % 15 !== 0) return reject('length', data.length - (data.length % 15));
  const out: AlarmRecord[] = [];
  for (let i = 0; i < data.length; i += 15) {
    const priority = data.charCodeAt(i) - 0x30;
    if (priority < 0 || priority > 0x4f) return reject('format', i);
    const code = hexCode(data.slice(i + 1, i + 3));
    if (code === null) return reject('format', i + 1);
    out.push({ priority, code, text: data.slice(i + 3, i + 15).trim() });
  }
  return ok(out);
}

/** Text messages: code (2 hex), length char ('0'+n), n chars, ETX. */
export function parseTextMessages(data: string): Decoded<TextRecord[]> {
  const out: TextRecord[] = [];
  let i = 0;
  while (i < data.length) {
    if (i + 3 > data.length) return reject('short', i);
    const code = hexCode(data.slice(i, i + 2));
    if (code === null) return reject('format', i);
    const n = data.charCodeAt(i + 2) - 0x30;
    if (n < 0 || n > 0x4f) return reject('format', i + 2);
    const end = i + 3 + n;
    if (end >= data.length) return reject('short', data.length);
    if (data.charCodeAt(end) !== 0x03) return reject('format', end);
    out.push({ code, text: data.slice(i + 3, end).trim() });
    i = end + 1;
  }
  return ok(out);
}

/** Device identification: 4-char id, 'name', revision. */
export function parseDeviceIdent(data: string): Decoded<DeviceIdent> {
  const m = /^(.{4})'([^']*)'(.*)$/s.exec(data);
  if (!m) return reject('format', 0);
  return ok({ id: (m[1] ?? '').trim(), name: m[2] ?? '', revision: (m[3] ?? '').trim() });
}

const MONTHS: Record<string, number> = {
  JAN: 1, FEB: 2, MAR: 3, MRZ: 3, APR: 4, MAI: 5, MAY: 5, JUN: 6, JUL: 7, AUG: 8,
  SEP: 9, OKT: 10, OCT: 10, NOV: 11, DEZ: 12, DEC: 12,
};

/** Date and time as `YYYY-MM-DDTHH:MM:SS` (device local time, no zone). German month names. */
export function parseDateTime(data: string): Decoded<string> {
  const m = /^\s*(\d{2}):(\d{2})(?::(\d{2}))?\s*(\d{1,2})-([A-Za-z]{3})-(\d{2})\s*$/d.exec(data);
  if (!m) return reject('format', 0);
  const month = MONTHS[(m[5] ?? '').toUpperCase()];
  if (!month) return reject('format', data.indexOf('-') + 1);
  const t = { year: 2000 + Number(m[6]), month, day: Number(m[4]), hours: Number(m[1]), minutes: Number(m[2]), seconds: Number(m[3] ?? '0') };
  const pos = (i: number): number => m.indices?.[i]?.[0] ?? 0;
  const bad = checkDateTime(t, { year: pos(6), month: pos(5), day: pos(4), hours: pos(1), minutes: pos(2), seconds: pos(3) }, { minYear: 2000, maxYear: 2099 });
  if (bad) return reject(bad.reason, bad.at);
  const p = (n: number): string => String(n).padStart(2, '0');
  return ok(`${t.year}-${p(month)}-${p(t.day)}T${p(t.hours)}:${p(t.minutes)}:${p(t.seconds)}`);
}

/** Realtime configuration: per stream code(2 hex) interval(8, µs) min(5) max(5) maxbin(3 hex). */
export function parseRealtimeConfig(data: string): Decoded<RealtimeStreamConfig[]> {
  if (data.length % 23 !== 0) return reject('length', data.length - (data.length % 23));
  const out: RealtimeStreamConfig[] = [];
  for (let i = 0; i < data.length; i += 23) {
    const code = hexCode(data.slice(i, i + 2));
    if (code === null) return reject('format', i);
    const intervalUs = parseValue(data.slice(i + 2, i + 10));
    const min = parseValue(data.slice(i + 10, i + 15));
    const max = parseValue(data.slice(i + 15, i + 20));
    const mb = data.slice(i + 20, i + 23).trim();
    if (intervalUs === null || intervalUs <= 0) return reject('format', i + 2);
    if (min === null) return reject('format', i + 10);
    if (max === null || max <= min) return reject('format', i + 15);
    if (!/^[0-9A-Fa-f]{1,3}$/.test(mb) || parseInt(mb, 16) === 0) return reject('format', i + 20);
    out.push({ code, intervalUs, min, max, maxbin: parseInt(mb, 16) });
  }
  return ok(out);
}

/** Renders records for the simulator: right-aligned fixed-width fields. */
export function fixed(s: string, width: number): string {
  return s.length >= width ? s.slice(0, width) : ' '.repeat(width - s.length) + s;
}
