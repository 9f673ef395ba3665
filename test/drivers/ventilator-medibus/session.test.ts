import { afterEach, describe, expect, it } from 'vitest';
import { metricSpec } from '../../../src/core/metrics/index.js';
import { HOST_ID } from '../../../drivers/ventilator-medibus/commands.js';
import { advance } from '../../helpers/fake-driver-context.js';
import { medibusRig, type MedibusRig } from '../../helpers/medibus-rig.js';

let rig: MedibusRig | null = null;
afterEach(async () => { await rig?.session.stop(); rig?.device.stop(); rig = null; });

async function started(o: Parameters<typeof medibusRig>[0] = {}): Promise<MedibusRig> {
  rig = medibusRig(o);
  await rig.session.start();
  await advance(rig.clock, 3000, 20);
  return rig;
}

describe('MEDIBUS session (simulated device, fake clock)', () => {
  it('initialises with ICC then identification, and reports connected once', async () => {
    const r = await started();
    expect(r.hostFrames.slice(0, 2).map((f) => f.code)).toEqual([0x51, 0x52]);
    expect(r.ctx.links.map((l) => l.state)).toEqual(['connecting', 'connected']);
    expect(r.session.status().ident).toEqual({ id: '8001', name: 'carehub NIV sim', revision: '01.00:06.00' });
    expect(r.session.status().mode).toBe('BIPAP');
  });

  it('forwards measured values in catalogue units, settings flagged apart', async () => {
    const r = await started();
    const peep = r.ctx.metric('peep').at(-1);
    expect(peep?.value).toBeGreaterThan(5);
    expect(peep?.value).toBeLessThan(7);
    expect(r.ctx.metric('leak').at(-1)?.value).toBeLessThan(15); // L/min (device sends mL/min)
    expect(r.ctx.metric('tidal_volume').at(-1)?.value).toBeGreaterThan(300); // mL
    expect(r.ctx.metric('peep_set').at(-1)).toMatchObject({ value: 6, flags: ['setting'] });
    expect(r.ctx.metric('peep').at(-1)?.flags).toBeUndefined();
    expect(r.ctx.metric('vent_mode').at(-1)).toMatchObject({ value: 0x0e, flags: ['setting'] });
    for (const m of r.ctx.submitted) {
      const spec = metricSpec(m.metric);
      expect(spec, m.metric).toBeDefined();
      expect(spec?.kind).toBe('ventilator');
      expect(Boolean(spec?.setting)).toBe(m.flags?.includes('setting') ?? false);
      expect(m.value).toBeGreaterThanOrEqual(spec?.min ?? 0);
      expect(m.value).toBeLessThanOrEqual(spec?.max ?? 0);
    }
  });

  it('keeps unmapped codes with their raw value, counted, logged once', async () => {
    const r = await started();
    const u = r.session.status().unmapped['cp1:0x5F'];
    expect(u?.raw).toBe('  42');
    expect(u?.count).toBeGreaterThan(1);
    expect(r.ctx.stateStore.get('medibus:unmapped')).toBe('cp1:0x5F');
  });

  it('polls one request at a time: every response answers the request before the next', async () => {
    const r = await started();
    const requests = r.hostFrames.filter((f) => f.direction === 'command');
    expect(r.device.stats.commands).toBe(requests.length);
    expect(r.session.status().counters.timeouts).toBe(0);
    const codes = new Set(requests.map((f) => f.code));
    for (const c of [0x24, 0x2b, 0x27, 0x2e, 0x29, 0x2a, 0x28]) expect(codes.has(c), c.toString(16)).toBe(true);
  });

  it('answers the device\'s own identification request and NOPs', async () => {
    const r = await started();
    await advance(r.clock, 11_000, 50);
    expect(r.device.stats.hostIdent).toBe(HOST_ID);
    expect(r.device.stats.hostAnswers).toBeGreaterThanOrEqual(2);
  });

  it('sends NOP when the line has been quiet for 1.5 s', async () => {
    const r = await started({ session: { pollIntervalMs: 60_000 } });
    const before = r.hostFrames.filter((f) => f.code === 0x30).length;
    await advance(r.clock, 5000, 20);
    const nops = r.hostFrames.filter((f) => f.code === 0x30).length - before;
    expect(nops).toBeGreaterThanOrEqual(2);
    expect(r.ctx.link()).toBe('connected');
  });

  it('NAKed requests are retried, counted and then demoted; the rest goes on', async () => {
    const r = await started({ sim: { unsupported: [0x2b] } });
    await advance(r.clock, 6000, 20);
    expect(r.session.status().counters.naks).toBeGreaterThanOrEqual(3);
    const cp2Before = r.hostFrames.filter((f) => f.code === 0x2b).length;
    await advance(r.clock, 5000, 20);
    expect(r.hostFrames.filter((f) => f.code === 0x2b).length).toBe(cp2Before);
    expect(r.ctx.metric('peep').length).toBeGreaterThan(5);
  });

  it('device falls silent: link lost within 3 s with a technical condition; recovers with re-initialisation', async () => {
    const r = await started();
    r.device.mute(true);
    const t0 = r.clock.mono();
    while (r.ctx.link() !== 'lost' && r.clock.mono() - t0 < 5000) await advance(r.clock, 20, 20);
    expect(r.ctx.link()).toBe('lost');
    expect(r.clock.mono() - t0).toBeLessThanOrEqual(3200);
    expect(r.ctx.technicalActive('link_lost')).toBe(true);
    const iccBefore = r.hostFrames.filter((f) => f.code === 0x51).length;
    r.device.mute(false);
    await advance(r.clock, 6000, 20);
    expect(r.hostFrames.filter((f) => f.code === 0x51).length).toBeGreaterThan(iccBefore);
    expect(r.ctx.link()).toBe('connected');
    expect(r.ctx.technicalActive('link_lost')).toBe(false);
    expect(r.ctx.technicals.filter((t) => t.code === 'link_lost' && t.active)).toHaveLength(1);
  });

  it('cable pulled: serial_port_gone, retries forever, recovers when the port returns', async () => {
    const r = await started();
    r.pull();
    await advance(r.clock, 100, 20);
    expect(r.ctx.link()).toBe('lost');
    expect(r.ctx.technicalActive('serial_port_gone')).toBe(true);
    await advance(r.clock, 30_000, 100);
    expect(r.opens).toBe(1);
    r.plugIn();
    await advance(r.clock, 3000, 20);
    expect(r.opens).toBe(2);
    expect(r.ctx.link()).toBe('connected');
    expect(r.ctx.technicalActive('serial_port_gone')).toBe(false);
    expect(r.session.status().counters.reconnects).toBe(1);
    expect(r.ctx.technicals.filter((t) => t.code === 'serial_port_gone' && t.active)).toHaveLength(1);
  });

  it('forwards the ventilator\'s alarms as they appear and disappear', async () => {
    const r = await started({ scenario: 'disconnection', sim: { model: { faultStartS: 4, faultLenS: 4 } } });
    await advance(r.clock, 8000, 20);
    expect(r.ctx.deviceAlarms).toEqual([
      { code: 'cp1:0x9A', priority: 'high', text: 'DISCONNECT', active: true },
      { code: 'cp1:0x9A', priority: 'high', text: 'DISCONNECT', active: false },
    ]);
  });

  it('streams waveforms in 1-s batches at the configured rate', async () => {
    const r = await started({ waveform: true });
    await advance(r.clock, 3000, 20);
    const paw = r.ctx.metric('paw_waveform');
    expect(paw.length).toBeGreaterThanOrEqual(3);
    expect(paw[0]?.periodMs).toBe(40);
    expect(paw[0]?.samples).toHaveLength(25);
    expect(Math.max(...(paw.at(-1)?.samples ?? []))).toBeGreaterThan(15); // IPAP 18 mbar reached
    expect(r.ctx.metric('flow_waveform').length).toBeGreaterThanOrEqual(3);
    expect(r.hostFrames.some((f) => f.code === 0x54)).toBe(true);
  });
});
