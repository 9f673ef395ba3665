import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Issue 10 (5): `carehub check-config` must refuse every value that would break the running
 * hub, with exit 2 and the path (and line) of the value, never exit 1 or a stack trace.
 * Each case runs the real CLI on a real file.
 */
const dir = mkdtempSync(join(tmpdir(), 'carehub-bounds-'));

function config(o: { mqtt?: string; storage?: string; devices?: string; top?: string } = {}): string {
  return `hub: { id: hub-0001 }
storage:
  path: ${join(dir, 'carehub.db')}
${o.storage ?? ''}
uplink:
  mqtt:
    url: mqtt://127.0.0.1:1883
${o.mqtt ?? ''}
devices:
${o.devices ?? '  - { id: vent-1, kind: ventilator, transport: serial, path: /dev/ttyUSB0 }'}
${o.top ?? ''}`;
}

function check(name: string, text: string): { code: number | null; out: string; ms: number } {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  const t0 = Date.now();
  const r = runCli(['check-config', f]);
  return { code: r.code, out: r.stdout + r.stderr, ms: Date.now() - t0 };
}

describe('check-config refuses what the hub cannot honour (issue 10, item 5)', () => {
  it('sessionExpiryS: 99999999999 (beyond MQTT 5 four-byte expiry: the hub never connected)', () => {
    const r = check('expiry', config({ mqtt: '    sessionExpiryS: 99999999999' }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/uplink\.mqtt\.sessionExpiryS: at most 4294967295 \(got number 99999999999\) \(line 8\)/);
  });

  it('reconnectMinMs: 99999999999 (timer overflow: a reconnect every ~1 ms)', () => {
    const r = check('reconnect', config({ mqtt: '    reconnectMinMs: 99999999999' }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/uplink\.mqtt\.reconnectMinMs: at most 3600000/);
    const inverted = check('reconnect-order', config({ mqtt: '    reconnectMinMs: 120000\n    reconnectMaxMs: 60000' }));
    expect(inverted.code).toBe(2);
    expect(inverted.out).toMatch(/uplink\.mqtt\.reconnectMinMs: must not exceed reconnectMaxMs \(60000\)/);
  });

  it('maxBytes: "0MB" (every reading evicted) and a 1e32-byte budget', () => {
    const zero = check('zero', config({ storage: '  maxBytes: "0MB"' }));
    expect(zero.code).toBe(2);
    expect(zero.out).toMatch(/storage\.maxBytes: at least 4MB \(4000000 bytes\); "0MB" is 0 bytes \(line 4\)/);
    const huge = check('huge', config({ storage: '  maxBytes: 1e32' }));
    expect(huge.code).toBe(2);
    expect(huge.out).toMatch(/storage\.maxBytes: at most 1099511627776/);
    const hugeText = check('huge-text', config({ storage: '  maxBytes: "99999999999GB"' }));
    expect(hugeText.code).toBe(2);
    expect(hugeText.out).toMatch(/storage\.maxBytes: at most 1 TiB/);
  });

  it('baud: 99999999999', () => {
    const r = check('baud', config({ devices: '  - { id: vent-1, kind: ventilator, transport: serial, path: /dev/ttyUSB0, options: { baud: 99999999999 } }' }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/devices\[0\]\.options\.baud: at most 4000000 \(got number 99999999999\)/);
  });

  it('a YAML alias bomb: exit 2 with the path and line of the alias, not exit 1', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [k, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']] as const) bomb.push(`${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const r = check('bomb', config({ top: `log:\n  levels: {}\nx-bomb:\n${bomb.map((l) => `  ${l}`).join('\n')}` }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/x-bomb\.[a-g](\[\d+\])?: aliases expand to more than 10000 values .*\(line \d+\)/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('an undefined alias: exit 2 with its path and line', () => {
    const r = check('alias', config({ mqtt: '    keepaliveS: *nope' }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/uplink\.mqtt\.keepaliveS: undefined alias \*nope .*\(line 8\)/);
  });

  it('a wrong type names the type found, not "required"', () => {
    const r = check('type', config({ mqtt: '    keepaliveS: "thirty"' }));
    expect(r.code).toBe(2);
    expect(r.out).toContain('uplink.mqtt.keepaliveS: expected number, got string "thirty" (line 8)');
    expect(r.out).not.toMatch(/required/);
    const missing = check('missing', 'hub: { id: h }\n');
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/uplink: required/);
  });

  it('a 10 MB config is refused by its size, at once', () => {
    const line = '# padding padding padding padding padding padding padding padding padding\n';
    const r = check('big', config() + line.repeat(Math.ceil(10e6 / line.length)));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/\(file\): .*big\.yaml is \d+ bytes; a config file may be at most 1048576 bytes/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('more than 64 devices are refused, also 15,000 of them in a 1 MB file', () => {
    const devices = (n: number): string => Array.from({ length: n }, (_, i) => `  - { id: d${i}, kind: oximeter, transport: ble, simulate: normal }`).join('\n');
    const r = check('65', config({ devices: devices(65) }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/devices: at most 64 devices per hub \(got 65\)/);
    const many = check('15k', config({ devices: devices(15_000) }));
    expect(many.code).toBe(2);
    expect(many.out).toMatch(/devices: at most 64 devices per hub \(got 15000\)/);
  });

  it('deep nesting that crashed the YAML parser is refused unparsed, with its line', () => {
    const r = check('deep', config({ top: `x: ${'['.repeat(10_000)}${']'.repeat(10_000)}` }));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/\(file\): nested deeper than 64 levels of \[ or \{ \(line 11\)/);
  });
});
