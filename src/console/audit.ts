import type { Clock } from '../core/clock.js';

/** The console's audit trail keeps the newest AUDIT_MAX entries (a ring in the store's kv). */
export const AUDIT_MAX = 1000;
const HEAD_KEY = 'console:audit:next';

export interface AuditEntry {
  n: number;
  t: string;
  role: string;
  /** Client address. */
  from: string;
  action: string;
  detail: Record<string, unknown>;
  ok: boolean;
  error?: string;
}

export interface AuditKv {
  kvGet(key: string): string | undefined;
  kvSet(key: string, value: string): void;
}

/**
 * Every state change made through the console (acknowledge, audio pause, alarm test, login,
 * logout, failed login) as one durable entry in the store, written before the answer is sent.
 */
export class ConsoleAudit {
  constructor(private readonly kv: AuditKv, private readonly clock: Clock, private readonly max = AUDIT_MAX) {}

  private slot(n: number): string {
    return `console:audit:${n % this.max}`;
  }

  /** Writes the entry; false when the store could not take it (the store raises its fault). */
  record(e: Omit<AuditEntry, 'n' | 't'>): boolean {
    try {
      const n = Number(this.kv.kvGet(HEAD_KEY) ?? '0');
      const entry: AuditEntry = { n, t: new Date(this.clock.now()).toISOString(), ...e };
      this.kv.kvSet(this.slot(n), JSON.stringify(entry));
      this.kv.kvSet(HEAD_KEY, String(n + 1));
      return true;
    } catch {
      return false;
    }
  }

  /** The newest entries, newest first (at most `limit`, at most `max`). */
  recent(limit = 50): AuditEntry[] {
    const next = Number(this.kv.kvGet(HEAD_KEY) ?? '0');
    const out: AuditEntry[] = [];
    for (let n = next - 1; n >= 0 && n >= next - Math.min(limit, this.max); n--) {
      const raw = this.kv.kvGet(this.slot(n));
      if (raw) out.push(JSON.parse(raw) as AuditEntry);
    }
    return out;
  }
}
