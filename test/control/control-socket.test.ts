import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { alarmControlHandlers } from '../../src/alarms/control-handlers.js';
import { controlRequest } from '../../src/control/client.js';
import { createControlServer, type ControlServer } from '../../src/control/server.js';
import { rig } from '../alarms/helpers.js';

const open: ControlServer[] = [];
afterEach(async () => { for (const s of open.splice(0)) await s.close(); });

function sockPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'carehub-ctl-')), 'run', 'control.sock');
}

describe('control socket', () => {
  it('round-trips a request; socket 0660 in a 0750 directory', async () => {
    const path = sockPath();
    open.push(await createControlServer({ path, log: silentLogger(), handlers: { echo: async (a) => ({ got: a }) } }));
    expect(await controlRequest(path, 'echo', { x: 1 }, 2000)).toEqual({ got: { x: 1 } });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o750);
  });

  it('reports unknown methods and handler errors as errors', async () => {
    const path = sockPath();
    open.push(await createControlServer({ path, log: silentLogger(), handlers: { boom: async () => { throw new Error('it broke'); } } }));
    await expect(controlRequest(path, 'nope', {}, 2000)).rejects.toThrow(/unknown method "nope"/);
    await expect(controlRequest(path, 'boom', {}, 2000)).rejects.toThrow('it broke');
  });

  it('says clearly when the service is not running', async () => {
    await expect(controlRequest(sockPath(), 'status', {}, 2000)).rejects.toThrow(/service is not running/);
  });

  it('times out when the service does not answer', async () => {
    const path = sockPath();
    open.push(await createControlServer({ path, log: silentLogger(), handlers: { slow: () => new Promise(() => {}) } }));
    await expect(controlRequest(path, 'slow', {}, 200)).rejects.toThrow(/no answer/);
  });

  it('removes a stale socket file but refuses to replace a live one', async () => {
    const path = sockPath();
    const first = await createControlServer({ path, log: silentLogger(), handlers: {} });
    await expect(createControlServer({ path, log: silentLogger(), handlers: {} })).rejects.toThrow(/already listening/);
    await first.close();
    // a socket file nobody listens on, as left by a process that was killed
    mkdirSync(dirname(path), { recursive: true });
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.stdout.write('up'))", path], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.kill('SIGKILL');
    await new Promise<void>((r) => child.once('exit', () => r()));
    expect(existsSync(path)).toBe(true);
    open.push(await createControlServer({ path, log: silentLogger(), handlers: { ping: async () => 'pong' } }));
    expect(await controlRequest(path, 'ping', {}, 2000)).toBe('pong');
  });

  it('serves the alarm commands of a running engine', async () => {
    const r = rig();
    const path = sockPath();
    open.push(await createControlServer({ path, log: silentLogger(), handlers: alarmControlHandlers(r.engine) }));
    r.read('glucose', 2.5);
    const list = (await controlRequest(path, 'alarms.list', {}, 2000)) as { alarms: Array<{ alarm: string; condition: string }>; rulesVersion: number };
    expect(list.alarms.map((a) => a.condition)).toEqual(['glucose_low']);
    expect(list.rulesVersion).toBe(1);
    const id = list.alarms[0]!.alarm;
    expect(await controlRequest(path, 'alarms.ack', { id }, 2000)).toEqual({ ok: true, id });
    expect(r.engine.active()[0]?.acknowledged).toBe(true);
    await expect(controlRequest(path, 'alarms.ack', { id: 'unknown' }, 2000)).rejects.toThrow(/no active alarm unknown/);
    await expect(controlRequest(path, 'alarms.ack', {}, 2000)).rejects.toThrow(/invalid arguments/);
    expect(await controlRequest(path, 'alarms.pause', { seconds: 60 }, 2000)).toEqual({ pausedForS: 60 });
    expect(await controlRequest(path, 'alarms.test', {}, 2000)).toEqual({ sounded: ['high', 'medium', 'low'] });
    expect(r.probe.tests).toEqual([['high', 'medium', 'low']]);
  });
});
