import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, linkSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.js';
import { ErrorCode, HubError } from '../core/errors.js';
import { verdict } from './integrity.js';
import { migrate } from './migrations.js';

export type Db = Database.Database;

/**
 * Opening the database file: directory and file permissions, PRAGMAs, and the start-up
 * integrity check. A file that is not a database, or fails `PRAGMA quick_check`, is moved aside
 * (with its -wal and -shm) to `<path>.corrupt-<timestamp>` and a fresh file is opened in its place,
 * so a damaged card never turns into a crash loop.
 */

export interface OpenedDb {
  db: Db;
  /** Where a corrupt file was moved, when one was. */
  quarantined: string | null;
  /** Why the old file was judged corrupt (the SQLite message or the first quick_check line). */
  reason: string | null;
}

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

/** True when an error from SQLite says the file itself is damaged (not busy, not permissions). */
export function isCorruptionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CORRUPT_CODES.has(code)) return true;
  return /file is not a database|database disk image is malformed/i.test(err.message);
}

/** Create the parent (0700) and the file (0600) before SQLite sees it; tighten an existing file. */
export function prepareFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  for (const side of ['-wal', '-shm']) if (existsSync(path + side)) chmodSync(path + side, 0o600);
}

/** The PRAGMAs of every carehub database connection (exported for the raw benchmark). */
export function applyPragmas(db: Db): void {
  // 16 KiB pages for a new file (no-op on an existing one; must precede the WAL switch, which
  // creates the file). Every commit writes each dirty page to the WAL as one frame; the random
  // uid index dirties pages all over the tree, and fewer, larger frames cost measurably less
  // CPU per reading than 4 KiB ones (bench/store.ts: ~+25 % rows per CPU second).
  db.pragma('page_size = 16384');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    throw new HubError(ErrorCode.StoreOpen, `journal_mode WAL refused (got ${String(mode)})`);
  }
  // FULL: every commit fsyncs the WAL, so an acknowledged write survives a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  // 16 MiB of page cache: holds the hot part of the uid index during ingest bursts (32 MiB
  // measured no faster) and bounds what the open-time scans leave resident (hub RSS budget).
  db.pragma('cache_size = -16384');
  // No memory-mapped I/O: mapped pages would count towards the hub's RSS.
  db.pragma('mmap_size = 0');
  // Checkpoint every ~40 MB of WAL (2,500 x 16 KiB pages) instead of 4 MB: random-key index
  // pages rewritten by many commits are copied back once (measured ~1.5x ingest). The WAL is
  // truncated to 64 MB after.
  db.pragma('wal_autocheckpoint = 2500');
  db.pragma('journal_size_limit = 67108864');
}

/** Page cache of a whole-file pass (quick_check, open-time accounting), KiB. */
export const SCAN_CACHE_KIB = 512;

/**
 * Runs `fn` with the connection's page cache limited to `kib` KiB, then restores the limit.
 * A pass over the whole file reads every page once: with the normal 16 MiB limit it would leave
 * 16 MiB of pages nobody needs resident (measured: +16 MB RSS at open for a 1M-row outbox,
 * and no faster).
 */
export function withCacheSize<T>(db: Db, kib: number, fn: () => T): T {
  const before = Number(db.pragma('cache_size', { simple: true }));
  db.pragma(`cache_size = -${Math.max(1, Math.round(kib))}`);
  try {
    return fn();
  } finally {
    db.pragma(`cache_size = ${before}`);
  }
}

/** Returns null when the file is sound, else a short reason. Never throws for a damaged file. */
export function checkIntegrity(db: Db): string | null {
  const rows = withCacheSize(db, SCAN_CACHE_KIB, () => db.pragma('quick_check(5)') as Array<Record<string, unknown>>);
  return verdict(rows.map((r) => String(Object.values(r)[0])));
}

function tryOpen(path: string): { db: Db } | { corrupt: string } {
  let db: Db | undefined;
  try {
    db = new Database(path);
    applyPragmas(db);
    const bad = checkIntegrity(db);
    if (bad) {
      db.close();
      return { corrupt: bad };
    }
    return { db };
  } catch (err) {
    try { db?.close(); } catch { /* already unusable */ }
    if (isCorruptionError(err)) return { corrupt: (err as Error).message };
    throw err;
  }
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Move the database and its -wal/-shm aside; returns the new main path. */
export function quarantine(path: string, nowMs: number): string {
  let target = `${path}.corrupt-${stamp(nowMs)}`;
  for (let n = 1; existsSync(target); n++) target = `${path}.corrupt-${stamp(nowMs)}-${n}`;
  for (const side of ['-wal', '-shm']) if (existsSync(path + side)) renameSync(path + side, target + side);
  // SQLite removes the WAL when the failed connection closes; the pre-open link keeps its bytes.
  if (existsSync(path + WAL_KEEP)) {
    if (existsSync(`${target}-wal`)) rmSync(path + WAL_KEEP);
    else renameSync(path + WAL_KEEP, `${target}-wal`);
  }
  renameSync(path, target);
  return target;
}

const WAL_KEEP = '-wal.preopen';

/** Hard-links an existing WAL so a corrupt file can be quarantined with the WAL it had. */
function keepWal(path: string): void {
  rmSync(path + WAL_KEEP, { force: true });
  if (existsSync(`${path}-wal`)) {
    try { linkSync(`${path}-wal`, path + WAL_KEEP); } catch { /* best effort: evidence only */ }
  }
}

export function openDatabase(path: string, log: Logger, nowMs: number): OpenedDb {
  try {
    prepareFile(path);
  } catch (err) {
    throw new HubError(ErrorCode.StoreOpen, `cannot create database file ${path}: ${(err as Error).message}`, { path });
  }
  keepWal(path);
  const first = tryOpen(path);
  if ('db' in first) {
    rmSync(path + WAL_KEEP, { force: true });
    return { db: first.db, quarantined: null, reason: null };
  }

  const moved = quarantine(path, nowMs);
  log.error({ path, movedTo: moved, reason: first.corrupt, code: ErrorCode.StoreCorrupt },
    'database file is corrupt: moved aside, starting a fresh store (buffered unsent data in it is not delivered)');
  prepareFile(path);
  const second = tryOpen(path);
  if ('db' in second) return { db: second.db, quarantined: moved, reason: first.corrupt };
  throw new HubError(ErrorCode.StoreCorrupt, `fresh database at ${path} is corrupt too: ${second.corrupt}`, { path });
}

/**
 * The fallback when the file cannot be opened at all (read-only file system, permission denied,
 * no space to create it, a schema from a newer carehub): an in-memory database with the same
 * schema, so local monitoring runs. Nothing in it survives a restart.
 */
export function openMemoryDatabase(): Db {
  const db = new Database(':memory:');
  db.pragma('temp_store = MEMORY');
  return db;
}

/**
 * The store's database: the file (migrated), or, when it cannot be opened at all, an in-memory
 * one with the reason. Never throws for a storage reason.
 */
export function openOrFallBack(path: string, log: Logger, nowMs: number): { db: Db; quarantined: string | null; memoryReason: string | null } {
  try {
    const opened = openDatabase(path, log, nowMs);
    try {
      migrate(opened.db, log);
    } catch (err) {
      opened.db.close();
      throw err;
    }
    return { db: opened.db, quarantined: opened.quarantined, memoryReason: null };
  } catch (err) {
    const memoryReason = (err as Error).message;
    log.error({ path, err: memoryReason }, 'cannot open the database file: running on a memory-only store, nothing is kept across a restart');
    const db = openMemoryDatabase();
    migrate(db, log);
    return { db, quarantined: null, memoryReason };
  }
}
