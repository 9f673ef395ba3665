/**
 * Readings of the simulated blood pressure monitor, by scenario. `n` counts the measurements the
 * simulated patient has taken (one per `measureEveryMs` of the simulator).
 * - normal: about 122/78 mmHg, pulse 64-70.
 * - hypertension: about 172/104 mmHg (ESC/ESH grade 2-3), every fifth reading 186/112 with
 *   irregular pulse flagged.
 */
export type BpScenario = 'normal' | 'hypertension';
export const BP_SCENARIOS: readonly BpScenario[] = ['normal', 'hypertension'];
export const isBpScenario = (s: string): s is BpScenario => (BP_SCENARIOS as readonly string[]).includes(s);

export interface BpSample { systolic: number; diastolic: number; pulse: number; irregular: boolean }

export function bpSample(s: BpScenario, n: number): BpSample {
  const w = Math.round(Math.sin(n * 1.7) * 4);
  if (s === 'hypertension') {
    const peak = n % 5 === 4;
    return { systolic: (peak ? 186 : 172) + w, diastolic: (peak ? 112 : 104) + Math.round(w / 2), pulse: 78 + w, irregular: peak };
  }
  return { systolic: 122 + w, diastolic: 78 + Math.round(w / 2), pulse: 67 + w, irregular: false };
}

/** Mean arterial pressure as oscillometric monitors estimate it: diastolic + (systolic − diastolic) / 3, 0.1 mmHg. */
export const meanPressure = (p: { systolic: number; diastolic: number }): number => Math.round((p.diastolic + (p.systolic - p.diastolic) / 3) * 10) / 10;
