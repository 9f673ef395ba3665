import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { startFaultRig } from '../store/fault-rig.js';
import { unmount } from '../store/small-fs.js';
import { waitFor } from '../uplink/util.js';

// Hazard: the database file cannot be opened at all (read-only file system after a card error,
// permissions, no space to create it). Before: Store.open threw and the hub did not monitor.
const isRoot = process.getuid?.() === 0;
let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'carehub-ro-'));
  dir = join(base, 'state');
  mkdirSync(dir);
});
afterEach(() => {
  unmount(dir);
  try { chmodSync(dir, 0o700); } catch { /* gone */ }
  rmSync(base, { recursive: true, force: true });
});

/** Makes `dir` unwritable: a read-only tmpfs when root (root ignores permissions), else mode 0500. */
function readOnly(withEarlierDb: boolean): Promise<string> | string {
  if (isRoot) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
    if (withEarlierDb) return startFaultRig({ dir, hubId: 'hub-ro', log: silentLogger() }).then(async (r) => { await r.spo2(97); await r.stop(); execFileSync('mount', ['-o', 'remount,ro', dir]); return 'read-only tmpfs'; });
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    return 'read-only tmpfs';
  }
  chmodSync(dir, 0o500);
  return 'directory mode 0500';
}

describe(`database cannot be opened (${isRoot ? 'read-only tmpfs' : 'directory mode 0500'})`, () => {
  async function runsOnMemory(withEarlierDb: boolean): Promise<void> {
    const how = await readOnly(withEarlierDb);
    console.log(`storage-readonly: ${how}`);
    const rig = await startFaultRig({ dir, hubId: 'hub-ro', log: silentLogger() });
    try {
      expect(rig.store.mode).toBe('memory');
      expect(rig.store.health()).toMatchObject({ mode: 'memory', errorCauses: ['memory'] });
      const err = rig.conditions.find((c) => c.code === 'storage_error' && c.active)!;
      expect(err.text).toMatch(isRoot ? /read-only file system/i : /permission denied|EACCES/i);
      expect(err.text).toMatch(/nothing is saved to disk/);
      expect(rig.activeCodes()).toContain('storage_error');

      await rig.spo2(80);
      await waitFor(() => rig.activeCodes().includes('spo2_low'), 2000, 'spo2_low raised');
      expect(rig.store.depth().byLane[0]).toBeGreaterThanOrEqual(2); // storage_error + spo2_low raised, in memory
      expect(rig.store.depth().byLane[1]).toBe(1);
      expect(rig.store.durability().journalMode).toBe('memory');
    } finally {
      await rig.stop();
    }
  }

  it('no database and a directory that cannot be written: runs on memory, raises storage_error naming the reason, and readings still alarm', () => runsOnMemory(false), 30_000);

  // a 0500 directory does not stop root, and a non-root test cannot mount: this case needs root
  it.skipIf(!isRoot)('an existing database on a read-only file system: runs on memory, raises storage_error naming the reason, and readings still alarm', () => runsOnMemory(true), 30_000);
});
