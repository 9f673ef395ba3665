import { describe, expect, it } from 'vitest';
import { NivPatientModel } from '../../../drivers/ventilator-medibus/patient-model.js';

describe('NIV patient model', () => {
  it('normal: pressure cycles between EPAP and IPAP, flow in and out, no alarms', () => {
    const m = new NivPatientModel('normal');
    const paw: number[] = [];
    const flow: number[] = [];
    for (let t = 0; t < 7.5; t += 0.008) { const w = m.wave(t); paw.push(w.paw); flow.push(w.flow); }
    expect(Math.max(...paw)).toBeGreaterThan(17);
    expect(Math.min(...paw)).toBeLessThan(7);
    expect(Math.max(...flow)).toBeGreaterThan(30);
    expect(Math.min(...flow)).toBeLessThan(-30);
    expect(m.alarms(30)).toEqual([]);
    expect(m.monitor(3).rr).toBe(16);
  });

  it('disconnection: pressure collapses, leak soars, the ventilator alarms during the fault window only', () => {
    const m = new NivPatientModel('disconnection', { faultStartS: 5, faultLenS: 10 });
    expect(m.alarms(4)).toEqual([]);
    expect(m.alarms(6).map((a) => a.code)).toEqual([0x9a]);
    expect(m.monitor(6).leak).toBeGreaterThan(100);
    expect(m.wave(6).paw).toBeLessThan(2);
    expect(m.alarms(16)).toEqual([]);
  });

  it('apnea: no breaths; the apnea alarm follows after the apnea time', () => {
    const m = new NivPatientModel('apnea', { faultStartS: 5, faultLenS: 20 });
    expect(m.monitor(6).rr).toBe(0);
    expect(m.alarms(10)).toEqual([]);
    expect(m.alarms(16).map((a) => a.code)).toEqual([0x0f]);
  });

  it('high-leak: leak stays high and expired volume drops', () => {
    const m = new NivPatientModel('high-leak');
    const n = new NivPatientModel('normal');
    expect(m.monitor(1).leak).toBeGreaterThan(50);
    expect(m.monitor(1).vte).toBeLessThan(n.monitor(1).vte);
  });
});
