/**
 * Physiological and radio timelines of the simulated oximeters (PLXS and BerryMed share them).
 * Times in ms since the simulator started, on the injected clock; every timeline repeats.
 *
 * - normal: SpO2 96–97 %, pulse 70–74 /min.
 * - desaturation (90 s cycle): 95 % for 3 s, falls to 83 % over 8 s, stays 35 s,
 *   recovers to 94 % over 8 s, then 94–95 %. Below 88 % from ~8 s to ~49 s, so the shipped
 *   SpO2 alarms (delays 10-15 s) raise within the demo's first 30 s and clear within a minute.
 * - finger-out (60 s cycle): normal, finger out from 30 s to 45 s.
 * - out-of-range (240 s cycle): in range 60 s, out of range 120 s, back in range.
 */
export type OxiScenario = 'normal' | 'desaturation' | 'finger-out' | 'out-of-range';
export const OXI_SCENARIOS: OxiScenario[] = ['normal', 'desaturation', 'finger-out', 'out-of-range'];

export interface OxiSample { spo2: number; pr: number; pai: number; finger: boolean; inRange: boolean }

export function isOxiScenario(s: string): s is OxiScenario {
  return (OXI_SCENARIOS as string[]).includes(s);
}

const lerp = (a: number, b: number, f: number): number => a + (b - a) * Math.min(1, Math.max(0, f));

export function oxiSample(scenario: OxiScenario, tMs: number): OxiSample {
  const s = tMs / 1000;
  const wobble = Math.sin(s / 7) * 0.6;
  const base: OxiSample = { spo2: Math.round(96.5 + wobble), pr: Math.round(72 + Math.sin(s / 11) * 2), pai: Math.round((4 + Math.sin(s / 5)) * 10) / 10, finger: true, inRange: true };
  switch (scenario) {
    case 'normal': return base;
    case 'desaturation': {
      const c = s % 90;
      let spo2: number;
      if (c < 3) spo2 = 95;
      else if (c < 11) spo2 = lerp(95, 83, (c - 3) / 8);
      else if (c < 46) spo2 = 83 + Math.sin(c) * 0.5;
      else if (c < 54) spo2 = lerp(83, 94, (c - 46) / 8);
      else spo2 = 94 + (c > 70 ? 1 : 0);
      const pr = Math.round(lerp(72, 96, (95 - spo2) / 12));
      return { ...base, spo2: Math.round(spo2), pr };
    }
    case 'finger-out': {
      const c = s % 60;
      return { ...base, finger: !(c >= 30 && c < 45) };
    }
    case 'out-of-range': {
      const c = s % 240;
      return { ...base, inRange: !(c >= 60 && c < 180) };
    }
  }
}
