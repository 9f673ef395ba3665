import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY_METHODS, isStateChanging } from '../../src/control/access.js';
import { createControlServer, type ControlServer } from '../../src/control/server.js';
import { silentLogger } from '../../src/core/log.js';

/**
 * Who can use the control socket, with clients that really run as other users: the service's
 * group (gid 4242 here, `carehub` on a hub) and an outsider (uid/gid 4243). Needs root to
 * switch users; CI and the development machines run as root.
 */
const SERVICE_GID = 4242;
const OUTSIDER = { uid: 4243, gid: 4243 };
const MEMBER = { uid: 4244, gid: SERVICE_GID };

const open: ControlServer[] = [];
afterEach(async () => { for (const s of open.splice(0)) await s.close(); });

/**
 * The real client (src/control/client.ts through fixtures/ask.ts), bundled into one file in a
 * folder every user may read: the checkout itself may sit below a folder other users cannot
 * enter (a CI clone in a 0700 temp dir), and the client must run as those users.
 */
let clientJs = '';
async function bundleClient(): Promise<void> {
  const { buildSync } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'carehub-ask-'));
  chmodSync(dir, 0o755);
  clientJs = join(dir, 'ask.mjs');
  buildSync({ entryPoints: [resolve('test/control/fixtures/ask.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: clientJs, logLevel: 'silent' });
  chmodSync(clientJs, 0o644);
}

function ask(as: { uid: number; gid: number }, path: string, method: string, args: object = {}): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [clientJs, path, method, JSON.stringify(args)], {
      uid: as.uid,
      gid: as.gid,
      cwd: '/',
      env: { PATH: process.env.PATH, HOME: '/' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', () => {
      try { done(JSON.parse(out) as { ok: boolean }); } catch { fail(new Error(`client as uid ${as.uid} printed ${JSON.stringify(out)} ${err}`)); }
    });
  });
}

async function start(): Promise<{ path: string; acks: string[] }> {
  const base = mkdtempSync(join(tmpdir(), 'carehub-acl-'));
  chmodSync(base, 0o711); // like /run: anyone may traverse
  const path = join(base, 'carehub', 'control.sock');
  const acks: string[] = [];
  open.push(await createControlServer({
    path,
    log: silentLogger(),
    group: SERVICE_GID,
    handlers: {
      status: async () => ({ hub: 'h' }),
      'alarms.list': async () => ({ alarms: [] }),
      'alarms.ack': async (a) => { acks.push(String(a.id)); return { ok: true }; },
    },
  }));
  // systemd's RuntimeDirectory=carehub: owned by the service's user and group, mode 0750
  chownSync(join(base, 'carehub'), 0, SERVICE_GID);
  return { path, acks };
}

describe('control socket access', () => {
  beforeAll(async () => {
    expect(process.getuid?.(), 'these tests switch users and need root').toBe(0);
    await bundleClient();
  });
  afterAll(() => rmSync(dirname(clientJs), { recursive: true, force: true }));

  it('classifies methods explicitly: only status and alarms.list are read-only', () => {
    expect([...READ_ONLY_METHODS].sort()).toEqual(['alarms.list', 'status']);
    for (const m of ['alarms.ack', 'alarms.reset', 'alarms.pause', 'alarms.test', 'rig.fault', 'some.future.method']) expect(isStateChanging(m)).toBe(true);
  });

  it('the socket is 0660 and belongs to the service group', async () => {
    const { path } = await start();
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.gid).toBe(SERVICE_GID);
  });

  it('a user outside the service group cannot connect at all; a member can read and acknowledge', async () => {
    const { path, acks } = await start();
    const outsiderStatus = await ask(OUTSIDER, path, 'status');
    expect(outsiderStatus.ok).toBe(false);
    expect(outsiderStatus.error).toMatch(/permission denied/);
    expect((await ask(OUTSIDER, path, 'alarms.ack', { id: 'a1' })).error).toMatch(/permission denied/);
    expect(acks).toEqual([]);

    expect(await ask(MEMBER, path, 'status')).toEqual({ ok: true, result: { hub: 'h' } });
    expect(await ask(MEMBER, path, 'alarms.ack', { id: 'a2' })).toEqual({ ok: true, result: { ok: true } });
    expect(acks).toEqual(['a2']);
  }, 60_000);

  it('when the guard is loosened (socket 0666), outsiders can read but every state-changing request is refused until it is restored', async () => {
    const { path, acks } = await start();
    chmodSync(join(path, '..'), 0o755);
    chmodSync(path, 0o666);
    expect(await ask(OUTSIDER, path, 'status')).toEqual({ ok: true, result: { hub: 'h' } });
    expect(await ask(OUTSIDER, path, 'alarms.list')).toEqual({ ok: true, result: { alarms: [] } });
    const ack = await ask(OUTSIDER, path, 'alarms.ack', { id: 'a3' });
    expect(ack.ok).toBe(false);
    expect(ack.error).toMatch(/refused: .*open to all users \(mode 666\)/);
    expect((await ask(MEMBER, path, 'alarms.ack', { id: 'a4' })).error).toMatch(/refused/);
    expect(acks).toEqual([]);

    chmodSync(path, 0o660);
    expect(await ask(MEMBER, path, 'alarms.ack', { id: 'a5' })).toEqual({ ok: true, result: { ok: true } });
    // a socket handed to another group is refused the same way
    chownSync(path, 0, 100);
    chmodSync(path, 0o660);
    expect((await ask({ uid: 0, gid: 0 }, path, 'alarms.ack', { id: 'a6' })).error).toMatch(/changed group/);
    expect(acks).toEqual(['a5']);
  }, 60_000);
});
