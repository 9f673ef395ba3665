import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { checkIntegrity, type Db } from './db.js';
import type { StorageFaults } from './faults.js';
import type { FileWatch } from './identity.js';
import { quickCheckFile, verdict, type IntegrityResult } from './integrity.js';
import type { Outbox } from './outbox.js';

/** The periodic jobs of the store: pruning and checkpointing (housekeeping), and the integrity check. */

export interface HousekeepingResult {
  prunedSent: number;
  prunedAlarmHistory: number;
  checkpointed: boolean;
}

const PRUNE_CHUNK = 20_000;

export class Maintenance {
  private readonly pruneStmt: Database.Statement;
  private readonly historyPruneStmt: Database.Statement;

  constructor(private readonly db: Db, private readonly outbox: Outbox) {
    this.pruneStmt = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY sent_at LIMIT ?) RETURNING bytes').pluck();
    this.historyPruneStmt = db.prepare('DELETE FROM alarm_history WHERE seq IN (SELECT seq FROM alarm_history ORDER BY t DESC, seq DESC LIMIT -1 OFFSET ?)');
  }

  /** Prunes delivered rows older than `cutoff` and alarm history beyond `keep`, then checkpoints the WAL. */
  housekeep(cutoff: number, keep: number): HousekeepingResult {
    let prunedSent = 0;
    for (;;) {
      const before = this.outbox.snapshot();
      let bytes: number[];
      try {
        bytes = this.db.transaction(() => this.pruneStmt.all(cutoff, PRUNE_CHUNK) as number[])();
      } catch (err) {
        this.outbox.restore(before);
        throw err;
      }
      for (const b of bytes) { this.outbox.acc.sentRows--; this.outbox.acc.sentBytes -= b; }
      prunedSent += bytes.length;
      if (bytes.length < PRUNE_CHUNK) break;
    }
    // delivered ranges acknowledged before the cutoff, a chunk per transaction
    for (;;) {
      const before = this.outbox.snapshot();
      let n: number;
      try {
        n = this.db.transaction(() => this.outbox.pruneOldestRangeInTx(cutoff, PRUNE_CHUNK))();
      } catch (err) {
        this.outbox.restore(before);
        throw err;
      }
      if (n < 0) break;
      prunedSent += n;
    }
    const prunedAlarmHistory = this.historyPruneStmt.run(keep).changes;
    const cp = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    const checkpointed = (cp[0]?.busy ?? 1) === 0;
    return { prunedSent, prunedAlarmHistory, checkpointed };
  }
}

export interface IntegrityCheckDeps {
  db: Db;
  path: string;
  mode: 'file' | 'memory';
  watch: FileWatch | null;
  faults: StorageFaults;
  log: Logger;
  clock: Clock;
}

/**
 * `PRAGMA quick_check` while running, in a worker thread on its own read-only connection (the
 * alarm loop is not blocked; an in-memory store is checked in place). A failure raises
 * storage_error; a later clean check clears that cause.
 */
export async function integrityCheck(d: IntegrityCheckDeps): Promise<IntegrityResult> {
  const t0 = d.clock.mono();
  let detail: string | null;
  if (d.mode === 'memory') {
    detail = checkIntegrity(d.db);
  } else if (d.watch && !d.watch.check()) {
    return { ok: false, detail: 'the database file was deleted or replaced: not checked', ms: 0 };
  } else {
    const r = await quickCheckFile(d.path);
    detail = 'error' in r ? `could not check the file: ${r.error}` : verdict(r.lines);
  }
  const ms = d.clock.mono() - t0;
  if (detail === null) {
    d.log.info({ ms }, 'integrity check passed');
    d.faults.clearCause('integrity', 'Database integrity check passed');
    return { ok: true, detail: 'ok', ms };
  }
  d.log.error({ ms, detail }, 'integrity check failed');
  d.faults.setCause('integrity', `Database integrity check failed (${detail.slice(0, 160)}). Stored data may be damaged; local alarms keep working. Have the hub serviced.`);
  return { ok: false, detail, ms };
}
