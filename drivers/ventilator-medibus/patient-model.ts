import { mulberry32 } from '../../src/core/prng.js';

/**
 * An NIV patient on a bilevel ventilator (S/T mode), for the simulator. A single-compartment
 * lung (compliance C, resistance R) driven by square pressure steps between EPAP and IPAP,
 * plus an unintentional leak. Scenarios switch a fault on for a window that repeats every
 * `cycleS` seconds: `disconnection` (mask off / tube disconnected), `apnea` (no patient
 * effort, no backup breaths), `high-leak` (mask leak all the time). `normal` has no fault.
 */
export type ScenarioName = 'normal' | 'disconnection' | 'apnea' | 'high-leak';
export const SCENARIOS: readonly ScenarioName[] = ['normal', 'disconnection', 'apnea', 'high-leak'];

export interface ModelOptions {
  /** Fault window start and length within each cycle, seconds. */
  faultStartS?: number;
  faultLenS?: number;
  cycleS?: number;
  seed?: number;
}

export interface WaveSample { paw: number; flow: number; volume: number; expiration: boolean }

export interface Monitor {
  ppeak: number; pmean: number; peep: number; pmin: number;
  vt: number; vte: number; vti: number; mv: number;
  rr: number; rrSpont: number; leak: number; leakRel: number; fio2: number;
}

export interface ModelAlarm { priority: number; code: number; text: string }

export const SETTINGS = { ipap: 18, epap: 6, rate: 16, backupRate: 0, tiS: 1.1, fio2: 30, apneaS: 10 } as const;

const C_ML_PER_MBAR = 40;
const R_MBAR_S_PER_L = 10;
const TAU_S = (C_ML_PER_MBAR / 1000) * R_MBAR_S_PER_L; // 0.4 s

export class NivPatientModel {
  private readonly start: number; private readonly len: number; private readonly cycle: number;
  private rnd: () => number;

  constructor(readonly scenario: ScenarioName, o: ModelOptions = {}) {
    this.start = o.faultStartS ?? 5;
    this.len = o.faultLenS ?? 20;
    this.cycle = o.cycleS ?? 60;
    this.rnd = mulberry32(o.seed ?? 1);
  }

  /** Is the scenario's fault on at t (s since start)? */
  fault(t: number): boolean {
    if (this.scenario === 'normal') return false;
    if (this.scenario === 'high-leak') return true;
    const x = t % this.cycle;
    return x >= this.start && x < this.start + this.len;
  }

  private disconnected(t: number): boolean { return this.scenario === 'disconnection' && this.fault(t); }
  private apneic(t: number): boolean { return this.scenario === 'apnea' && this.fault(t); }

  /** The waveforms at time t. */
  wave(t: number): WaveSample {
    const period = 60 / SETTINGS.rate;
    const inCycle = t % period;
    const exp = inCycle >= SETTINGS.tiS;
    const noise = (this.rnd() - 0.5) * 0.2;
    if (this.disconnected(t)) {
      return { paw: 0.4 + noise, flow: (exp ? 40 : 110) + noise * 20, volume: 0, expiration: exp };
    }
    if (this.apneic(t)) return { paw: SETTINGS.epap + noise, flow: noise, volume: 0, expiration: true };
    const dp = SETTINGS.ipap - SETTINGS.epap;
    const vtFull = C_ML_PER_MBAR * dp;
    const vEndInsp = vtFull * (1 - Math.exp(-SETTINGS.tiS / TAU_S));
    if (!exp) {
      const k = Math.exp(-inCycle / TAU_S);
      return {
        paw: SETTINGS.epap + dp * (1 - Math.exp(-inCycle / 0.06)) + noise,
        flow: (dp / R_MBAR_S_PER_L) * k * 60 + noise,
        volume: vtFull * (1 - k),
        expiration: false,
      };
    }
    const te = inCycle - SETTINGS.tiS;
    const k = Math.exp(-te / TAU_S);
    return {
      paw: SETTINGS.epap + dp * Math.exp(-te / 0.05) + noise,
      flow: -(vEndInsp / 1000 / TAU_S) * k * 60 + noise,
      volume: vEndInsp * k,
      expiration: true,
    };
  }

  /** Breath-by-breath monitoring values at time t. */
  monitor(t: number): Monitor {
    const j = (a: number): number => (this.rnd() - 0.5) * a;
    const dp = SETTINGS.ipap - SETTINGS.epap;
    const vt = C_ML_PER_MBAR * dp * (1 - Math.exp(-SETTINGS.tiS / TAU_S));
    const base: Monitor = {
      ppeak: SETTINGS.ipap + j(0.4), pmean: 10.5 + j(0.3), peep: SETTINGS.epap + j(0.2), pmin: SETTINGS.epap - 0.5,
      vt: vt + j(20), vte: vt - 15 + j(20), vti: vt + 10 + j(20), mv: (vt * SETTINGS.rate) / 1000 + j(0.2),
      rr: SETTINGS.rate, rrSpont: SETTINGS.rate, leak: 8 + j(1), leakRel: 4 + j(1), fio2: SETTINGS.fio2 + j(1),
    };
    if (this.disconnected(t)) {
      return { ...base, ppeak: 1.2, pmean: 0.6, peep: 0.3, pmin: 0, vt: 0, vte: 0, vti: 900, mv: 0, rr: SETTINGS.rate, rrSpont: 0, leak: 120 + j(5), leakRel: 100 };
    }
    if (this.apneic(t)) {
      return { ...base, ppeak: SETTINGS.epap + 0.5, pmean: SETTINGS.epap, vt: 0, vte: 0, vti: 0, mv: 0, rr: 0, rrSpont: 0 };
    }
    if (this.scenario === 'high-leak') {
      return { ...base, ppeak: SETTINGS.ipap - 2, vte: vt * 0.6 + j(20), mv: (vt * 0.6 * SETTINGS.rate) / 1000, leak: 65 + j(5), leakRel: 45 + j(3) };
    }
    return base;
  }

  /** The ventilator's own alarms at time t (codepage 1). */
  alarms(t: number): ModelAlarm[] {
    const out: ModelAlarm[] = [];
    if (this.disconnected(t)) out.push({ priority: 30, code: 0x9a, text: 'DISCONNECT' });
    if (this.apneic(t) && (t % this.cycle) - this.start >= SETTINGS.apneaS) out.push({ priority: 31, code: 0x0f, text: 'APNEA' });
    if (this.scenario === 'high-leak') out.push({ priority: 15, code: 0x19, text: 'MIN VOL LOW' });
    return out;
  }
}
