import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, loadConfigFile, MAX_CONFIG_BYTES, MAX_PROBLEMS } from '../../src/config/load.js';
import { renderJsonSchema, renderReference } from '../../src/config/reference.js';
import { parseByteSize } from '../../src/config/schema.js';

// The minimal file of contract §5, verbatim.
const MINIMAL = `hub:
  id: hub-0001
storage:
  path: /var/lib/carehub/carehub.db
uplink:
  mqtt:
    url: mqtts://broker.region.example:8883
    ca: /etc/carehub/tls/ca.crt
    cert: /etc/carehub/tls/hub.crt
    key: /etc/carehub/tls/hub.key
devices:
  - { id: cgm-1, kind: cgm, transport: ble, address: "C4:7A:11:02:33:9E" }
  - { id: oxi-1, kind: oximeter, transport: ble, address: "00:1C:05:FF:4E:21" }
  - { id: vent-1, kind: ventilator, transport: serial, protocol: medibus,
      path: /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5ZJ3-if00-port0 }
`;

describe('configuration', () => {
  it('accepts the minimal file of the contract and fills defaults', () => {
    const r = parseConfig(MINIMAL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.devices.map((d) => d.id)).toEqual(['cgm-1', 'oxi-1', 'vent-1']);
    expect(r.config.uplink.mqtt.protocolVersion).toBe(5);
    expect(r.config.uplink.topicPrefix).toBe('carehub');
    expect(r.config.alarms).toBeUndefined();
    expect(Object.isFrozen(r.config.uplink.mqtt)).toBe(true);
  });

  it('ships example and demo configs that validate', () => {
    for (const f of ['config/carehub.example.yaml', 'config/demo.yaml']) {
      const r = loadConfigFile(f, {});
      expect(r.ok, `${f}: ${JSON.stringify(r.ok ? '' : r.problems)}`).toBe(true);
    }
  });

  it('reports every problem at once with its path', () => {
    const bad = MINIMAL.replace('  id: hub-0001', '  id: hub-0001\n  colour: blue')
      .replace('address: "00:1C:05:FF:4E:21"', 'address: "not-a-mac"')
      .replace('transport: serial, protocol: medibus,\n      path: /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5ZJ3-if00-port0', 'transport: serial, protocol: medibus');
    const r = parseConfig(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toContain('hub.colour');
    expect(paths).toContain('devices[1].address');
    expect(paths).toContain('devices[2].path');
    expect(r.problems.find((p) => p.path === 'hub.colour')?.line).toBe(3);
  });

  it('lets simulated devices go without address or path', () => {
    const r = parseConfig(`hub: { id: h }\nuplink: { mqtt: { url: "mqtt://127.0.0.1:1883" } }\ndevices:\n  - { id: v, kind: ventilator, transport: serial, simulate: apnea }\n  - { id: o, kind: oximeter, transport: ble, simulate: desaturation }\n`);
    expect(r.ok).toBe(true);
  });

  it('refuses a protocol on the wrong transport, duplicate ids and YAML syntax errors', () => {
    const r = parseConfig(`hub: { id: h }\nuplink: { mqtt: { url: "mqtt://127.0.0.1:1883" } }\ndevices:\n  - { id: a, kind: oximeter, transport: serial, protocol: plxs, path: /dev/ttyS0 }\n  - { id: a, kind: cgm, transport: ble, simulate: normal }\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['devices[0].transport', 'devices[1].id']));
    }
    const y = parseConfig('hub: { id: h\nuplink: [');
    expect(y.ok).toBe(false);
    if (!y.ok) expect(y.problems[0]?.path).toBe('(file)');
  });

  it('applies CAREHUB_* overrides along the schema path', () => {
    const r = parseConfig(MINIMAL, { CAREHUB_UPLINK_MQTT_URL: 'mqtt://127.0.0.1:1884', CAREHUB_STORAGE_MAX_BYTES: '8000000', CAREHUB_LOG_LEVEL: 'debug', CAREHUB_NOPE: 'x' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.uplink.mqtt.url).toBe('mqtt://127.0.0.1:1884');
    expect(r.config.storage.maxBytes).toBe(8000000);
    expect(r.config.log.level).toBe('debug');
    expect(r.warnings.join()).toContain('CAREHUB_NOPE');
  });

  it('an override that breaks the config is reported like a file error', () => {
    const r = parseConfig(MINIMAL, { CAREHUB_UPLINK_BATCH_MAX_READINGS: '0' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.path).toBe('uplink.batchMaxReadings');
  });

  it('parses byte sizes', () => {
    expect(parseByteSize('512MB')).toBe(512_000_000);
    expect(parseByteSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseByteSize(4096)).toBe(4096);
  });

  it('config/schema.json and the README reference are generated from the schema (run npm run schema)', () => {
    expect(readFileSync('config/schema.json', 'utf8')).toBe(renderJsonSchema());
    expect(readFileSync('README.md', 'utf8')).toContain(renderReference());
  });
});

/** Problems of MINIMAL with `extra` lines put under a section, as `path: message` strings. */
function problemsWith(section: 'mqtt' | 'storage' | 'top', extra: string, env: NodeJS.ProcessEnv = {}): string[] {
  const text = section === 'mqtt'
    ? MINIMAL.replace('    url: mqtts://broker.region.example:8883\n', `    url: mqtts://broker.region.example:8883\n${extra}\n`)
    : section === 'storage' ? MINIMAL.replace('storage:\n', `storage:\n${extra}\n`) : `${MINIMAL}${extra}\n`;
  const r = parseConfig(text, env);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}${p.line ? ` @${p.line}` : ''}`);
}

interface JsonNode { type?: string; minimum?: number; maximum?: number; maxLength?: number; maxItems?: number; pattern?: string; enum?: unknown[]; const?: unknown; properties?: Record<string, JsonNode>; items?: JsonNode; anyOf?: JsonNode[] }

describe('configuration bounds', () => {
  it('every number, string and list outside the alarm rules has an upper bound in the schema', () => {
    const unbounded: string[] = [];
    const walk = (n: JsonNode, path: string): void => {
      if (path === '.alarms') return; // bounded by the alarm floor and the metric catalogue (src/alarms)
      if ((n.type === 'number' || n.type === 'integer') && n.const === undefined && (n.minimum === undefined || n.maximum === undefined)) unbounded.push(path);
      if (n.type === 'string' && n.maxLength === undefined && n.pattern === undefined && n.enum === undefined && n.const === undefined) unbounded.push(path);
      if (n.type === 'array' && n.maxItems === undefined) unbounded.push(path);
      for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, `${path}.${k}`);
      if (n.items) walk(n.items, `${path}[]`);
      for (const [i, v] of (n.anyOf ?? []).entries()) if (v.const === undefined) walk(v, `${path}|${i}`);
    };
    walk(JSON.parse(renderJsonSchema()) as JsonNode, '');
    expect(unbounded).toEqual([]);
  });

  it('refuses each value past its bound, with the path, the bound and the value found', () => {
    expect(problemsWith('mqtt', '    sessionExpiryS: 4294967296')).toEqual(['uplink.mqtt.sessionExpiryS: at most 4294967295 (got number 4294967296) @8']);
    expect(problemsWith('mqtt', '    sessionExpiryS: 4294967295')).toEqual([]);
    expect(problemsWith('mqtt', '    reconnectMaxMs: 3600001')).toEqual(['uplink.mqtt.reconnectMaxMs: at most 3600000 (got number 3600001) @8']);
    expect(problemsWith('mqtt', '    reconnectMinMs: 5000\n    reconnectMaxMs: 4000')).toEqual(['uplink.mqtt.reconnectMinMs: must not exceed reconnectMaxMs (4000) @8']);
    expect(problemsWith('mqtt', '    keepaliveS: 601')).toEqual(['uplink.mqtt.keepaliveS: at most 600 (got number 601) @8']);
    expect(problemsWith('storage', '  maxBytes: 3999999')).toEqual(['storage.maxBytes: at least 4000000 (got number 3999999) @4']);
    expect(problemsWith('storage', '  maxBytes: 4MB')).toEqual([]);
    expect(problemsWith('storage', '  maxBytes: 1024GiB')).toEqual([]);
    expect(problemsWith('storage', '  maxBytes: 1025GiB')[0]).toMatch(/^storage\.maxBytes: at most 1 TiB/);
    expect(problemsWith('storage', '  maxBytes: lots')).toEqual(['storage.maxBytes: a size like 512MB (got string "lots") @4']);
    expect(problemsWith('top', 'local: { controlSocket: /run/carehub/' + 'x'.repeat(100) + '.sock }')[0]).toMatch(/^local\.controlSocket: at most 107/);
    expect(problemsWith('top', 'local: { gpioLine: 100000 }')).toEqual(['local.gpioLine: at most 1023 (got number 100000) @16']);
    expect(problemsWith('top', `log: { levels: { ${Array.from({ length: 65 }, (_, i) => `ns${i}: debug`).join(', ')} } }`)).toEqual(['log.levels: at most 64 namespaces @16']);
  });

  it('names the type found; "required" only for a missing key', () => {
    expect(problemsWith('mqtt', '    keepaliveS: "thirty"')).toEqual(['uplink.mqtt.keepaliveS: expected number, got string "thirty" @8']);
    expect(problemsWith('mqtt', '    keepaliveS:')).toEqual(['uplink.mqtt.keepaliveS: expected number, got null @8']);
    expect(problemsWith('mqtt', '    allowInsecure: "yes"')).toEqual(['uplink.mqtt.allowInsecure: expected boolean, got string "yes" @8']);
    expect(problemsWith('mqtt', '    protocolVersion: 3')).toEqual(['uplink.mqtt.protocolVersion: expected 5 or 4, got number 3 @8']);
    expect(problemsWith('storage', '  maxBytes: true')).toEqual(['storage.maxBytes: expected number or string, got boolean true @4']);
    const r = parseConfig('hub: { id: h }\n');
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['uplink: required (object)']);
  });

  it('a bad value from the environment names the variable, not a line of the file', () => {
    expect(problemsWith('mqtt', '', { CAREHUB_UPLINK_MQTT_KEEPALIVE_S: 'thirty' })).toEqual(['uplink.mqtt.keepaliveS: expected number, got string "thirty" (from CAREHUB_UPLINK_MQTT_KEEPALIVE_S)']);
    expect(problemsWith('mqtt', '', { CAREHUB_UPLINK_MQTT_SESSION_EXPIRY_S: '99999999999' })).toEqual(['uplink.mqtt.sessionExpiryS: at most 4294967295 (got number 99999999999) (from CAREHUB_UPLINK_MQTT_SESSION_EXPIRY_S)']);
  });

  it('aliases: undefined, self-referencing and exploding ones are refused with path and line; a modest anchor is fine', () => {
    expect(problemsWith('top', 'local: { console: *nope }')).toEqual(['local.console: undefined alias *nope (the anchor &nope must come before it) @16']);
    expect(problemsWith('top', 'x: &a [1, *a]')[0]).toMatch(/^x\[1\]: alias \*a is inside its own anchor @16/);
    const bomb = ['x:', '  a: &a [1,1,1,1,1,1,1,1,1,1]', ...['b', 'c', 'd', 'e'].map((k, i) => `  ${k}: &${k} [${Array(10).fill(`*${'abcd'[i]}`).join(', ')}]`)];
    const p = problemsWith('top', bomb.join('\n'));
    expect(p).toHaveLength(1);
    // a: 11 values, b: 111, c: 1,111, d: 11,111; the 8th *c of d takes the total past 10,000
    expect(p[0]).toBe('x.d[7]: aliases expand to more than 10000 values (a YAML alias bomb?) @20');
    const shared = `${MINIMAL.split('devices:')[0]}x-options: &opts { baud: 9600, parity: even }\ndevices:\n${Array.from({ length: 30 }, (_, i) => `  - { id: v${i}, kind: ventilator, transport: serial, simulate: normal, options: *opts }`).join('\n')}\n`;
    const r = parseConfig(shared);
    // x-options is an unknown key, but every alias resolved
    expect(r.ok ? [] : r.problems.map((q) => q.path)).toEqual(['x-options']);
  });

  it('refuses a file over 1 MiB without parsing it, and an endless one without reading it all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-cfg-'));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${MINIMAL}${'#'.repeat(MAX_CONFIG_BYTES)}\n`);
    const r = loadConfigFile(big, {});
    expect(r.ok ? '' : r.problems[0]?.message).toMatch(/at most 1048576 bytes/);
    const t0 = Date.now();
    const zero = loadConfigFile('/dev/zero', {});
    expect(zero.ok ? '' : zero.problems[0]?.message).toMatch(/more than 1048576 bytes/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(parseConfig('#'.repeat(MAX_CONFIG_BYTES + 1)).ok).toBe(false);
  });

  it('reports at most MAX_PROBLEMS problems and counts the rest', () => {
    const r = parseConfig(`hub: { id: h }\nuplink: { mqtt: { url: "mqtt://127.0.0.1:1883" } }\ndevices:\n${Array.from({ length: 60 }, (_, i) => `  - { id: d${i}, kind: toaster, transport: pigeon }`).join('\n')}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(r.problems[MAX_PROBLEMS]?.message).toMatch(/^and \d+ more problems$/);
  });
});
