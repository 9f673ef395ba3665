import type { DeviceAlarm } from '../../src/alarms/types.js';
import { alarmPriority, hexCode } from './mapping.js';
import type { AlarmRecord } from './records.js';

/**
 * Turns successive "current alarms" answers of one codepage into appear/disappear events:
 * an alarm code present now and not before → active true; present before and not now →
 * active false; a changed priority → active true again with the new priority.
 */
export class DeviceAlarmTracker {
  private readonly active = new Map<string, DeviceAlarm>();

  constructor(private readonly emit: (a: DeviceAlarm) => void) {}

  update(page: 'cp1' | 'cp2' | 'cp3', records: AlarmRecord[]): void {
    const seen = new Set<string>();
    for (const r of records) {
      const code = `${page}:${hexCode(r.code)}`;
      seen.add(code);
      const a: DeviceAlarm = { code, priority: alarmPriority(r.priority), text: r.text || code, active: true };
      const prev = this.active.get(code);
      if (prev && prev.priority === a.priority) continue;
      this.active.set(code, a);
      this.emit(a);
    }
    for (const [code, prev] of this.active) {
      if (!code.startsWith(`${page}:`) || seen.has(code)) continue;
      this.active.delete(code);
      this.emit({ ...prev, active: false });
    }
  }

  list(): DeviceAlarm[] { return [...this.active.values()]; }
}
