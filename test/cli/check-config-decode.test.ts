import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('carehub check-config', () => {
  it('exits 0 on a valid file', () => {
    // the example's TLS files exist only on a provisioned hub; a loopback plain URL does not read them
    const r = runCli(['check-config', 'config/carehub.example.yaml'], { CAREHUB_UPLINK_MQTT_URL: 'mqtt://127.0.0.1:1883' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it('prints every problem with its path and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-cc-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'hub: { id: "bad id!" }\nuplink: { mqtt: { url: "ftp://x" } }\ndevices:\n  - { id: a, kind: toaster, transport: ble }\n');
    const r = runCli(['check-config', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('hub.id:');
    expect(r.stdout).toContain('uplink.mqtt.url:');
    expect(r.stdout).toContain('devices[0].kind:');
    expect(r.stdout).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('exits 2 for a missing file, with the reason', () => {
    const r = runCli(['check-config', '/nonexistent/carehub.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('ENOENT');
  });
});

describe('carehub decode', () => {
  it('decodes an SFLOAT and exits 0', () => {
    const r = runCli(['decode', 'sfloat', '65 F0']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, codec: 'sfloat', value: 10.1, special: null });
  });

  it('rejects a short frame with reason and offset, exit 1, no stack trace', () => {
    const r = runCli(['decode', 'sfloat', '65']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, reason: 'short', at: 1 });
  });

  it('bad usage exits 2', () => {
    expect(runCli(['decode', 'no-such-codec', '00']).code).toBe(2);
    expect(runCli(['decode', 'sfloat', 'zz']).code).toBe(2);
    expect(runCli(['decode']).code).toBe(2);
  });
});
