import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { TechnicalCondition } from '../alarms/types.js';

/**
 * Storage faults as alarms. A write that fails because the file system is full raises
 * `storage_full`; one that fails with an I/O error (or any other error SQLite reports about the
 * file: read-only, locked, damaged) raises `storage_error`. Each is raised once, on the
 * transition, and cleared by the first write that succeeds again. While a fault lasts, failed
 * writes are counted, not logged one by one: the transition is logged once (error), then at most
 * one summary line per SUMMARY_EVERY_MS (warn), and the recovery once (info) with the totals.
 *
 * `storage_error` has more than one cause, some of which do not end with a good write (the store
 * runs on memory because the file could not be opened; the integrity check failed). It is active
 * while any cause is; the priority comes from the technical catalogue, never from here.
 */

export type StorageFaultKind = 'full' | 'error';

/** Causes of `storage_error`. `write` ends with a good write; the others are set and cleared by their owner. */
export type ErrorCause = 'write' | 'memory' | 'integrity' | 'events_lost';

export const SUMMARY_EVERY_MS = 60_000;

const FULL = /database or disk is full|no space left|ENOSPC/i;
const STORAGE_MESSAGE = /disk I\/O error|readonly database|read-only file system|unable to open database|database disk image is malformed|file is not a database|database is locked|EIO|EROFS/i;
const STORAGE_CODES = ['SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL', 'SQLITE_NOLFS', 'SQLITE_PERM'];

/**
 * What a failed store operation says about the storage: `full`, `error`, or null when the error
 * is not about the storage at all (a bad value, a closed store): such an error is not a storage
 * alarm, and what caused it is not held for a retry (it would fail again forever).
 */
export function classifyStorageError(err: unknown): StorageFaultKind | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'full';
    if (code === 'EIO' || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'error';
    if (STORAGE_CODES.some((c) => code === c || code.startsWith(`${c}_`))) return 'error';
    if (code.startsWith('SQLITE_')) return FULL.test(err.message) ? 'full' : STORAGE_MESSAGE.test(err.message) ? 'error' : null;
  }
  if (FULL.test(err.message)) return 'full';
  return STORAGE_MESSAGE.test(err.message) ? 'error' : null;
}

export interface StorageFaultsOptions {
  log: Logger;
  clock: Clock;
  onTechnical(c: TechnicalCondition): void;
}

export interface StorageFaultStats {
  /** The fault in force, or null. */
  fault: StorageFaultKind | null;
  /** Causes of `storage_error` in force. */
  errorCauses: ErrorCause[];
  /** Failed write transactions since the store was opened. */
  failedWrites: number;
}

export class StorageFaults {
  private full = false;
  private readonly causes = new Map<ErrorCause, string>();
  private failedTotal = 0;
  private failedSinceSummary = 0;
  private failedThisFault = 0;
  private lastSummaryMono = 0;
  private lastMessage = '';

  constructor(private readonly o: StorageFaultsOptions) {}

  /** True while a write fault (full or write error) is in force: writes are being retried. */
  get faulted(): boolean { return this.full || this.causes.has('write'); }

  stats(): StorageFaultStats {
    return { fault: this.full ? 'full' : this.causes.has('write') ? 'error' : null, errorCauses: [...this.causes.keys()], failedWrites: this.failedTotal };
  }

  /** A write failed with a storage error (`kind` from classifyStorageError). */
  failed(kind: StorageFaultKind, err: Error, what: string, held: () => Record<string, number>): void {
    this.failedTotal++;
    this.failedSinceSummary++;
    this.failedThisFault++;
    this.lastMessage = err.message;
    const now = this.o.clock.mono();
    if (kind === 'full' && !this.full) {
      this.full = true;
      this.lastSummaryMono = now;
      this.o.log.error({ what, err: err.message, ...held() }, 'storage full: writes fail; alarm events and readings are held in memory and retried');
      this.o.onTechnical({ code: 'storage_full', active: true,
        text: 'Storage full: new readings and alarm events cannot be saved to disk. Local alarms keep working; held data is written when space returns. Free space on the hub.' });
      return;
    }
    if (kind === 'error' && !this.causes.has('write')) {
      this.lastSummaryMono = now;
      this.o.log.error({ what, err: err.message, ...held() }, 'storage error: writes fail; alarm events and readings are held in memory and retried');
      this.setCause('write', `Storage error (${shorten(err.message)}): readings and alarm events cannot be saved. Local alarms keep working; held data is written when the store works again.`);
      return;
    }
    if (now - this.lastSummaryMono >= SUMMARY_EVERY_MS) {
      this.o.log.warn({ failedWrites: this.failedSinceSummary, lastError: this.lastMessage, ...held() }, 'storage still failing');
      this.failedSinceSummary = 0;
      this.lastSummaryMono = now;
    }
  }

  /** A write succeeded: ends a write fault (logs once, clears the conditions). */
  succeeded(held: Record<string, number>): void {
    if (!this.faulted) return;
    const wasFull = this.full;
    this.full = false;
    this.o.log.info({ failedWrites: this.failedThisFault, ...held }, 'storage writable again: held data written');
    this.failedThisFault = 0;
    this.failedSinceSummary = 0;
    if (wasFull) this.o.onTechnical({ code: 'storage_full', active: false, text: 'Storage writable again' });
    this.clearCause('write', 'Storage writable again');
  }

  /** Sets a cause of `storage_error`; raises it when it is the first cause. */
  setCause(cause: ErrorCause, text: string): void {
    const first = this.causes.size === 0;
    const known = this.causes.get(cause);
    this.causes.set(cause, text);
    if (first || known === undefined) this.o.onTechnical({ code: 'storage_error', active: true, text });
  }

  /** Removes a cause; clears `storage_error` when no cause is left. */
  clearCause(cause: ErrorCause, text: string): void {
    if (!this.causes.delete(cause)) return;
    if (this.causes.size === 0) this.o.onTechnical({ code: 'storage_error', active: false, text });
  }
}

function shorten(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
