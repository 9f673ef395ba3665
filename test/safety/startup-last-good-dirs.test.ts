import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAST_GOOD_FILE, resolveRunConfig, saveLastGood, stateDirCandidates } from '../../src/config/last-good.js';

// Where the last-known-good copy lives and how it is chosen (real files, real parser).
describe('last-known-good config: state directory and selection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-lgdirs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = (id: string, store: string): string => `hub: { id: ${id} }\nstorage: { path: ${store} }\nuplink: { mqtt: { url: "mqtt://127.0.0.1:1883" } }\n`;

  it('prefers $STATE_DIRECTORY (first entry), then $CAREHUB_STATE_DIR, then the folder storage.path names in the damaged file', () => {
    expect(stateDirCandidates(null, { STATE_DIRECTORY: '/var/lib/carehub:/var/lib/other', CAREHUB_STATE_DIR: '/x' })).toEqual(['/var/lib/carehub']);
    expect(stateDirCandidates(null, { CAREHUB_STATE_DIR: '/x' })).toEqual(['/x']);
    expect(stateDirCandidates('hub: { id: "bad id" }\nstorage: { path: /data/hub/c.db }\n', {})).toEqual(['/data/hub', '/var/lib/carehub']);
    expect(stateDirCandidates('::: not yaml [', {})).toEqual(['/var/lib/carehub']);
  });

  it('saves atomically with mode 0600, leaves no temp file, and does not rewrite an unchanged copy', () => {
    const state = join(dir, 'state');
    const p = saveLastGood(state, good('hub-a', join(dir, 'a.db')));
    expect(statSync(p).mode & 0o777).toBe(0o600);
    const mtime = statSync(p).mtimeMs;
    saveLastGood(state, good('hub-a', join(dir, 'a.db')));
    expect(statSync(p).mtimeMs).toBe(mtime);
    expect(readdirSync(state)).toEqual([LAST_GOOD_FILE]);
  });

  it('uses the file when valid; the copy with the file\'s problems when not; nothing when the copy is invalid too', () => {
    const state = join(dir, 'sel');
    const file = join(dir, 'carehub.yaml');
    writeFileSync(file, good('hub-file', join(dir, 'f.db')));
    const env = { CAREHUB_STATE_DIR: state };
    const r1 = resolveRunConfig(file, env);
    expect(r1.ok && r1.source.kind).toBe('file');
    saveLastGood(state, good('hub-copy', join(dir, 'f.db')));
    writeFileSync(file, 'hub: { id: hub-file, extra: 1 }\n');
    const r2 = resolveRunConfig(file, env);
    if (!r2.ok || r2.source.kind !== 'last-good') throw new Error('expected the last-known-good copy');
    expect(r2.config.hub.id).toBe('hub-copy');
    expect(r2.source.problems.map((p) => p.path)).toContain('hub.extra');
    writeFileSync(join(state, LAST_GOOD_FILE), 'hub: [\n');
    const r3 = resolveRunConfig(join(dir, 'missing.yaml'), env);
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.problems[0]?.message).toMatch(/cannot read .*missing\.yaml: ENOENT/);
  });
});
