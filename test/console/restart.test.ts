import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { passwordFilePath, setPassword } from '../../src/console/password-file.js';
import { HubProcess } from '../helpers/hub-process.js';
import { TECH_PASSWORD, VIEWER_PASSWORD } from './console-hub.js';
import { csrfOf, http, login, postJson } from './http-client.js';

// The console's restart puts a saved configuration (an edit, a device paired in the wizard) in
// force. It runs `carehub run` for real: under systemd (INVOCATION_ID set, Restart=always in the
// unit) the hub stops cleanly and systemd starts it again; elsewhere the console says how.
describe('restart from the console (carehub run as a process)', () => {
  const dirs: string[] = [];
  const hubs: HubProcess[] = [];
  afterAll(async () => {
    await Promise.all(hubs.map((h) => (h.running ? h.kill('SIGKILL') : null)));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function startHub(env: NodeJS.ProcessEnv): Promise<{ hub: HubProcess; url: string; file: string; cookie: string; csrf: string; origin: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-restart-'));
    dirs.push(dir);
    const file = join(dir, 'carehub.yaml');
    writeFileSync(file, `hub: { id: hub-restart }
storage: { path: ${join(dir, 'carehub.db')}, maxBytes: 64MB }
uplink: { mqtt: { url: "mqtt://127.0.0.1:1" } }
devices:
  - { id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal }
local: { pagePort: 0, controlSocket: ${join(dir, 'control.sock')}, sound: false }
log: { level: info }
`, { mode: 0o640 });
    await setPassword(passwordFilePath(join(dir, 'carehub.db')), 'technician', TECH_PASSWORD);
    await setPassword(passwordFilePath(join(dir, 'carehub.db')), 'viewer', VIEWER_PASSWORD);
    const hub = new HubProcess(file, { CAREHUB_STATE_DIR: dir, ...env });
    hubs.push(hub);
    hub.start();
    let url = '';
    await expect.poll(() => { url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/)"[^\n]*"msg":"console"/.exec(hub.log)?.[1] ?? ''; return url; }, { timeout: 30_000, interval: 200 }).not.toBe('');
    const cookie = (await login(url, TECH_PASSWORD)).cookie!;
    return { hub, url, file, cookie, csrf: await csrfOf(url, cookie), origin: url.slice(0, -1) };
  }

  it('under systemd: refused while the file has problems or for a viewer; then the hub stops cleanly (exit 0) for systemd to start it again, audited', async () => {
    const { hub, url, file, cookie, csrf, origin } = await startHub({ INVOCATION_ID: 'test-invocation' });
    const page = await http(`${url}config`, { headers: { cookie } });
    expect(page.body).toContain('id="restart"');
    const restart = (c = cookie, token = csrf) => postJson(`${url}api/restart`, c, {}, { 'x-csrf-token': token, origin });

    expect((await restart(cookie, 'wrong-token')).status).toBe(403);
    const viewer = (await login(url, VIEWER_PASSWORD)).cookie!;
    expect((await restart(viewer, await csrfOf(url, viewer))).status).toBe(403);

    // a file the hub could not use: it would come back on the last-known-good copy, so no restart
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('maxBytes: 64MB', 'maxBytes: lots'));
    const bad = await restart();
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body)).toMatchObject({ problems: [expect.objectContaining({ path: 'storage.maxBytes' })] });
    expect(hub.running).toBe(true);
    const audit = JSON.parse((await http(`${url}api/audit`, { headers: { cookie } })).body) as { entries: Array<{ action: string; ok: boolean; error?: string }> };
    expect(audit.entries.filter((e) => e.action === 'restart').map((e) => e.ok)).toEqual([false, false]); // the viewer's and the bad file's

    writeFileSync(file, good);
    const ok = await restart();
    expect(ok.status).toBe(202);
    expect(await hub.exited(25_000)).toBe(0);
    expect(hub.log).toContain('restart requested from the console');
  }, 60_000);

  it('not under a service manager: no restart button, the page says how, and the API refuses', async () => {
    const { hub, url, cookie, csrf, origin } = await startHub({ INVOCATION_ID: '' });
    const page = await http(`${url}config`, { headers: { cookie } });
    expect(page.body).not.toContain('id="restart"');
    expect(page.body).toContain('sudo systemctl restart carehub');
    const r = await postJson(`${url}api/restart`, cookie, {}, { 'x-csrf-token': csrf, origin });
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body).error).toMatch(/restart it yourself/);
    expect(hub.running).toBe(true);
    expect(await hub.kill('SIGTERM')).toBe(0);
  }, 60_000);
});
