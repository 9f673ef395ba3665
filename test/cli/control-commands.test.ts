import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { Hub } from '../../src/hub/hub.js';
import { freePort } from '../../src/rig/broker.js';
import { runCliAsync as runCli } from '../helpers/cli.js';

// `carehub status`, `alarms`, `alarms ack`, `alarm-test` against a running hub through its
// control socket (the broker is absent: the hub must serve its technicians anyway).
describe('control commands against a running hub', () => {
  let dir: string;
  let hub: Hub;
  let sock: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-ctl-'));
    sock = join(dir, 'control.sock');
    const port = await freePort();
    const r = parseConfig(`hub: { id: hub-ctl }
storage: { path: ${join(dir, 'c.db')} }
uplink: { mqtt: { url: "mqtt://127.0.0.1:${port}" } }
devices: [ { id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: normal } ]
local: { pagePort: 0, controlSocket: ${sock}, sound: false }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    hub = await Hub.start({ config: r.config, log: silentLogger(), clock: new SystemClock(false) });
    hub.alarms.technical({ code: 'ble_adapter_unavailable', active: true, text: 'BLE adapter unavailable (test)' });
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status shows the device, the outbox, the uplink and the clock', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    const r = await runCli(['status', '--json', '--socket', sock]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { hub: string; devices: Array<{ id: string; link: string }>; uplink: { state: string }; clock: { synced: boolean }; outbox: { depth: number } };
    expect(s.hub).toBe('hub-ctl');
    expect(s.devices[0]).toMatchObject({ id: 'oxi-1', link: 'connected', bond: 'bonded' }); // simulated: paired earlier
    expect(s.uplink.state).not.toBe('connected');
    expect(s.clock.synced).toBe(false);
    expect(s.outbox.depth).toBeGreaterThan(0);
  });

  it('lists, acknowledges and tests alarms; an unknown id exits 1', async () => {
    const list = JSON.parse((await runCli(['alarms', '--json', '--socket', sock])).stdout) as { alarms: Array<{ alarm: string; condition: string; acknowledged: boolean }> };
    const a = list.alarms.find((x) => x.condition === 'ble_adapter_unavailable');
    expect(a).toBeDefined();
    expect((await runCli(['alarms', 'ack', a!.alarm, '--socket', sock])).code).toBe(0);
    const after = JSON.parse((await runCli(['alarms', '--json', '--socket', sock])).stdout) as typeof list;
    expect(after.alarms.find((x) => x.alarm === a!.alarm)?.acknowledged).toBe(true);
    expect((await runCli(['alarms', 'ack', 'no-such-alarm', '--socket', sock])).code).toBe(1);
    expect((await runCli(['alarm-test', '--socket', sock])).code).toBe(0);
  });

  it('says clearly when the service is not running', async () => {
    const r = await runCli(['status', '--socket', join(dir, 'nope.sock')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not running');
  });
});
