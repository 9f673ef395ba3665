import { ok, reject, type CodecOptions, type Decoded } from '../shared/codec.js';
import type { CrcVariant } from '../shared/crc.js';
import { encodeSfloat, readSfloat, type Special } from '../shared/sfloat.js';
import { annunciationNames } from './annunciations.js';
import { checkTrailer, e2eFromCodecOptions, maybeCrc, u16, type CrcState, type E2eOptions } from './e2e.js';

/**
 * CGM Measurement (0x2AA7): one or more records back to back, each starting with its own Size
 * byte (which counts itself and the E2E-CRC). Flags: b0 trend, b1 quality, b2-4 reserved,
 * b5 Warning octet, b6 Cal/Temp octet, b7 Status octet. The annunciation octets are sent in
 * field order Status, Cal/Temp, Warning; the `warning-first` quirk reads them reversed.
 */
export interface CgmRecord {
  glucoseMgDl: number | null;
  glucoseSpecial: Special | null;
  timeOffsetMin: number;
  trendMgDlMin: number | null;
  qualityPct: number | null;
  statusOctet: number | null;
  calTempOctet: number | null;
  warningOctet: number | null;
  /** The 24-bit annunciation field assembled from the present octets (absent = 0). */
  annunciation: number;
  crc: CrcState;
}

export interface MeasurementOptions {
  e2e: E2eOptions;
  warningFirst: boolean;
}

export function measurementOptions(opts: CodecOptions, crcRequired = false): MeasurementOptions {
  return { e2e: e2eFromCodecOptions(opts, crcRequired), warningFirst: (opts.quirks ?? []).includes('warning-first') };
}

const F_TREND = 0x01;
const F_QUALITY = 0x02;
const F_RESERVED = 0x1c;
const F_WARNING = 0x20;
const F_CALTEMP = 0x40;
const F_STATUS = 0x80;

export function decodeMeasurement(b: Uint8Array, o: MeasurementOptions): Decoded<CgmRecord[]> {
  const records: CgmRecord[] = [];
  let pos = 0;
  if (b.length === 0) return reject('short', 0);
  while (pos < b.length) {
    const r = decodeRecord(b, pos, o);
    if (!r.ok) return r;
    records.push(r.value.record);
    pos = r.value.next;
  }
  return ok(records);
}

function decodeRecord(b: Uint8Array, pos: number, o: MeasurementOptions): Decoded<{ record: CgmRecord; next: number }> {
  const size = b[pos] ?? 0;
  if (size < 6) return reject('length', pos);
  if (b.length - pos < 2) return reject('short', b.length);
  const flags = b[pos + 1] ?? 0;
  if (flags & F_RESERVED) return reject('reserved', pos + 1);
  const octets = popcount(flags & (F_WARNING | F_CALTEMP | F_STATUS));
  const expected = 6 + (flags & F_TREND ? 2 : 0) + (flags & F_QUALITY ? 2 : 0) + octets;
  if (size !== expected && size !== expected + 2) return reject('length', pos);
  if (b.length - pos < size) return reject('short', b.length);
  const end = pos + size;
  let crc: CrcState = 'absent';
  if (size === expected + 2) {
    const c = checkTrailer(b, pos, end, o.e2e);
    if (!c) return reject('crc', end - 2);
    crc = c;
  } else if (o.e2e.required) {
    return reject('crc', end);
  }
  const glucose = readSfloat(b, pos + 2);
  let at = pos + 6;
  let statusOctet: number | null = null;
  let calTempOctet: number | null = null;
  let warningOctet: number | null = null;
  const order: Array<'s' | 'c' | 'w'> = o.warningFirst ? ['w', 'c', 's'] : ['s', 'c', 'w'];
  for (const which of order) {
    if (which === 's' && flags & F_STATUS) statusOctet = b[at++] ?? 0;
    if (which === 'c' && flags & F_CALTEMP) calTempOctet = b[at++] ?? 0;
    if (which === 'w' && flags & F_WARNING) warningOctet = b[at++] ?? 0;
  }
  let trend: number | null = null;
  if (flags & F_TREND) { trend = readSfloat(b, at).value; at += 2; }
  let quality: number | null = null;
  if (flags & F_QUALITY) { quality = readSfloat(b, at).value; at += 2; }
  const annunciation = (statusOctet ?? 0) | ((calTempOctet ?? 0) << 8) | ((warningOctet ?? 0) << 16);
  return ok({
    record: {
      glucoseMgDl: glucose.value, glucoseSpecial: glucose.special, timeOffsetMin: u16(b, pos + 4),
      trendMgDlMin: trend, qualityPct: quality, statusOctet, calTempOctet, warningOctet, annunciation, crc,
    },
    next: end,
  });
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}

/** What a sensor puts in one record (encoder side, used by the simulator and tests). */
export interface RecordInput {
  glucoseMgDl: number | Special;
  timeOffsetMin: number;
  trendMgDlMin?: number | null;
  qualityPct?: number | null;
  /** 24-bit annunciation field; octets with a zero value are left out. */
  annunciation?: number;
}

export function encodeRecord(r: RecordInput, crc: CrcVariant | null, warningFirst = false): Uint8Array {
  const ann = r.annunciation ?? 0;
  const s = ann & 0xff;
  const c = (ann >> 8) & 0xff;
  const w = (ann >> 16) & 0xff;
  let flags = 0;
  if (r.trendMgDlMin !== undefined && r.trendMgDlMin !== null) flags |= F_TREND;
  if (r.qualityPct !== undefined && r.qualityPct !== null) flags |= F_QUALITY;
  if (s) flags |= F_STATUS;
  if (c) flags |= F_CALTEMP;
  if (w) flags |= F_WARNING;
  const body: number[] = [0, flags];
  pushU16(body, encodeSfloat(r.glucoseMgDl));
  pushU16(body, r.timeOffsetMin & 0xffff);
  const octets = warningFirst ? [w, c, s] : [s, c, w];
  for (const v of octets) if (v) body.push(v);
  if (flags & F_TREND) pushU16(body, encodeSfloat(r.trendMgDlMin ?? 0));
  if (flags & F_QUALITY) pushU16(body, encodeSfloat(r.qualityPct ?? 0));
  body[0] = body.length + (crc ? 2 : 0);
  return maybeCrc(Uint8Array.from(body), crc);
}

function pushU16(a: number[], v: number): void {
  a.push(v & 0xff, (v >> 8) & 0xff);
}

/** The printed form (contract §6). */
export function recordToJson(r: CgmRecord): Record<string, unknown> {
  return {
    glucose_mg_dl: r.glucoseMgDl,
    glucose_special: r.glucoseSpecial,
    time_offset_min: r.timeOffsetMin,
    trend_mg_dl_min: r.trendMgDlMin,
    quality_pct: r.qualityPct,
    status_octet: r.statusOctet,
    cal_temp_octet: r.calTempOctet,
    warning_octet: r.warningOctet,
    annunciations: annunciationNames(r.annunciation),
    crc: r.crc,
  };
}
