import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.js';

/**
 * One hub per store. Two hubs on one database knock each other off the broker (same client id),
 * fight over the file (`database is locked`) and keep `uplink_down` from ever firing.
 *
 * The lock is `<storage.path>.lock`, a small SQLite file held by a connection in
 * `locking_mode=EXCLUSIVE` after one write: SQLite then keeps its POSIX lock on the file until the
 * connection closes, and the kernel drops that lock when the process ends in any way (SIGKILL and
 * power loss included), so a crash never leaves a stale lock that blocks the restart.
 * Chosen over a Linux abstract Unix socket named after the store path because a file lock lives
 * on the file itself: it also holds across network namespaces and containers sharing the store
 * (systemd PrivateNetwork=, a second container), where abstract socket names are not shared, and
 * it needs no second library (better-sqlite3 is already the store's).
 *
 * Taken before the store opens and before the uplink exists, so a refused second instance has
 * touched neither the database nor the broker.
 */
export class InstanceLockedError extends Error {
  constructor(readonly lockPath: string) {
    super(`another carehub instance holds ${lockPath}`);
    this.name = 'InstanceLockedError';
  }
}

export interface InstanceLock {
  readonly path: string;
  release(): void;
}

export function lockPathFor(storePath: string): string {
  return `${storePath}.lock`;
}

/**
 * Takes the lock or throws InstanceLockedError when another live process holds it. Any other
 * failure (read-only or full file system, permissions) returns null after logging: refusing to
 * monitor because a lock file cannot be written would be worse than the risk it guards against,
 * and the store reports the same file-system fault as a technical alarm.
 */
export function acquireInstanceLock(storePath: string, log: Logger): InstanceLock | null {
  const path = lockPathFor(storePath);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600)); // created private before SQLite opens it
    // timeout 0: a held lock answers SQLITE_BUSY at once instead of after the 5 s busy wait
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)');
    // the write that makes SQLite take, and from now on keep, the exclusive file lock
    db.transaction(() => {
      db!.prepare('DELETE FROM holder').run();
      db!.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, new Date().toISOString());
    })();
  } catch (err) {
    try { db?.close(); } catch { /* closing a half-open handle */ }
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new InstanceLockedError(path);
    log.error({ path, err: (err as Error).message }, 'instance lock not taken; starting without it');
    return null;
  }
  const held = db;
  let released = false;
  return {
    path,
    release: () => {
      if (released) return;
      released = true;
      try { held.close(); } catch (err) { log.warn({ path, err: (err as Error).message }, 'instance lock close failed'); }
    },
  };
}
