import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/store/db.js';
import type { StoreOptions } from '../../src/store/store.js';

/**
 * A place where the disk can really fill up, for the storage fault tests.
 *
 * `tmpfs`: a 2 MB tmpfs mounted on a temp directory (needs root, as here and in CI). `fill()`
 * writes a filler file until the file system says ENOSPC; `free()` deletes it.
 * `max_page_count` (when mounting is refused): SQLite's page ceiling on the store's own
 * connection, set to the current size by `fill()` and lifted by `free()`: also a real SQLITE_FULL
 * from the real write path, without a real disk. `how` says which one runs (tests put it in
 * their names), so a fallback never passes unnoticed. CAREHUB_TEST_NO_MOUNT=1 forces the fallback.
 */
export interface SmallFs {
  how: 'tmpfs' | 'max_page_count';
  dir: string;
  /** Merge into the StoreOptions of the store under test. */
  storeOptions: Partial<StoreOptions>;
  fill(): void;
  free(): void;
  /**
   * Makes every write fail, deletes too: fill() on tmpfs (storage_full); with the fallback, where
   * a delete still fits under a page ceiling, `query_only` (SQLITE_READONLY: storage_error).
   */
  blockWrites(): 'full' | 'error';
  unblockWrites(): void;
  dispose(): void;
}

const SIZE = '2m';

function tryMount(dir: string, opts: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export function unmount(dir: string): void {
  try { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); } catch { /* not mounted */ }
}

export function smallFs(base: string): SmallFs {
  const dir = join(base, 'state');
  mkdirSync(dir, { recursive: true });
  // CAREHUB_TEST_NO_MOUNT=1 exercises the fallback on a machine where mounting works
  if (process.env.CAREHUB_TEST_NO_MOUNT !== '1' && tryMount(dir, `size=${SIZE},mode=0700`)) {
    const filler = join(dir, 'filler');
    return {
      how: 'tmpfs',
      dir,
      storeOptions: {},
      fill: () => {
        const fd = openSync(filler, 'a');
        const chunk = Buffer.alloc(16 * 1024, 0x55);
        try {
          for (;;) writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          // the last partial block: fill byte by byte so not even one page is left
          try { for (;;) writeSync(fd, chunk, 0, 512); } catch { /* full */ }
        } finally {
          closeSync(fd);
        }
      },
      free: () => rmSync(filler, { force: true }),
      blockWrites(): 'full' { this.fill(); return 'full'; },
      unblockWrites() { this.free(); },
      dispose: () => unmount(dir),
    };
  }
  let conn: Db | null = null;
  return {
    how: 'max_page_count',
    dir,
    storeOptions: { onConnection: (db) => { conn = db; } },
    fill: () => {
      if (!conn) throw new Error('store not opened');
      // use up the free pages first (a full disk has none to give either), then cap the file
      const free = Number(conn.pragma('freelist_count', { simple: true }));
      const pageSize = Number(conn.pragma('page_size', { simple: true }));
      conn.exec('CREATE TABLE IF NOT EXISTS test_filler (x BLOB)');
      if (free > 0) conn.prepare('INSERT INTO test_filler VALUES (zeroblob(?))').run(free * pageSize);
      const pages = Number(conn.pragma('page_count', { simple: true }));
      conn.pragma(`max_page_count = ${pages}`);
    },
    free: () => { conn?.pragma('max_page_count = 1073741823'); },
    blockWrites: () => { conn?.pragma('query_only = 1'); return 'error'; },
    unblockWrites: () => { conn?.pragma('query_only = 0'); },
    dispose: () => undefined,
  };
}
