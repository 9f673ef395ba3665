import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available } from './harness.js';
import { startPrivateBus, type PrivateBus } from './private-bus.js';

// dbus-next's optional native socket (usocket) connects on a worker thread; ending the
// connection before that finished crashed the whole process with SIGSEGV. The hub's BlueZ
// probe (bounded, so it may give up while connecting), the central's admin bus and noble's bus
// all end connections that may still be connecting. Run in a child process: a crash must not
// take the test worker with it.
let bus: PrivateBus | undefined;
beforeAll(async () => { if (available) bus = await startPrivateBus(); }, 10_000);
afterAll(async () => { await bus?.stop(); });

describe.runIf(available)('system bus connections ended while still connecting', () => {
  it('a BlueZ probe that times out before the socket is up and a bus closed right after opening: the process lives on and exits by itself', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/bluez/fixtures/early-disconnect.ts'], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus!.address }, encoding: 'utf8', timeout: 20_000,
    });
    expect({ signal: r.signal, status: r.status }).toEqual({ signal: null, status: 0 });
    expect(JSON.parse(r.stdout)).toEqual({ present: false, why: expect.stringMatching(/no answer within 0 ms/) });
  }, 30_000);
});
