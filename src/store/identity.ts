import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import type { Logger } from '../core/log.js';
import type { TechnicalCondition } from '../alarms/types.js';

/**
 * Which database is this? Two checks, both raising `storage_replaced`:
 *
 * 1. While running (FileWatch): the device and inode of the database file, taken at open, are
 *    compared with the path in housekeeping and after a failed write (never per write). A file
 *    deleted, or replaced by another one, is reported once. The hub then keeps running on the
 *    handle it has open: nothing in flight is lost, the uplink keeps delivering what is stored,
 *    local alarms keep working. What is written from then on lives in a file no longer reachable
 *    by its path, and is gone at the next restart; the alarm text says so. The condition stays
 *    active until the hub is restarted.
 * 2. At start (reconcileMarker): every database carries an id in its kv (`store.id`), and the
 *    state directory holds a marker `<path>.id` with the id of the database last opened there. A
 *    marker whose id the opened database does not carry means the earlier database is gone (a
 *    fresh one was created in its place, or another file was put there): its unsent data, alarm
 *    state, remote rules and CGM cursor are lost. A first start (no marker) raises nothing.
 */

export const DB_ID_KEY = 'store.id';

export interface FileId { dev: number; ino: number }

export function fileId(path: string): FileId | null {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}

export function markerPath(dbPath: string): string {
  return `${dbPath}.id`;
}

export class FileWatch {
  private reported = false;

  constructor(
    private readonly path: string,
    private readonly opened: FileId,
    private readonly log: Logger,
    private readonly onTechnical: (c: TechnicalCondition) => void,
  ) {}

  get replaced(): boolean { return this.reported; }

  /** Compares the path with the file opened; reports a change once. True when it is the same file. */
  check(): boolean {
    if (this.reported) return false;
    const now = fileId(this.path);
    if (now && now.dev === this.opened.dev && now.ino === this.opened.ino) return true;
    this.reported = true;
    const how = now ? 'replaced by another file' : 'deleted';
    this.log.error({ path: this.path, how }, 'database file changed under the running hub: keeping the open file; what is stored from now on is lost at the next restart');
    this.onTechnical({ code: 'storage_replaced', active: true,
      text: `The database file ${this.path} was ${how} while the hub was running. Monitoring and delivery continue on the open file, but data stored from now on is lost at the next restart. Check the state directory, then restart the hub.` });
    return false;
  }
}

export interface KvAccess {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/**
 * Gives the database an id if it has none, compares it with the marker, and rewrites the marker.
 * Returns the text of a `storage_replaced` condition to raise, or null. `quarantined`: a corrupt
 * file was moved aside at this start (already reported as storage_corrupt_recovered).
 */
export function reconcileMarker(dbPath: string, kv: KvAccess, quarantined: boolean, log: Logger): string | null {
  let id = kv.get(DB_ID_KEY);
  const fresh = id === undefined;
  if (id === undefined) {
    id = randomUUID();
    kv.set(DB_ID_KEY, id);
  }
  const marker = markerPath(dbPath);
  let previous: string | null = null;
  if (existsSync(marker)) {
    try {
      previous = readFileSync(marker, 'utf8').trim() || null;
    } catch (err) {
      log.warn({ marker, err: (err as Error).message }, 'database marker unreadable');
    }
  }
  if (previous !== id) writeMarker(marker, id, log);
  if (previous === null || previous === id || quarantined) return null;
  log.error({ path: dbPath, previousId: previous, id, fresh }, 'the database is not the one this state directory had: earlier unsent data and state are gone');
  return fresh
    ? `A new, empty database was created at ${dbPath} where an earlier one existed: its unsent readings and alarm events, alarm state, remote alarm rules and CGM cursors are lost.`
    : `The database at ${dbPath} is not the one the hub used before (another file was put in its place): earlier unsent data and state are not in it.`;
}

function writeMarker(marker: string, id: string, log: Logger): void {
  const tmp = `${marker}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${id}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, marker);
  } catch (err) {
    log.warn({ marker, err: (err as Error).message }, 'could not write the database marker: a replaced database will not be noticed at the next start');
  }
}
