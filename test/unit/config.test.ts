import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, loadConfigFile } from '../../src/config/load.js';
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
    const r = parseConfig(MINIMAL, { CAREHUB_UPLINK_MQTT_URL: 'mqtt://127.0.0.1:1884', CAREHUB_STORAGE_MAX_BYTES: '1000000', CAREHUB_LOG_LEVEL: 'debug', CAREHUB_NOPE: 'x' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.uplink.mqtt.url).toBe('mqtt://127.0.0.1:1884');
    expect(r.config.storage.maxBytes).toBe(1000000);
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
