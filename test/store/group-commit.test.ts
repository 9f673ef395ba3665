import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, idsOf, readings, tempDir, type Harness } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness;
beforeEach(() => { tmp = tempDir(); h = harness(tmp.dir); });
afterEach(() => tmp.cleanup());

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('collects batches for the window, commits them in one transaction, and resolves only after it', async () => {
    const s = h.open({ groupCommit: { windowMs: 10, maxRows: 1000 } });
    let resolved = 0;
    const a = s.submit(readings(0, 3)).then((r) => { resolved++; return r; });
    h.clock.advance(5);
    const b = s.submit(readings(2, 3)).then((r) => { resolved++; return r; });
    await tick();
    expect(resolved).toBe(0);
    expect(s.depth().total).toBe(0); // nothing written before the commit
    h.clock.advance(5);
    expect(await a).toEqual({ inserted: 3, duplicates: 0 });
    expect(await b).toEqual({ inserted: 2, duplicates: 1 });
    expect(s.stats().commits).toBe(1);
    expect(idsOf(s, 1)).toEqual(['rid-0', 'rid-1', 'rid-2', 'rid-3', 'rid-4']);
    s.close();
  });

  it('commits at once when maxRows readings are queued, without waiting for the window', async () => {
    const s = h.open({ groupCommit: { windowMs: 10_000, maxRows: 10 } });
    const a = s.submit(readings(0, 6));
    const b = s.submit(readings(6, 6));
    expect(await Promise.all([a, b])).toEqual([{ inserted: 6, duplicates: 0 }, { inserted: 6, duplicates: 0 }]);
    expect(s.stats().commits).toBe(1);
    s.close();
  });

  it('close() commits what is queued; later submissions are refused', async () => {
    const s = h.open({ groupCommit: { windowMs: 10_000 } });
    const a = s.submit(readings(0, 2));
    s.close();
    expect(await a).toEqual({ inserted: 2, duplicates: 0 });
    await expect(s.submit(readings(5, 1))).rejects.toThrow(/closed/);
    const s2 = h.open();
    expect(s2.depth().total).toBe(2);
    s2.close();
  });

  it('under sustained load commits on the next event-loop turn instead of waiting out the window', async () => {
    const s = h.open({ groupCommit: { windowMs: 10_000, maxRows: 10 } });
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    let done = false;
    void s.submit(readings(0, 6));
    s.flush(); // a commit of >= maxRows/2: busy
    void s.submit(readings(6, 1)).then(() => { done = true; });
    await turn();
    await turn();
    expect(done).toBe(true); // the (fake) window never elapsed
    expect(s.stats().commits).toBe(2);
    // that commit was small: back to the window
    let late = false;
    void s.submit(readings(7, 1)).then(() => { late = true; });
    await turn();
    await turn();
    expect(late).toBe(false);
    h.clock.advance(10_000);
    await turn();
    expect(late).toBe(true);
    s.close();
  });
});
