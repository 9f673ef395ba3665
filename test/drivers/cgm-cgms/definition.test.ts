import { describe, expect, it } from 'vitest';
import { definition } from '../../../drivers/cgm-cgms/definition.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { DeviceConfig } from '../../../src/config/schema.js';

describe('CGMS driver definition', () => {
  it('is data plus factories', () => {
    expect(definition).toMatchObject({ id: 'cgms', kind: 'cgm', transport: 'ble', metrics: ['glucose', 'glucose_trend'], match: { serviceUuids: ['181f'] } });
    expect(definition.simulator?.transport).toBe('ble');
  });

  it('the simulator honours the device options (CRC, quirk, interval)', () => {
    const clock = new FakeClock();
    const device = { id: 'cgm-1', kind: 'cgm', transport: 'ble', address: 'C4:7A:11:02:33:9E', options: { quirks: ['warning-first'], crc: 'ccitt-false', intervalMin: 2 } } as unknown as DeviceConfig;
    const f = definition.simulator;
    if (f?.transport !== 'ble') throw new Error('no BLE simulator');
    const p = f.create({ device, scenario: 'hypo-fast', clock, log: silentLogger() });
    expect(p.address).toBe('C4:7A:11:02:33:9E');
    const feature = p.services[0]?.characteristics.find((c) => c.uuid === '2aa8')?.onRead?.();
    expect(feature && (feature[1]! & 0x10)).toBe(0x10); // bit 12: E2E-CRC supported
    p.stop();
  });
});
