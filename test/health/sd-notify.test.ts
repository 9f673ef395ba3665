import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { MAX_MESSAGE_BYTES, MAX_STATUS_CHARS, SdNotify, statusText } from '../../src/health/sd-notify.js';
import { Watchdog } from '../../src/health/watchdog.js';
import { startupConfig } from '../safety/startup-helpers.js';
import { HubProcess } from '../helpers/hub-process.js';
import { NotifyReceiver } from './notify-receiver.js';

let dir: string;
let rx: NotifyReceiver;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carehub-notify-'));
  rx = new NotifyReceiver(join(dir, 'notify.sock'));
  await rx.start();
});
afterEach(() => {
  rx.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('in-process sd_notify', () => {
  it('READY, WATCHDOG, STATUS and STOPPING come from this process itself, never from a child', async () => {
    let stalled = false;
    const env = { NOTIFY_SOCKET: rx.path, WATCHDOG_USEC: '30000000' };
    const w = new Watchdog({ clock: new FakeClock(), log: silentLogger(), env, checks: [() => (stalled ? 'alarm engine stalled' : null)], status: () => 'devices 1/2 connected; alarms none; backlog 3 unsent' });
    expect(await w.ready()).toBe(true);
    expect(w.beat()).toBe(true);
    stalled = true;
    expect(w.beat()).toBe(false);
    await w.stop();
    await rx.waitFor((m) => m.fields.STOPPING === '1', 5000, 'STOPPING=1');
    const f = rx.messages.map((m) => m.fields);
    expect(f[0]).toEqual({ READY: '1', STATUS: 'devices 1/2 connected; alarms none; backlog 3 unsent' });
    expect(f[1]).toEqual({ WATCHDOG: '1', STATUS: 'devices 1/2 connected; alarms none; backlog 3 unsent' });
    // unhealthy: no WATCHDOG=1 (systemd restarts the hub), and systemctl status says why
    expect(f[2]).toEqual({ STATUS: 'UNHEALTHY: alarm engine stalled' });
    expect(f[3]).toEqual({ STOPPING: '1', STATUS: 'stopping' });
    // the kernel-reported sender of every datagram is this process: no systemd-notify child
    expect(rx.messages.map((m) => m.pid)).toEqual([process.pid, process.pid, process.pid, process.pid]);
  });

  it('STATUS is one line of bounded length; an oversized message is refused, not sent', async () => {
    expect(statusText('a\nb\r\tc')).toBe('a b c');
    expect(statusText('x'.repeat(1000))).toHaveLength(MAX_STATUS_CHARS);
    const n = new SdNotify(silentLogger(), { NOTIFY_SOCKET: rx.path });
    expect(await n.send([['STATUS', 'line one\nREADY=1']])).toBe(true);
    expect(await n.send([['X-BIG', 'y'.repeat(MAX_MESSAGE_BYTES)]])).toBe(false);
    const m = await rx.waitFor(() => true, 5000, 'a message');
    expect(m.fields).toEqual({ STATUS: 'line one READY=1' }); // a newline cannot smuggle READY=1
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.messages).toHaveLength(1);
  });

  it('a missing notify socket is reported, not thrown; outside systemd nothing is sent', async () => {
    const gone = new SdNotify(silentLogger(), { NOTIFY_SOCKET: join(dir, 'nobody.sock') });
    expect(await gone.send([['READY', '1']])).toBe(false);
    const off = new SdNotify(silentLogger(), {});
    expect(off.enabled).toBe(false);
    expect(await off.send([['READY', '1']])).toBe(false);
  });

  it('`carehub run` under a notify socket: READY with a STATUS summary, watchdog pings and STOPPING from the main pid', async () => {
    const cfg = startupConfig(dir, { url: 'mqtt://127.0.0.1:9', protocolVersion: 5 });
    const hub = new HubProcess(cfg, { NOTIFY_SOCKET: rx.path, WATCHDOG_USEC: '2000000' });
    hub.start();
    const pid = (hub as unknown as { proc: { pid: number } }).proc.pid;
    try {
      const ready = await rx.waitFor((m) => m.fields.READY === '1', 30_000, 'READY=1');
      expect(ready.pid).toBe(pid);
      expect(ready.fields.STATUS).toMatch(/^devices \d\/1 connected.*; (alarms none|alarms \d+ active \(\d+ high, \d+ technical\)); backlog \d+ unsent$/);
      const ping = await rx.waitFor((m) => m.fields.WATCHDOG === '1', 10_000, 'WATCHDOG=1');
      expect(ping.pid).toBe(pid);
    } finally {
      hub.signal('SIGTERM');
      await hub.exited(20_000);
    }
    const stopping = await rx.waitFor((m) => m.fields.STOPPING === '1', 5000, 'STOPPING=1');
    expect(stopping.pid).toBe(pid);
    expect(rx.messages.filter((m) => m.pid !== pid)).toEqual([]);
  });
});
