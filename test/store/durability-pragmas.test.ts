import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, readings, tempDir, type Harness } from './helpers.js';

// The SIGKILL test in durability.test.ts would pass with synchronous=OFF (the OS keeps the page
// cache); only a power cut tells them apart. So the setting itself is checked, on the store's own
// connection, after a write and after a reopen.
let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

describe('durability settings in force', () => {
  it('the open store runs in WAL mode with synchronous=FULL (every commit fsyncs the WAL)', () => {
    const s = h.open();
    s.insertReadings(readings(0, 3));
    expect(s.durability()).toEqual({ journalMode: 'wal', synchronous: 'full' });
    s.close();
    const s2 = h.open();
    expect(s2.durability()).toEqual({ journalMode: 'wal', synchronous: 'full' });
    expect(s2.mode).toBe('file');
    s2.close();
  });
});
