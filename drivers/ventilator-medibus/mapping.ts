import type { Priority } from '../../src/alarms/types.js';
import type { DataRecord } from './records.js';

/**
 * MEDIBUS codes → carehub metrics. Codes and device units from the OpenICE maps and the
 * Evita code tables (see PROTOCOL.md). `factor` converts the device unit into the catalogue
 * unit. Codes without an entry are "unmapped": kept with their raw value in the decoded
 * output, logged once and counted per device, never dropped silently.
 */
export interface CodeMap { metric: string; factor?: number }

export type Page = 'cp1' | 'cp2' | 'settings';

export const CP1: ReadonlyMap<number, CodeMap> = new Map([
  [0x07, { metric: 'compliance' }], // L/bar = mL/mbar
  [0x08, { metric: 'resistance' }], // mbar/L/s
  [0x71, { metric: 'paw_min' }],
  [0x73, { metric: 'paw_mean' }],
  [0x74, { metric: 'paw_plateau' }],
  [0x78, { metric: 'peep' }],
  [0x79, { metric: 'peep_intrinsic' }],
  [0x7d, { metric: 'paw_peak' }],
  [0x88, { metric: 'tidal_volume' }], // mL
  [0xb2, { metric: 'leak', factor: 0.001 }], // mL/min → L/min
  [0xb3, { metric: 'leak_rel' }],
  [0xb5, { metric: 'resp_rate_spont' }],
  [0xb7, { metric: 'minute_volume_spont' }],
  [0xb8, { metric: 'minute_volume' }],
  [0xd6, { metric: 'resp_rate' }],
  [0xe6, { metric: 'etco2' }], // mmHg
  [0xf0, { metric: 'fio2' }],
]);

export const CP2: ReadonlyMap<number, CodeMap> = new Map([
  [0x21, { metric: 'tidal_volume_exp' }],
  [0x22, { metric: 'tidal_volume_insp' }],
]);

export const SETTINGS: ReadonlyMap<number, CodeMap> = new Map([
  [0x01, { metric: 'fio2_set' }],
  [0x05, { metric: 'insp_time_set' }],
  [0x0a, { metric: 'resp_rate_set' }],
  [0x0b, { metric: 'peep_set' }],
  [0x0d, { metric: 'pressure_low_set' }],
  [0x0e, { metric: 'pressure_high_set' }],
  [0x11, { metric: 'apnea_time_set' }],
  [0x12, { metric: 'pressure_support_set' }],
  [0x29, { metric: 'flow_trigger_set' }],
  [0x40, { metric: 'tidal_volume_set' }],
  [0x45, { metric: 'insp_pressure_set' }],
]);

/** Realtime stream codes → waveform metrics (device units already match). */
export const REALTIME: ReadonlyMap<number, string> = new Map([
  [0x00, 'paw_waveform'],
  [0x01, 'flow_waveform'],
  [0x03, 'volume_waveform'],
]);

/** Text-message codes that name the ventilation mode. */
export const MODES: ReadonlyMap<number, string> = new Map([
  [0x01, 'IPPV'], [0x06, 'SIMV'], [0x07, 'SIMV/ASB'], [0x0a, 'CPAP'], [0x0b, 'CPAP/ASB'],
  [0x0e, 'BIPAP'], [0x1a, 'BIPAP/APRV'], [0x1e, 'Standby'], [0x59, 'volume mode'],
  [0x5a, 'pressure mode'], [0x5b, 'pressure support mode'],
]);

const TABLES: Record<Page, ReadonlyMap<number, CodeMap>> = { cp1: CP1, cp2: CP2, settings: SETTINGS };

export interface Mapped { metric: string; value: number }

/** Splits records into metric values and unmapped records; `----` values are skipped. */
export function mapRecords(page: Page, records: DataRecord[]): { mapped: Mapped[]; unmapped: DataRecord[] } {
  const table = TABLES[page];
  const mapped: Mapped[] = [];
  const unmapped: DataRecord[] = [];
  for (const r of records) {
    const m = table.get(r.code);
    if (!m) { unmapped.push(r); continue; }
    if (r.value === null) continue;
    const v = m.factor === undefined ? r.value : round(r.value * m.factor);
    mapped.push({ metric: m.metric, value: v });
  }
  return { mapped, unmapped };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/**
 * MEDIBUS alarm priority (a number, higher = more urgent) → hub priority. The split is
 * provisional (Evita tables: 'PAW HIGH' 27, disconnection ≥ 30): ≥ 25 high, ≥ 10 medium.
 * The ventilator stays the primary alarm system; the hub only repeats.
 */
export function alarmPriority(p: number): Priority {
  if (p >= 25) return 'high';
  if (p >= 10) return 'medium';
  return 'low';
}

export function hexCode(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
}
