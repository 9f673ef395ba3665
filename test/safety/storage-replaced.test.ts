import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markerPath } from '../../src/store/identity.js';
import { harness, idsOf, readings, tempDir, type Harness } from '../store/helpers.js';

// Hazard: the database is deleted or swapped while the hub runs, or a fresh one appears where an
// earlier one was. Before: unnoticed; the next start silently made a new, empty database (unsent
// rows, alarm state, remote rules and CGM cursor lost) at info level.
let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const replaced = (): number => h.conditions.filter((c) => c.code === 'storage_replaced' && c.active).length;
const removeDb = (): void => { for (const s of ['', '-wal', '-shm']) rmSync(h.path + s, { force: true }); };

describe('database deleted or replaced while running', () => {
  it('raises storage_replaced once when the file is deleted, and keeps working on the open file', () => {
    const s = h.open();
    s.insertReadings(readings(0, 3));
    s.housekeeping();
    expect(replaced()).toBe(0);
    removeDb();
    s.housekeeping();
    expect(replaced()).toBe(1);
    expect(h.conditions.find((c) => c.code === 'storage_replaced')!.text).toMatch(/deleted/);
    // nothing in flight is lost: the open handle still stores and drains
    s.insertReadings(readings(3, 2));
    expect(idsOf(s, 1)).toEqual(['rid-0', 'rid-1', 'rid-2', 'rid-3', 'rid-4']);
    s.housekeeping();
    expect(replaced()).toBe(1); // once, not per housekeeping
    expect(s.health().replaced).toBe(true);
    s.close();
  });

  it('raises storage_replaced when another file is put in its place', () => {
    const s = h.open();
    s.insertReadings(readings(0, 1));
    s.housekeeping();
    copyFileSync(h.path, `${h.path}.other`);
    renameSync(`${h.path}.other`, h.path);
    s.housekeeping();
    expect(replaced()).toBe(1);
    expect(h.conditions.find((c) => c.code === 'storage_replaced')!.text).toMatch(/replaced by another file/);
    s.close();
  });

  it('the integrity check does not check a file that is not the open one, and says so', async () => {
    const s = h.open();
    removeDb();
    const r = await s.integrityCheck();
    expect(r.ok).toBe(false);
    expect(replaced()).toBe(1);
    s.close();
  });
});

describe('a fresh database where an earlier one existed', () => {
  it('raises nothing on a genuinely first start, nor on a normal restart', () => {
    h.open().close();
    expect(existsSync(markerPath(h.path))).toBe(true);
    h.open().close();
    expect(h.conditions).toEqual([]);
  });

  it('raises storage_replaced at start when the earlier database is gone', () => {
    const s = h.open();
    s.insertReadings(readings(0, 3));
    s.close();
    const before = readFileSync(markerPath(h.path), 'utf8');
    removeDb();
    const s2 = h.open();
    expect(replaced()).toBe(1);
    expect(h.conditions.find((c) => c.code === 'storage_replaced')!.text).toMatch(/new, empty database/);
    expect(readFileSync(markerPath(h.path), 'utf8')).not.toBe(before); // the new database is now the known one
    s2.close();
    h.open().close();
    expect(replaced()).toBe(1); // not again on the next start
  });

  it('raises storage_replaced at start when the database was deleted while the hub ran, then restarted', () => {
    const s = h.open();
    removeDb();
    s.housekeeping();
    s.close();
    expect(replaced()).toBe(1);
    h.open().close();
    expect(replaced()).toBe(2);
  });

  it('raises storage_replaced when another database file is put there between runs', () => {
    const other = harness(`${tmp.dir}/other`);
    other.open().close();
    h.open().close();
    for (const s of ['', '-wal', '-shm']) if (existsSync(other.path + s)) copyFileSync(other.path + s, h.path + s);
    h.open().close();
    expect(replaced()).toBe(1);
    expect(h.conditions.find((c) => c.code === 'storage_replaced')!.text).toMatch(/not the one/);
  });
});
